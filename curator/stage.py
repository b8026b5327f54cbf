"""The curate stage: raw JSONL/Parquet -> Parquet shards + quarantine + decisions + report.

Thin adapter: opens the Dask client named by ``curate.cluster``, runs curator.engine, evaluates
against the ground truth when one is configured, writes the report and returns outputs/metrics.
Outputs (read by train and index through the manifest): ``shards`` (folder of Parquet with id,
url, text, ...), ``quarantine`` (JSONL: file, line, id, reason, raw), ``decisions`` (Parquet, one
row per input line: status, step, reason, dup_of), ``report`` (folder: report.md, funnel.png,
jaccard.png, metrics.json).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.kit import plain
from pipeline.stage import StageContext, StageResult


def kept_texts(shards: Path, ids: list[str]) -> dict[str, str]:
    """Final text of the given ids, read from the written shards (for PII leak checks)."""
    import pyarrow.dataset as ds

    if not ids:
        return {}
    table = ds.dataset(shards, format="parquet").to_table(columns=["id", "text"], filter=ds.field("id").isin(ids))
    return dict(zip(table.column("id").to_pylist(), table.column("text").to_pylist()))


def run(ctx: StageContext) -> StageResult:
    from pipeline.dask_cluster import dask_client

    from curator import engine, quality, report

    cfg = ctx.config
    # distributed logs every worker start/stop at INFO: noise in the stage log.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    with dask_client(cfg.cluster) as client:
        n_workers = max(1, len(client.scheduler_info()["workers"]))
        result = engine.run(cfg, ctx.out_dir, ctx.work_dir, n_workers)
    metrics = dict(result.metrics)
    if cfg.ground_truth:
        gt = quality.load_ground_truth(cfg.ground_truth)
        pii_ids = gt.loc[gt["category"] == "pii", "id"].dropna().tolist() if "id" in gt else []
        texts = kept_texts(ctx.out_dir / "shards", pii_ids)
        metrics["quality"] = quality.evaluate(result.decisions, gt, texts)
        q = metrics["quality"]
        ctx.log.info(
            "curate quality: exact recall %.3f (false %d), fuzzy P/R/F1 %.3f/%.3f/%.3f, junk removed %.3f, "
            "manual pages lost %d", q["exact_dedup"]["recall"], q["exact_dedup"]["false_removals"],
            q["fuzzy_dedup"]["precision"], q["fuzzy_dedup"]["recall"], q["fuzzy_dedup"]["f1"],
            q["filters"]["junk_removed_fraction"], q["manual_pages_lost"],
        )
    report.write_report(ctx.out_dir / "report", metrics, result.funnel, result.fuzzy.pairs, plain(cfg))
    ctx.log.info("curate: report in %s", ctx.out_dir / "report" / "report.md")
    return StageResult(outputs={**result.outputs, "report": "report"}, metrics=metrics)

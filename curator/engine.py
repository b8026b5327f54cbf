"""The curation run: read -> annotate (clean, language, filters, PII) -> exact -> fuzzy -> write.

Everything runs as Dask DataFrame operations on the client's cluster; the driver only plans the
input blocks and receives small frames (counts, the removed documents' ords). The annotated
collection is checkpointed as Parquet in ``work_dir``, so a killed run resumes after the slow
per-document pass, and the dedup phase (the part the cuDF backend accelerates) reads it back on
either backend.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from curator import backend as kernels
from curator import io
from curator.config import Backend, CurateConfig
from curator.dedup import FuzzyResult, empty_fuzzy, exact_duplicates, fuzzy_duplicates
from curator.steps import ALIVE, PII_COLUMNS, QUARANTINED, REMOVED, annotate, annotated_meta

log = logging.getLogger("pipeline.curate")

SHARD_COLUMNS = ["id", "url", "text", "lang", "lang_score", "n_words", "n_chars", "pii_redactions"]
DECISION_COLUMNS = ["ord", "file", "line", "id", "status", "step", "reason", "dup_of", "similarity",
                    "lang", "lang_score", "n_words", "pii_redactions", "norm_rules"]


@dataclass
class RunResult:
    outputs: dict[str, str]
    metrics: dict
    decisions: pd.DataFrame  # one row per input line (no text): the audit trail
    fuzzy: FuzzyResult
    funnel: list[tuple[str, int]] = field(default_factory=list)


def annotate_phase(cfg: CurateConfig, blocks: list[io.Block], work_dir: Path):
    """The annotated collection, from the checkpoint when a previous attempt finished it."""
    import dask.dataframe as dd

    checkpoint = work_dir / "annotated"
    done = work_dir / "annotated.done.json"
    stamp = json.loads(json.dumps({"blocks": [b.__dict__ for b in blocks]}))  # tuples as JSON gives them back
    if done.is_file() and json.loads(done.read_text()) == stamp:
        log.info("curate: resuming from the annotated checkpoint %s", checkpoint)
        return dd.read_parquet(checkpoint), True
    fields = io.Fields(text=cfg.text_field, id=cfg.id_field, url=cfg.url_field)
    docs = dd.from_map(io.read_block, blocks, fields=fields, max_raw_chars=cfg.read.max_quarantine_chars,
                       meta=io.empty_docs(), enforce_metadata=False)
    annotated = docs.map_partitions(annotate, cfg, meta=annotated_meta())
    annotated.to_parquet(checkpoint, write_index=False, overwrite=True)
    done.write_text(json.dumps(stamp))
    return dd.read_parquet(checkpoint), False


def plan(cfg: CurateConfig, n_workers: int) -> tuple[list[Path], list[io.Block], int]:
    files = io.discover(cfg.input)
    in_bytes = sum(p.stat().st_size for p in files)
    # Small inputs still get two partitions per worker, or one worker would do all the work
    # (more, smaller blocks measured slower: each block pays a fixed Parquet/Arrow overhead).
    blocksize = max(1 << 20, min(cfg.read.blocksize_mb << 20, in_bytes // (2 * n_workers) + 1))
    blocks = io.plan_blocks(files, blocksize, cfg.read.text_unit)
    if not blocks:
        names = ", ".join(str(p) for p in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        raise io.InputError(f"curate.input '{cfg.input}' holds no records: {names} empty")
    return files, blocks, in_bytes


def run(cfg: CurateConfig, out_dir: Path, work_dir: Path, n_workers: int = 1) -> RunResult:
    kernels.require(cfg.backend)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    files, blocks, in_bytes = plan(cfg, n_workers)
    log.info("curate: %d input file(s), %.1f MB, %d block(s)", len(files), in_bytes / 1e6, len(blocks))

    annotated, resumed = annotate_phase(cfg, blocks, work_dir)
    timings["read_annotate_s"] = time.perf_counter() - t0
    counts = annotated.groupby(["status", "step", "reason"]).size().compute().rename("n").reset_index()
    pii_totals = annotated[list(PII_COLUMNS)].sum().compute()
    normalized = _normalize_counts(annotated)
    docs_in = int(counts["n"].sum())
    check_quarantine(annotated, counts, cfg, files)
    duplicate_ids = _duplicate_ids(annotated)
    log.info("curate: read and annotated %d lines in %.1f s%s", docs_in, timings["read_annotate_s"],
             " (from checkpoint)" if resumed else "")

    exact, fuzzy, dedup_timings = dedup_phase(annotated, cfg, n_workers)
    timings.update(dedup_timings)

    t3 = time.perf_counter()
    dedup = _dedup_table(exact, fuzzy)
    final = annotated.merge(dedup, on="ord", how="left")
    final = final.map_partitions(_apply_dedup, meta=_apply_dedup(final._meta))
    outputs, n_out, out_bytes, decisions = _write(final, cfg, out_dir, files)
    timings["write_s"] = time.perf_counter() - t3
    timings["total_s"] = time.perf_counter() - t0

    funnel = _funnel(counts, len(exact), len(fuzzy.removed), n_out)
    metrics = _metrics(counts, pii_totals, exact, fuzzy, funnel, timings, in_bytes, out_bytes, n_out, len(blocks))
    metrics["normalize"] = normalized
    metrics["duplicate_ids"] = duplicate_ids
    return RunResult(outputs, metrics, decisions, fuzzy, funnel)


def check_quarantine(annotated, counts: pd.DataFrame, cfg: CurateConfig, files: list[Path]) -> None:
    """Fail in one line when nothing, or too much of the input, could be read."""
    total = int(counts["n"].sum())
    read = counts[counts["status"] == QUARANTINED]
    bad = int(read["n"].sum())
    if total == 0:
        raise io.InputError(f"curate.input '{cfg.input}' holds no records")
    limit = cfg.read.max_quarantine_fraction
    if bad / total <= limit:
        return
    kinds = read.groupby(read["reason"].str.split(" (", regex=False).str[0])["n"].sum().sort_values(ascending=False)
    top = str(kinds.index[0])
    quarantined = annotated[(annotated["status"] == QUARANTINED) & annotated["reason"].str.startswith(top)]
    first = quarantined[["file", "line", "reason"]].head(1, npartitions=-1)
    where = f"first at {files[int(first['file'].iloc[0])]}:{int(first['line'].iloc[0])}: " \
        f"{first['reason'].iloc[0]}" if len(first) else "first line not found"
    raise io.InputError(
        f"{bad} of {total} input lines ({100 * bad / total:.0f}%) could not be read, above "
        f"curate.read.max_quarantine_fraction={limit}; commonest reason '{top}' ({int(kinds.iloc[0])} lines, "
        f"{where}); check curate.text_field='{cfg.text_field}', curate.id_field='{cfg.id_field}' and the input format")


def _duplicate_ids(annotated) -> dict:
    """Records whose id an earlier record already has (warned: downstream joins and citations
    assume ids are unique), and a few of those ids."""
    import dask

    ids = annotated[annotated["status"] != QUARANTINED]["id"]
    counts = ids.value_counts()
    repeated = counts[counts > 1]
    extra, examples = dask.compute((repeated - 1).sum(), repeated.nlargest(3))
    extra = int(extra)
    if extra:
        log.warning("curate: %d records repeat an id already used (e.g. %s); ids should be unique",
                    extra, ", ".join(f"'{k}' x{int(v)}" for k, v in examples.items()))
    return {"records": extra, "examples": {str(k): int(v) for k, v in examples.items()}}


def dedup_phase(annotated, cfg: CurateConfig, n_workers: int = 1) -> tuple[pd.DataFrame, FuzzyResult, dict]:
    """Exact then fuzzy dedup of the alive documents, on the configured backend.

    With ``dedup_in_memory`` (default: one cuDF worker) the alive documents are gathered into
    this process once and both steps run as one program on the backend's device; otherwise as
    Dask shuffles on the cluster.
    """
    import dask

    kernels.require(cfg.backend)
    gpu = Backend(cfg.backend) is Backend.cudf
    in_memory = cfg.dedup_in_memory if cfg.dedup_in_memory is not None else (gpu and n_workers == 1)
    timings: dict[str, float] = {}
    alive = annotated[annotated["status"] == ALIVE][["ord", "key", "n_words"]]
    if gpu:
        alive = alive.to_backend("cudf")
    if in_memory:
        # Read here with threads: the frame then never crosses the scheduler's TCP link.
        t0 = time.perf_counter()
        alive = alive.compute(scheduler="threads")
        n_alive = len(alive)
        timings["gather_s"] = time.perf_counter() - t0
    else:
        alive = alive.persist()
        n_alive = int(alive.shape[0].compute())

    t1 = time.perf_counter()
    if cfg.exact.enabled:
        exact, rest = exact_duplicates(alive)
    else:
        exact, rest = kernels.exact_removed_meta(), alive
    timings["exact_dedup_s"] = time.perf_counter() - t1
    log.info("curate: exact dedup removed %d of %d documents in %.1f s", len(exact), n_alive, timings["exact_dedup_s"])

    t2 = time.perf_counter()
    if not cfg.fuzzy.enabled:
        fuzzy = empty_fuzzy()
    else:
        with dask.config.set({"dataframe.backend": Backend(cfg.backend).value}):
            fuzzy = fuzzy_duplicates(rest, cfg.fuzzy, n_workers, gpu=gpu)
    timings["fuzzy_dedup_s"] = time.perf_counter() - t2
    log.info("curate: fuzzy dedup removed %d documents (%d candidate pairs, %d accepted) in %.1f s%s",
             len(fuzzy.removed), fuzzy.stats.get("candidate_pairs", 0), fuzzy.stats.get("accepted_pairs", 0),
             timings["fuzzy_dedup_s"], " (in memory)" if in_memory else "")
    return exact, fuzzy, timings


def _dedup_table(exact: pd.DataFrame, fuzzy: FuzzyResult) -> pd.DataFrame:
    ex = pd.DataFrame({"ord": exact["ord"].to_numpy(np.int64), "dup_step": "exact_dedup",
                       "dup_of_ord": exact["kept"].to_numpy(np.int64), "similarity": 1.0})
    sim = fuzzy.removed["jaccard"].where(fuzzy.removed["jaccard"].notna(), fuzzy.removed["estimate"])
    fz = pd.DataFrame({"ord": fuzzy.removed["ord"].to_numpy(np.int64), "dup_step": "fuzzy_dedup",
                       "dup_of_ord": fuzzy.removed["kept"].to_numpy(np.int64), "similarity": sim.to_numpy(float)})
    table = pd.concat([ex, fz], ignore_index=True)
    table["dup_step"] = table["dup_step"].astype("str")
    return table


def _apply_dedup(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    dup = frame["dup_step"].notna()
    frame["status"] = frame["status"].where(~dup, REMOVED)
    frame["step"] = frame["step"].where(~dup, frame["dup_step"])
    frame["reason"] = frame["reason"].where(~dup, "duplicate of an earlier document")
    frame["dup_of_ord"] = frame["dup_of_ord"].fillna(-1).astype(np.int64)
    frame["similarity"] = frame["similarity"].astype(float)
    frame["pii_redactions"] = frame[list(PII_COLUMNS)].sum(axis=1).astype(np.int32)
    return frame.drop(columns=["dup_step"])


def _write(final, cfg: CurateConfig, out_dir: Path, files: list[Path]):
    final = final.persist()
    kept = final[final["status"] == ALIVE]
    n_out = int(kept.shape[0].compute())
    shards = out_dir / "shards"
    n_shards = max(1, math.ceil(n_out / cfg.output.rows_per_shard))
    kept[SHARD_COLUMNS].repartition(npartitions=n_shards).to_parquet(
        shards, write_index=False, compression=cfg.output.compression,
        name_function=lambda i: f"shard-{i:05d}.parquet",
    )
    out_bytes = sum(p.stat().st_size for p in shards.glob("*.parquet"))

    small = final[[c for c in DECISION_COLUMNS if c not in ("dup_of", "similarity")] + ["dup_of_ord", "similarity", "raw"]]
    decisions = small.compute().sort_values("ord").reset_index(drop=True)
    ids = decisions.set_index("ord")["id"]
    decisions["dup_of"] = pd.Series(ids.reindex(decisions["dup_of_ord"]).to_numpy(), dtype="str").fillna("")
    names = np.array([str(p) for p in files], dtype=object)
    decisions["file"] = pd.Series(names[decisions["file"].to_numpy()], dtype="str")
    quarantine = decisions.loc[decisions["status"] == QUARANTINED, ["file", "line", "id", "reason", "raw"]]
    quarantine.to_json(out_dir / "quarantine.jsonl", orient="records", lines=True, force_ascii=False)
    decisions = decisions.drop(columns=["raw", "dup_of_ord"])[DECISION_COLUMNS]
    decisions.to_parquet(out_dir / "decisions.parquet", index=False)
    outputs = {"shards": "shards", "quarantine": "quarantine.jsonl", "decisions": "decisions.parquet"}
    log.info("curate: wrote %d documents in %d shard(s) (%.1f MB), %d quarantined lines",
             n_out, n_shards, out_bytes / 1e6, len(quarantine))
    return outputs, n_out, out_bytes, decisions


def _funnel(counts: pd.DataFrame, n_exact: int, n_fuzzy: int, n_out: int) -> list[tuple[str, int]]:
    by_step = counts.groupby("step")["n"].sum()
    n = int(counts["n"].sum())
    funnel = [("input lines", n)]
    for step, label in (("read", "valid records"), ("language", "language kept"), ("filters", "quality filters")):
        n -= int(by_step.get(step, 0))
        funnel.append((label, n))
    n -= n_exact
    funnel.append(("exact dedup", n))
    n -= n_fuzzy
    funnel.append(("fuzzy dedup", n))
    assert n == n_out, f"funnel ends at {n} but {n_out} documents were written"
    return funnel


def _normalize_counts(annotated) -> dict:
    """Documents each normalisation rule changed, documents changed and characters removed."""
    changed = annotated[annotated["norm_rules"] != ""]
    combos = changed["norm_rules"].value_counts().compute()
    by_rule: dict[str, int] = {}
    for combo, n in combos.items():
        for rule in combo.split(","):
            by_rule[rule] = by_rule.get(rule, 0) + int(n)
    return {"documents_changed": int(combos.sum()), "characters_removed": int(annotated["norm_chars_removed"].sum().compute()),
            "documents_changed_by_rule": dict(sorted(by_rule.items()))}


def _metrics(counts, pii_totals, exact, fuzzy: FuzzyResult, funnel, timings, in_bytes, out_bytes, n_out, n_blocks):
    by_reason = counts[counts["step"] == "filters"].set_index("reason")["n"]
    read = counts[counts["step"] == "read"]
    by_read = read.groupby(read["reason"].str.split(" (", regex=False).str[0])["n"].sum()  # kind, not detail
    by_lang = counts[counts["step"] == "language"]["n"].sum()
    total_in = funnel[0][1]
    metrics = {
        "docs_in": total_in,
        "docs_out": n_out,
        "quarantined": int(by_read.sum()),
        "quarantine_reasons": {k: int(v) for k, v in by_read.sort_values(ascending=False).items()},
        "removed_language": int(by_lang),
        "removed_filters": int(by_reason.sum()),
        "removed_by_filter": {k: int(v) for k, v in by_reason.sort_values(ascending=False).items()},
        "removed_exact_dup": int(len(exact)),
        "exact_dup_groups": int(exact["kept"].nunique()) if len(exact) else 0,
        "removed_fuzzy_dup": int(len(fuzzy.removed)),
        "fuzzy_dup_clusters": int(fuzzy.removed["kept"].nunique()) if len(fuzzy.removed) else 0,
        "fuzzy_candidate_pairs": int(fuzzy.stats.get("candidate_pairs", 0)),
        "fuzzy_accepted_pairs": int(fuzzy.stats.get("accepted_pairs", 0)),
        "pii_redacted": {c.removeprefix("pii_"): int(pii_totals[c]) for c in PII_COLUMNS if pii_totals[c]},
        "funnel": [[label, n] for label, n in funnel],  # a list: manifests sort dict keys
        "bytes_in": int(in_bytes),
        "bytes_out": int(out_bytes),
        "blocks": n_blocks,
        "timings_s": {k: round(v, 3) for k, v in timings.items()},
    }
    if timings.get("total_s"):
        metrics["docs_per_s"] = round(total_in / timings["total_s"], 1)
    return metrics

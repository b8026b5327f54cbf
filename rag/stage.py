"""The index stage: curated shards -> chunks with provenance -> embeddings -> FAISS (+ BM25).

A thin adapter: it finds the curate stage's shards through its manifest, builds the index folder
in ``ctx.work_dir`` (reused after a killed attempt while its inputs are unchanged; embeddings are
also cached by content hash across runs), scores retrieval on the configured question sets and
publishes index/, report/ and quarantine.jsonl into the artifact.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import kit
from pipeline.stage import StageContext, StageResult

OUTPUTS = {"index": "index", "chunks": "index/chunks.parquet", "report": "report",
           "quarantine": "quarantine.jsonl"}


def run(ctx: StageContext) -> StageResult:
    from rag.build import build_index, evaluate_sets
    from rag.corpus import CorpusError
    from rag.embed import EmbedError
    from rag.evaluate import QuestionSetError
    from rag.retriever import RetrieverError
    from rag.vector_index import VectorIndexError

    cfg = ctx.config
    shards = ctx.inputs["curate"].output("shards")
    built = ctx.work_dir / "index"
    summary = ctx.work_dir / "build.json"
    stamp = {"curate": ctx.inputs["curate"].manifest.digest, "config": kit.plain(cfg)}

    def build(folder: Path) -> None:
        result = build_index(shards, cfg, folder)
        summary.write_text(json.dumps({"metrics": result.metrics, "timings": result.timings,
                                       "quarantined": result.quarantined}))

    with kit.user_errors(failed=(CorpusError, EmbedError, QuestionSetError, RetrieverError),
                         config=(VectorIndexError,)):
        if kit.resumable(built, stamp, build) and summary.is_file():
            ctx.log.info("index: reusing the index built by an earlier attempt (%s)", built)
        done = json.loads(summary.read_text())
        quality, latency, misses, bad_lines = evaluate_sets(built, cfg)

    kit.publish_tree(built, ctx.out_dir / "index")
    report = ctx.out_dir / "report"
    report.mkdir(parents=True, exist_ok=True)
    metrics = {**done["metrics"], "quality": quality, "bad_question_lines": len(bad_lines)}
    timings = {**done["timings"], "query_latency": latency, "threads": cfg.threads, "device": metrics["device"]}
    (report / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
    (report / "timings.json").write_text(json.dumps(timings, indent=2, sort_keys=True))
    for name, missed in sorted(misses.items()):
        (report / f"misses_{name}.jsonl").write_text("".join(json.dumps(m) + "\n" for m in missed))
    quarantine = [{**q, "stage": "index"} for q in done["quarantined"]] + bad_lines
    (ctx.out_dir / OUTPUTS["quarantine"]).write_text("".join(json.dumps(q, default=str) + "\n" for q in quarantine))
    ctx.log.info("index: wrote index/ (%d chunks), report/ and %d quarantined records to %s",
                 metrics["chunks"], len(quarantine), ctx.out_dir)
    return StageResult(outputs=dict(OUTPUTS), metrics={**metrics, "timings": timings})

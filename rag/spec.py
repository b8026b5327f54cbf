"""The index stage's declaration (read by pipeline/stages.py)."""

from pipeline.spec import StageSpec
from rag.config import IndexConfig

SPEC = StageSpec(
    name="index",
    upstream=("curate",),
    config={"index": IndexConfig},
    run="rag.stage:run",
    outputs=("index", "chunks", "report", "quarantine"),
    # The table of contents and the question sets are files: their content joins the cache key.
    external_inputs=("index.toc", "index.eval_sets"),
    # How the vectors are computed, not which: threads, batch size and where the cache lives.
    volatile=("index.threads", "index.embed.batch_size", "index.embed.cache_dir"),
    # Wall-clock figures (throughput, latency) describe the run, not the index.
    volatile_outputs=("report/timings.json",),
)

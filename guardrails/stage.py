"""The assistant stage: open the assistant on the export bundle and the index, run the evaluation.

A thin adapter: the bundle and the index folder come from the upstream manifests; the evaluation
(guardrails/suite.py) writes report/ (report.md, metrics.json) and results.jsonl (every turn: the
answer, sources, rails that fired, latency); the Guardrails configuration used is published as
rails/ so a result can be traced to the exact rails.
"""

from __future__ import annotations

import time

from pipeline import kit
from pipeline.stage import StageContext, StageResult

OUTPUTS = {"report": "report", "results": "results.jsonl", "rails": "rails"}


def run(ctx: StageContext) -> StageResult:
    from tqdm import tqdm

    from guardrails.evaluate import EvalDataError
    from guardrails.factory import open_assistant
    from guardrails.safety import RAILS_DIR
    from guardrails.suite import run_suite

    cfg = ctx.config
    bundle = ctx.inputs["export"].output("bundle")
    index_dir = ctx.inputs["index"].output("index")
    ctx.log.info("assistant: export bundle %s, index %s", bundle, index_dir)
    start = time.perf_counter()
    failed = _library_errors() + (EvalDataError, FileNotFoundError)
    with kit.user_errors(failed=failed, config=(ValueError,)):
        assistant = open_assistant(bundle, index_dir, cfg)
        opened = time.perf_counter() - start
        try:
            bar = tqdm(desc="assistant eval", unit="turn", mininterval=2.0)
            metrics = run_suite(assistant, cfg, ctx.out_dir / "report", progress=bar.update)
            bar.close()
        finally:
            assistant.close()
    (ctx.out_dir / "report" / "results.jsonl").replace(ctx.out_dir / OUTPUTS["results"])
    kit.publish_tree(RAILS_DIR, ctx.out_dir / "rails")
    metrics["open_s"] = round(opened, 2)
    for name, goal in metrics["goals"].items():
        ctx.log.info("assistant goal %-38s %s (target %s)%s", name, goal["value"], goal["target"],
                     "" if goal["met"] else "  <- not met")
    ctx.log.info("assistant: report %s", ctx.out_dir / "report" / "report.md")
    ctx.log.info("chat with it: python -m pipeline chat   (or: python -m pipeline serve)")
    return StageResult(outputs=dict(OUTPUTS), metrics=metrics)


def _library_errors() -> tuple[type[BaseException], ...]:
    """The other stages' "your artifact is unusable" errors, where their packages are present."""
    found: list[type[BaseException]] = []
    for module, names in (("infer.bundle", ("BundleError",)), ("infer.runtime", ("BackendUnavailable", "UnknownAdapter")),
                          ("rag.retriever", ("RetrieverError",)), ("rag.embed", ("EmbedError",))):
        try:
            imported = __import__(module, fromlist=list(names))
        except ImportError:
            continue
        found.extend(getattr(imported, n) for n in names if hasattr(imported, n))
    return tuple(found)

"""Small real stages for testing the DAG machinery through the real CLI.

They read the real config sections (curate, train, model) and do real, tiny work on files, so
cache keys, manifests, sweeps and resumption are exercised exactly as the production stages will
be. Each run appends its stage name to $TOY_RUN_LOG so tests can count executions; $TOY_SLEEP_IN
names a stage that sleeps half-way (to be killed).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from pipeline.registry import Registry
from pipeline.stage import StageContext, StageResult


def _record(name: str) -> None:
    log = os.environ.get("TOY_RUN_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(name + "\n")


def _maybe_sleep(name: str, ctx: StageContext) -> None:
    if os.environ.get("TOY_SLEEP_IN") == name:
        (ctx.out_dir / "partial.txt").write_text("half-written\n")
        (ctx.work_dir / "checkpoint.txt").write_text("step 1\n")
        print(f"TOY {name} sleeping", flush=True)
        time.sleep(60)


def toy_curate(ctx: StageContext) -> StageResult:
    """Keeps the unique non-empty texts of a JSONL file."""
    _record(ctx.name)
    _maybe_sleep(ctx.name, ctx)
    texts: dict[str, None] = {}  # ordered set: first occurrence wins
    for line in Path(ctx.config.input).read_text().splitlines():
        text = json.loads(line).get(ctx.config.text_field, "").strip()
        if text:
            texts.setdefault(text)
    (ctx.out_dir / "docs.txt").write_text("\n".join(texts) + "\n")
    return StageResult({"docs": "docs.txt"}, {"docs_out": len(texts)})


def toy_train(ctx: StageContext) -> StageResult:
    """"Trains" a unigram model: counts words of the curated docs, scaled by the learning rate."""
    _record(ctx.name)
    _maybe_sleep(ctx.name, ctx)
    words = Counter(ctx.inputs["curate"].output("docs").read_text().split())
    model = {"lr": ctx.config.optim.lr, "hidden": ctx.sections["model"].hidden_size, "counts": words}
    (ctx.out_dir / "model").mkdir()
    (ctx.out_dir / "model" / "weights.json").write_text(json.dumps(model, sort_keys=True))
    return StageResult({"model": "model"}, {"vocab": len(words), "lr": ctx.config.optim.lr})


def toy_index(ctx: StageContext) -> StageResult:
    """Indexes curated docs by first word (a second consumer of curate)."""
    _record(ctx.name)
    docs = ctx.inputs["curate"].output("docs").read_text().split("\n")
    index = {doc.split()[0]: i for i, doc in enumerate(docs) if doc}
    (ctx.out_dir / "index.json").write_text(json.dumps(index, sort_keys=True))
    return StageResult({"index": "index.json"}, {"entries": len(index)})


def toy_spec(spec, run: str | None, outputs: tuple[str, ...], **changes):
    """A production spec (its real config sections) with a toy implementation."""
    return replace(spec, run=run, outputs=outputs, volatile_outputs=(), **changes)


def registry() -> Registry:
    from curator.spec import SPEC as CURATE
    from customize.spec import SPEC as CUSTOMIZE
    from rag.spec import SPEC as INDEX
    from train.spec import SPEC as TRAIN

    module = __name__
    return Registry(
        [
            toy_spec(CURATE, f"{module}:toy_curate", ("docs",), external_inputs=("curate.input",)),
            toy_spec(TRAIN, f"{module}:toy_train", ("model",)),
            toy_spec(INDEX, f"{module}:toy_index", ("index",), external_inputs=()),
            toy_spec(CUSTOMIZE, None, (), tracked_by="issue: Customize stage"),
        ]
    )

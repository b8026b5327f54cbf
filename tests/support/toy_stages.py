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
from dataclasses import dataclass
from pathlib import Path

from pipeline.registry import Registry, StageSpec
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


@dataclass
class ToyCurate:
    """Keeps the unique non-empty texts of a JSONL file."""

    name: str = "curate"
    upstream: tuple[str, ...] = ()
    sections: tuple[str, ...] = ("curate",)

    def run(self, ctx: StageContext) -> StageResult:
        _record(self.name)
        _maybe_sleep(self.name, ctx)
        texts: dict[str, None] = {}  # ordered set: first occurrence wins
        for line in Path(ctx.config.input).read_text().splitlines():
            text = json.loads(line).get(ctx.config.text_field, "").strip()
            if text:
                texts.setdefault(text)
        (ctx.out_dir / "docs.txt").write_text("\n".join(texts) + "\n")
        return StageResult({"docs": "docs.txt"}, {"docs_out": len(texts)})


@dataclass
class ToyTrain:
    """"Trains" a unigram model: counts words of the curated docs, scaled by the learning rate."""

    name: str = "train"
    upstream: tuple[str, ...] = ("curate",)
    sections: tuple[str, ...] = ("train", "model")

    def run(self, ctx: StageContext) -> StageResult:
        _record(self.name)
        _maybe_sleep(self.name, ctx)
        words = Counter(ctx.inputs["curate"].output("docs").read_text().split())
        model = {"lr": ctx.config.optim.lr, "hidden": ctx.sections["model"].hidden_size, "counts": words}
        (ctx.out_dir / "model").mkdir()
        (ctx.out_dir / "model" / "weights.json").write_text(json.dumps(model, sort_keys=True))
        return StageResult({"model": "model"}, {"vocab": len(words), "lr": ctx.config.optim.lr})


@dataclass
class ToyIndex:
    """Indexes curated docs by first word (a second consumer of curate)."""

    name: str = "index"
    upstream: tuple[str, ...] = ("curate",)
    sections: tuple[str, ...] = ("index",)

    def run(self, ctx: StageContext) -> StageResult:
        _record(self.name)
        docs = ctx.inputs["curate"].output("docs").read_text().split("\n")
        index = {doc.split()[0]: i for i, doc in enumerate(docs) if doc}
        (ctx.out_dir / "index.json").write_text(json.dumps(index, sort_keys=True))
        return StageResult({"index": "index.json"}, {"entries": len(index)})


def registry() -> Registry:
    module = __name__
    return Registry(
        [
            StageSpec("curate", (), ("curate",), f"{module}:ToyCurate", external_inputs=("curate.input",)),
            StageSpec("train", ("curate",), ("train", "model"), f"{module}:ToyTrain"),
            StageSpec("index", ("curate",), ("index",), f"{module}:ToyIndex"),
            StageSpec("customize", ("train",), ("customize",), None, "issue: Customize stage"),
        ]
    )

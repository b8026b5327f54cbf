"""Support (no tests) for the train stage tests: a small real curate stage and tiny-model overrides.

``ManualCurate`` writes what the real curate stage publishes (output "shards": Parquet files with
columns id, text, url), one document per "## N.M" section of the embedded owner's manual, so the
train stage can be run through the real CLI before (and independently of) the curate stage.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from pipeline.registry import Registry
from pipeline.stage import StageContext, StageResult
from train.core.metrics import read

from tests.support import REPO
from tests.support.cli import project_paths, run_cli
MANUAL = REPO / "data" / "manual"

# A model small enough to train in seconds on 2 cores (dims still multiples of 16).
TINY_MODEL = [
    "model.name=test", "model.vocab_size=512", "model.hidden_size=64", "model.intermediate_size=128",
    "model.num_layers=2", "model.num_heads=4", "model.num_kv_heads=2", "model.max_seq_len=128",
]
TINY_TRAIN = [
    "train.seq_len=64", "train.micro_batch_size=4", "train.eval_rows=16", "train.precision=fp32",
    "train.optim.warmup_steps=2", "train.optim.lr=3e-3", "train.threads=1",
]


def manual_sections(folder: Path = MANUAL) -> list[tuple[str, str]]:
    """(id, text) for every "## N.M" section of the manual, in chapter order."""
    docs = []
    for path in sorted(folder.glob("*.md")):
        parts = re.split(r"(?m)^(?=## )", path.read_text())
        for number, part in enumerate(p for p in parts if p.strip()):
            docs.append((f"{path.stem}#{number}", part.strip()))
    return docs


def write_shards(out: Path, docs: list[tuple[str, str]], shards: int = 2, extra_rows: list | None = None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    rows = [{"id": i, "text": t, "url": f"https://manual.example/{i}"} for i, t in docs] + (extra_rows or [])
    per = -(-len(rows) // shards)
    for n in range(shards):
        part = rows[n * per:(n + 1) * per]
        table = pa.table({k: [r[k] for r in part] for k in ("id", "text", "url")},
                         schema=pa.schema([("id", pa.string()), ("text", pa.string()), ("url", pa.string())]))
        pq.write_table(table, out / f"part-{n:05d}.parquet")


def manual_curate(ctx: StageContext) -> StageResult:
    """What the real curate stage publishes (output "shards"), one document per manual section."""
    docs = manual_sections(ctx.project_root / "data" / "manual")
    # One unusable row, as a real crawl may leave: the train stage must quarantine it, not drop it.
    write_shards(ctx.out_dir / "shards", docs, extra_rows=[{"id": "blank", "text": "  ", "url": None}])
    return StageResult({"shards": "shards"}, {"docs_out": len(docs)})


def registry() -> Registry:
    """The real train stage after a small real stand-in for curate (the manual's sections)."""
    from curator.spec import SPEC as CURATE
    from train.spec import SPEC as TRAIN

    curate = replace(CURATE, run=f"{__name__}:manual_curate", outputs=("shards",), external_inputs=(),
                     volatile_outputs=())
    return Registry([curate, TRAIN])


def command(root: Path, *args: str, stage: str = "train") -> list[str]:
    """The CLI arguments of a tiny-model train run on the manual's text (ManualCurate upstream)."""
    return ["run", f"stage={stage}", "registry=tests.support.train:registry", *project_paths(root),
            *TINY_MODEL, *TINY_TRAIN, *args]


def cli(root: Path, *args: str, check: bool = True, env: dict | None = None, stage: str = "train",
        launcher: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return run_cli(*command(root, *args, stage=stage), check=check, env=env, timeout=1500, launcher=launcher)


def artifact(root: Path, stage: str = "train") -> Path:
    [manifest] = (root / "artifacts" / stage).glob("*/manifest.json")
    return manifest.parent


def losses(path: Path) -> list[tuple[str, int, float]]:
    # read() keeps whole lines only: the kill test polls the log while the run is appending to it
    return [(r["kind"], r["step"], r["loss"]) for r in read(path)]

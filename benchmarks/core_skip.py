"""How long the pipeline takes to decide that stages are up to date, against making them.

The promise: an up-to-date stage is skipped in well under a second. This measures the skip
decision (cache key, input fingerprint, manifest verification) in-process with the toy registry,
for small and large artifacts, with verify=full and verify=fast, and prints a table.

    .venv/bin/python benchmarks/core_skip.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.cli import compose  # noqa: E402
from pipeline.config import register  # noqa: E402
from pipeline.runner import run_pipeline  # noqa: E402


def _corpus(path: Path, n_docs: int) -> None:
    with open(path, "w") as handle:
        for i in range(n_docs):
            handle.write(json.dumps({"id": i, "text": f"document {i} about charging the car at home " * 8}) + "\n")


def measure(n_docs: int, verify: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _corpus(root / "raw.jsonl", n_docs)
        overrides = [
            "registry=tests.toy_stages:registry", "stage=[train,index]", f"verify={verify}",
            f"paths.artifacts={root / 'a'}", f"paths.experiments={root / 'e'}", f"curate.input={root / 'raw.jsonl'}",
        ]
        cfg = compose(overrides)
        t0 = time.perf_counter()
        run_pipeline(cfg, "bench")
        make = time.perf_counter() - t0
        t0 = time.perf_counter()
        run_pipeline(cfg, "bench")
        return make, time.perf_counter() - t0


def main() -> None:
    register()
    rows = []
    for n_docs in (1_000, 200_000):
        for verify in ("full", "fast"):
            make, skip = measure(n_docs, verify)
            rows.append((n_docs, verify, make, skip))
    print("| input docs | verify | make 3 stages (s) | skip 3 up-to-date stages (s) | skip / make |")
    print("|---:|---|---:|---:|---:|")
    for n_docs, verify, make, skip in rows:
        print(f"| {n_docs:,} | {verify} | {make:.3f} | {skip:.3f} | {skip / make:.1%} |")


if __name__ == "__main__":
    main()

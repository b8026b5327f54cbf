"""Exact and fuzzy dedup, cuDF backend against our CPU backend, on the same annotated corpus.

    python benchmarks/curate_gpu_bench.py --corpus DIR [--cpu-workers 16] [--gpu-workers 1]

DIR holds crawl.jsonl (and ground_truth.jsonl for precision/recall). The per-document pass runs
once on CPU workers and is checkpointed; then exact + fuzzy dedup run on pandas partitions
(--cpu-workers processes) and on cuDF partitions (--gpu-workers processes sharing the GPU), each
after a warm-up on a small slice. Prints a Markdown table and whether the duplicate sets agree.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from curator import engine  # noqa: E402
from curator.config import Backend, CurateConfig  # noqa: E402
from pipeline.dask_cluster import ClusterConfig, dask_client  # noqa: E402


def _gpu_name() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True)
        return out.stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown GPU"


def _dedup(annotated, cfg: CurateConfig, workers: int) -> tuple:
    with dask_client(cfg.cluster):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        import dask.dataframe as dd

        warm = dd.from_pandas(annotated.partitions[0].compute().head(400), npartitions=1)
        engine.dedup_phase(warm, cfg, workers)  # CUDA context, JIT, imports: outside the timing
        t0 = time.perf_counter()
        exact, fuzzy, timings = engine.dedup_phase(annotated, cfg, workers)
        timings["total_s"] = time.perf_counter() - t0
    return exact, fuzzy, timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--cpu-workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--gpu-workers", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/curate-gpu-bench"))
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--second-backend", default="cudf", help="pandas: rehearse the script on a CPU machine")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    cfg = CurateConfig(input=str(args.corpus / "crawl.jsonl"), cluster=ClusterConfig(n_workers=args.cpu_workers))
    with dask_client(cfg.cluster):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        t0 = time.perf_counter()
        _, blocks, _ = engine.plan(cfg, args.cpu_workers)
        engine.annotate_phase(cfg, blocks, args.work)
        t_annotate = time.perf_counter() - t0
    import dask.dataframe as dd

    annotated = dd.read_parquet(args.work / "annotated")
    cpu = _dedup(annotated, cfg, args.cpu_workers)
    gpu_cfg = dataclasses.replace(cfg, backend=Backend(args.second_backend), cluster=ClusterConfig(n_workers=args.gpu_workers))
    gpu = _dedup(annotated, gpu_cfg, args.gpu_workers)

    n_alive = int((annotated["status"] == "alive").sum().compute())
    n_fuzzy_in = n_alive - len(cpu[0])
    cpu_f = dict(zip(cpu[1].removed["ord"], cpu[1].removed["kept"]))
    gpu_f = dict(zip(gpu[1].removed["ord"], gpu[1].removed["kept"]))
    result = {
        "gpu": _gpu_name(), "date": str(date.today()), "corpus": str(args.corpus), "documents_alive": n_alive,
        "annotate_s_cpu": round(t_annotate, 2), "cpu_workers": args.cpu_workers, "gpu_workers": args.gpu_workers,
        "cpu": cpu[2], "gpu_times": gpu[2],
        "exact_identical": cpu[0].to_dict("list") == gpu[0].to_dict("list"),
        "exact_removed": [len(cpu[0]), len(gpu[0])],
        "fuzzy_removed": [len(cpu_f), len(gpu_f)],
        "fuzzy_only_cpu": len(set(cpu_f) - set(gpu_f)), "fuzzy_only_gpu": len(set(gpu_f) - set(cpu_f)),
        "candidate_pairs": [cpu[1].stats.get("candidate_pairs"), gpu[1].stats.get("candidate_pairs")],
        "lsh_s": [cpu[1].stats.get("seconds_lsh"), gpu[1].stats.get("seconds_lsh")],
    }
    gt_path = args.corpus / "ground_truth.jsonl"
    if gt_path.is_file():
        gt = pd.read_json(gt_path, lines=True, dtype=False).set_index("line")["category"]
        planted = int((gt == "near_dup").sum())
        for name, removed in (("cpu", cpu_f), ("gpu", gpu_f)):
            lines = [o & ((1 << 40) - 1) for o in removed]
            tp = int((gt.reindex(lines) == "near_dup").sum())
            p, r = tp / max(1, len(removed)), tp / max(1, planted)
            result[f"near_dup_prf_{name}"] = [round(p, 4), round(r, 4), round(2 * p * r / max(1e-9, p + r), 4)]
    print(json.dumps(result, indent=1, default=float))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=float))
    print(f"\n{result['gpu']}, {date.today()}, {n_alive:,} documents after filters\n")
    print("| step | backend | processes | seconds | docs/s | speed-up |\n|---|---|---|---|---|---|")
    for step, key, n in (("exact dedup", "exact_dedup_s", n_alive), ("fuzzy dedup", "fuzzy_dedup_s", n_fuzzy_in),
                         ("exact + fuzzy", "total_s", n_alive)):
        c, g = cpu[2][key], gpu[2][key]
        print(f"| {step} | pandas (CPU) | {args.cpu_workers} | {c:.2f} | {n / c:,.0f} | 1.0x |")
        print(f"| {step} | cuDF (GPU) | {args.gpu_workers} | {g:.2f} | {n / g:,.0f} | {c / g:.1f}x |")


if __name__ == "__main__":
    main()

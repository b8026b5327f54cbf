"""Exact and fuzzy dedup, cuDF backend against our CPU backend, on the same annotated corpus.

    python benchmarks/curate_gpu_bench.py --corpus DIR [--cpu-workers 16] [--gpu-workers 1]
    python benchmarks/curate_gpu_bench.py --docs 200000     # generates the corpus first

DIR holds crawl.jsonl (and ground_truth.jsonl for precision/recall); --docs N instead generates
about N lines with `python -m datagen corpus` (seed --seed) under --work, once. The per-document
pass runs once on CPU workers and is checkpointed; then exact + fuzzy dedup run on pandas
partitions (--cpu-workers processes, Dask shuffles) and with cuDF (--gpu-workers; with one worker
the default is the in-memory GPU program of curator/dedup.py), each after a warm-up on one
input block. --cpu-in-memory adds that one-process program on numpy as a second CPU baseline.
The fuzzy step is split into LSH (signatures, buckets, candidate pairs) and true-Jaccard
verification, and each run's finer steps are printed under the table. Prints a Markdown table and
whether the duplicate sets agree. Without a working cuDF the cuDF rows are skipped with the reason.
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
from curator.backend import probe_cudf  # noqa: E402
from curator.config import Backend, CurateConfig  # noqa: E402
from pipeline.dask_cluster import ClusterConfig, dask_client  # noqa: E402

# Lines per filler page in datagen's mix (measured: --n-filler 32000 gives 50,754 lines).
LINES_PER_FILLER = 50_754 / 32_000


def _gpu_name() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True)
        return out.stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown GPU"


def _warm_gpu_verify() -> None:
    """Compile the cupy kernels of true-Jaccard verification in this (the driver) process."""
    import cupy
    import numpy as np
    import pyarrow as pa

    from curator import hashing, jaccard, shingles

    buffers = hashing.string_buffers(pa.array(["a b c d e", "a b c d f", ""], type=pa.large_string()), cupy)
    jaccard.set_jaccard(shingles.shingle_sets(*buffers, "word", 3, cupy), np.array([0, 0]), np.array([1, 2]), cupy)


def _dedup(annotated, cfg: CurateConfig, workers: int) -> tuple:
    if Backend(cfg.backend) is Backend.cudf:
        _warm_gpu_verify()  # the warm-up slice below may have no pair worth verifying
    with dask_client(ClusterConfig(n_workers=workers)):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        import dask.dataframe as dd

        # A whole input block has near-duplicate pairs, so every kernel (cupy compiles on first
        # use) runs once before the timing: CUDA context, JIT, imports stay outside it.
        warm = dd.from_pandas(annotated.partitions[0].compute(), npartitions=1)
        engine.dedup_phase(warm, cfg, workers)
        t0 = time.perf_counter()
        exact, fuzzy, timings = engine.dedup_phase(annotated, cfg, workers)
        timings["total_s"] = time.perf_counter() - t0
    return exact, fuzzy, timings


def _corpus(args) -> Path:
    if args.corpus is not None:
        return args.corpus
    folder = args.work / f"corpus-{args.docs}-seed{args.seed}"
    if not (folder / "corpus_card.json").is_file():  # datagen writes the card last
        n_filler = max(1, round(args.docs / LINES_PER_FILLER))
        print(f"generating about {args.docs:,} lines into {folder} (datagen corpus --n-filler {n_filler})",
              flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "datagen", "corpus", "--out", str(folder), "--seed", str(args.seed),
                        "--n-filler", str(n_filler), "--quiet"], cwd=REPO, check=True)
        print(f"corpus generated in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


def _split(fuzzy) -> tuple:
    """(LSH seconds, verify seconds, where verification ran, pairs verified) of one fuzzy run."""
    st = fuzzy.stats
    return (st.get("seconds_lsh", 0.0), st.get("seconds_verify", 0.0), st.get("verify_device", "-"),
            st.get("verified_pairs", 0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ap.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", type=Path, help="folder with crawl.jsonl (+ ground_truth.jsonl)")
    source.add_argument("--docs", type=int, help="generate about this many lines (cached under --work)")
    ap.add_argument("--seed", type=int, default=7, help="datagen seed for --docs")
    ap.add_argument("--cpu-workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--gpu-workers", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path("/tmp/curate-gpu-bench"))
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--second-backend", default="cudf", help="pandas: rehearse the script on a CPU machine")
    ap.add_argument("--cpu-in-memory", action="store_true",
                    help="also time the in-memory dedup program on CPU (numpy, one process)")
    ap.add_argument("--also-same-as-cpu", action="store_true",
                    help="also run the second backend with curate.fuzzy.gpu_minhash=same_as_cpu")
    ap.add_argument("--second-in-memory", choices=["auto", "on", "off"], default="auto",
                    help="curate.dedup_in_memory of the second run (auto: on with one cuDF worker)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    corpus = _corpus(args)
    second = Backend(args.second_backend)
    skipped = probe_cudf() if second is Backend.cudf else ""
    if skipped:
        print(f"cuDF cannot run here ({skipped}): only the pandas (CPU) rows are measured", flush=True)
    cfg = CurateConfig(input=str(corpus / "crawl.jsonl"))
    with dask_client(ClusterConfig(n_workers=args.cpu_workers)):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        t0 = time.perf_counter()
        _, blocks, _ = engine.plan(cfg, args.cpu_workers)
        engine.annotate_phase(cfg, blocks, args.work)
        t_annotate = time.perf_counter() - t0
    import dask.dataframe as dd

    annotated = dd.read_parquet(args.work / "annotated")
    runs = {"cpu": _dedup(annotated, cfg, args.cpu_workers)}
    if args.cpu_in_memory:  # the same one-process program the GPU runs, on numpy: a second CPU baseline
        runs["cpu_mem"] = _dedup(annotated, dataclasses.replace(cfg, dedup_in_memory=True), 1)
    if not skipped:
        in_memory = {"auto": None, "on": True, "off": False}[args.second_in_memory]
        gpu_cfg = dataclasses.replace(cfg, backend=second, dedup_in_memory=in_memory)
        runs["gpu"] = _dedup(annotated, gpu_cfg, args.gpu_workers)
        if args.also_same_as_cpu:  # our MinHash on the GPU: the CPU's hash family
            same = dataclasses.replace(gpu_cfg, fuzzy=dataclasses.replace(gpu_cfg.fuzzy, gpu_minhash="same_as_cpu"))
            runs["gpu_same"] = _dedup(annotated, same, args.gpu_workers)

    n_alive = int((annotated["status"] == "alive").sum().compute())
    n_fuzzy_in = n_alive - len(runs["cpu"][0])
    removed = {name: dict(zip(r[1].removed["ord"], r[1].removed["kept"])) for name, r in runs.items()}
    if "cpu_mem" in runs:
        result_same = removed["cpu_mem"] == removed["cpu"] and runs["cpu_mem"][0].equals(runs["cpu"][0])
        print(f"CPU in-memory program gives the shuffled CPU path's removals: {result_same}", flush=True)
    result = {
        "gpu": _gpu_name(), "date": str(date.today()), "corpus": str(corpus), "documents_alive": n_alive,
        "annotate_s_cpu": round(t_annotate, 2), "cpu_workers": args.cpu_workers, "gpu_workers": args.gpu_workers,
        "second_backend": second.value, "second_backend_skipped": skipped or None,
        "timings": {name: r[2] for name, r in runs.items()},
        "exact_removed": {name: len(r[0]) for name, r in runs.items()},
        "fuzzy_removed": {name: len(f) for name, f in removed.items()},
        "candidate_pairs": {name: r[1].stats.get("candidate_pairs") for name, r in runs.items()},
        "fuzzy_split": {name: dict(zip(("lsh_s", "verify_s", "verify_device", "verified_pairs"), _split(r[1])))
                        for name, r in runs.items()},
        "fuzzy_stats": {name: r[1].stats for name, r in runs.items()},
    }
    for name in [n for n in ("gpu", "gpu_same") if n in runs]:
        cpu_f, gpu_f, tag = removed["cpu"], removed[name], name.removeprefix("gpu")
        result[f"exact_identical{tag}"] = runs["cpu"][0].to_dict("list") == runs[name][0].to_dict("list")
        result[f"fuzzy_only_cpu{tag}"] = len(set(cpu_f) - set(gpu_f))
        result[f"fuzzy_only_gpu{tag}"] = len(set(gpu_f) - set(cpu_f))
        result[f"fuzzy_identical{tag}"] = cpu_f == gpu_f
    gt_path = corpus / "ground_truth.jsonl"
    if gt_path.is_file():
        gt = pd.read_json(gt_path, lines=True, dtype=False).set_index("line")["category"]
        planted = int((gt == "near_dup").sum())
        for name, found in removed.items():
            lines = [o & ((1 << 40) - 1) for o in found]
            tp = int((gt.reindex(lines) == "near_dup").sum())
            p, r = tp / max(1, len(found)), tp / max(1, planted)
            result[f"near_dup_prf_{name}"] = [round(p, 4), round(r, 4), round(2 * p * r / max(1e-9, p + r), 4)]
    print(json.dumps(result, indent=1, default=float))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=float))
    _table(result, runs, args, n_alive, n_fuzzy_in)


def _table(result: dict, runs: dict, args, n_alive: int, n_fuzzy_in: int) -> None:
    label = {"cpu": ("pandas (CPU)", args.cpu_workers), "cpu_mem": ("pandas (CPU, in memory)", 1)}
    label["gpu"] = ("cuDF (GPU)" if result["second_backend"] == "cudf" else f"{result['second_backend']} (rehearsal)",
                    args.gpu_workers)
    label["gpu_same"] = (label["gpu"][0].replace(")", ", our MinHash)"), args.gpu_workers)
    print(f"\n{result['gpu']}, {date.today()}, {n_alive:,} documents after filters, "
          f"{n_fuzzy_in:,} into fuzzy dedup\n")
    print("| step | backend | processes | seconds | docs/s | speed-up |\n|---|---|---|---|---|---|")

    def seconds(name: str, step: str) -> float:
        timings, fuzzy = runs[name][2], runs[name][1]
        lsh, verify, _, _ = _split(fuzzy)
        return {"lsh": lsh, "verify": verify}.get(step, timings.get(step, 0.0))

    steps = (("exact dedup", "exact_dedup_s", n_alive), ("fuzzy dedup", "fuzzy_dedup_s", n_fuzzy_in),
             ("- fuzzy: LSH + candidate pairs", "lsh", n_fuzzy_in), ("- fuzzy: true Jaccard", "verify", n_fuzzy_in),
             ("exact + fuzzy", "total_s", n_alive))
    for step, key, n in steps:
        base = seconds("cpu", key)
        for name in runs:
            sec = seconds(name, key)
            where = ""
            if key == "verify":
                _, _, device, pairs = _split(runs[name][1])
                where = f" ({pairs:,} pairs on {device.upper()})"
            rate = f"{n / sec:,.0f}" if sec > 0 else "-"
            speed = f"{base / sec:.1f}x" if sec > 0 and base > 0 else "-"
            print(f"| {step}{where} | {label[name][0]} | {label[name][1]} | {sec:.2f} | {rate} | {speed} |")
    for name in runs:
        st, timings = runs[name][1].stats, runs[name][2]
        steps = {k.removeprefix("seconds_"): v for k, v in st.items() if k.startswith("seconds_")}
        steps = {"gather": round(timings.get("gather_s", 0.0), 3), "exact": round(timings["exact_dedup_s"], 3), **steps}
        print(f"\n{label[name][0]} steps (s, in_memory={st.get('in_memory')}): "
              + ", ".join(f"{k} {v}" for k, v in steps.items()))
    if result.get("second_backend_skipped"):
        print(f"\ncuDF rows skipped: {result['second_backend_skipped']}")


if __name__ == "__main__":
    main()

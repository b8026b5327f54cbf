"""Curation throughput and dedup quality against NeMo Curator 1.4 and datatrove, same files, one run.

    .venv/bin/python benchmarks/curate_bench.py [--corpus DIR] [--workers 2] [--peers /tmp/peers-venv]

DIR holds crawl.jsonl + ground_truth.jsonl from `python -m datagen corpus` (made on first use:
~50k lines, seed 7). Our engine runs on a Dask LocalCluster of --workers single-thread workers;
the peers run in their own venv (benchmarks/peers/setup.sh) with the same number of processes:
- filtering: our full per-document pass (normalise + language + 25 heuristic rules + PII) and the
  heuristic rules alone, against NeMo Curator's 20 heuristic filters (Gopher/C4 set, defaults)
  called directly in a process pool, on the exact documents our rules see;
- fuzzy dedup: our MinHash/LSH (defaults: word 3-grams, 60x3, true-Jaccard check) and the
  datatrove-like setting (word 5-grams, 14x8, estimate only), against datatrove's 4-stage MinHash
  (word 5-grams, 14x8), on the documents left after exact dedup; precision/recall against the
  planted near-duplicates. Prints Markdown tables (paste into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from curator import engine  # noqa: E402
from curator.config import CurateConfig, FilterConfig, FuzzyDedupConfig  # noqa: E402
from curator.dedup import fuzzy_duplicates  # noqa: E402
from curator.filters import build_filters, run_filters  # noqa: E402
from pipeline.dask_cluster import ClusterConfig, dask_client  # noqa: E402


def ensure_corpus(folder: Path, n_filler: int, seed: int) -> None:
    if (folder / "crawl.jsonl").is_file():
        return
    subprocess.run([sys.executable, "-m", "datagen", "corpus", "--out", str(folder), "--seed", str(seed),
                    "--n-filler", str(n_filler)], cwd=REPO, check=True)


def _filters_only(frame: pd.DataFrame) -> pd.DataFrame:
    from curator.hashing import arrow_strings

    failed = run_filters(arrow_strings(frame["text"]), build_filters(FilterConfig()))
    return pd.DataFrame({"ord": frame["ord"].to_numpy(), "failed": failed})


def prf(removed: set, relevant: set) -> tuple[float, float, float]:
    tp = len(removed & relevant)
    p = tp / len(removed) if removed else 1.0
    r = tp / len(relevant) if relevant else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run_peer(python: Path, *args: str) -> dict:
    proc = subprocess.run([str(python), str(REPO / "benchmarks" / "peers" / "run_peers.py"), *args],
                          capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"peer {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=REPO / "benchmarks" / ".data" / "c50k")
    ap.add_argument("--n-filler", type=int, default=32000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--peers", type=Path, default=Path("/tmp/peers-venv"))
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / ".data" / "work")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    ensure_corpus(args.corpus, args.n_filler, args.seed)
    gt = pd.read_json(args.corpus / "ground_truth.jsonl", lines=True, dtype=False)
    category = dict(zip(gt["line"], gt["category"]))
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    cfg = CurateConfig(input=str(args.corpus / "crawl.jsonl"))
    rows_filter, rows_dedup = [], []

    with dask_client(ClusterConfig(n_workers=args.workers)) as client:
        logging.getLogger("distributed").setLevel(logging.ERROR)
        files, blocks, _ = engine.plan(cfg, args.workers)
        # Warm the workers (imports, fastText model) on a small slice, outside every timing.
        warm = dataclasses.replace(cfg, input=str(work / "warm.jsonl"))
        (work / "warm.jsonl").write_bytes(b"".join(open(files[0], "rb").readlines()[:300]))
        engine.annotate_phase(warm, engine.plan(warm, args.workers)[1], work / "warm")
        (work / "warm" / "annotated.done.json").unlink()

        t0 = time.perf_counter()
        annotated, _ = engine.annotate_phase(cfg, blocks, work / "full")
        t_full = time.perf_counter() - t0
        (work / "full" / "annotated.done.json").unlink()  # never resume a benchmark
        n_lines = len(gt)
        rows_filter.append(("ours: read + normalise + language + 25 rules + PII", args.workers, n_lines, t_full))

        # The documents our heuristic rules see: valid, normalised, English.
        no_filters = dataclasses.replace(cfg, filters=dataclasses.replace(cfg.filters, enabled=False),
                                         pii=dataclasses.replace(cfg.pii, enabled=False),
                                         exact=cfg.exact, fuzzy=cfg.fuzzy)
        pre, _ = engine.annotate_phase(no_filters, blocks, work / "prefilter")
        (work / "prefilter" / "annotated.done.json").unlink()
        pre = pre[pre["status"] == "alive"][["ord", "text"]].persist()
        n_pre = int(pre.shape[0].compute())
        t0 = time.perf_counter()
        ours_failed = pre.map_partitions(_filters_only, meta={"ord": "int64", "failed": "int32"}).compute()
        t_rules = time.perf_counter() - t0
        rows_filter.append(("ours: 25 heuristic rules only", args.workers, n_pre, t_rules))
        docs_for_peers = work / "filter_input.jsonl"
        pre.compute()[["ord", "text"]].rename(columns={"ord": "id"}).to_json(docs_for_peers, orient="records",
                                                                               lines=True, force_ascii=False)

        # Dedup input: alive after filters, exact duplicates removed (same set for every method).
        alive = annotated[annotated["status"] == "alive"][["ord", "key", "n_words", "text", "id"]].persist()
        t0 = time.perf_counter()
        exact, rest = engine.exact_duplicates(alive[["ord", "key", "n_words", "text", "id"]])
        t_exact = time.perf_counter() - t0
        rest = rest.persist()
        rest_pd = rest.compute()
        line_of = rest_pd["ord"].to_numpy() & ((1 << 40) - 1)
        near = {o for o, ln in zip(rest_pd["ord"], line_of) if category.get(int(ln)) == "near_dup"}
        n_rest = len(rest_pd)
        rows_dedup.append(("ours: exact dedup (hash + shuffle)", n_rest + len(exact), t_exact, None))
        for label, fz in (("ours: fuzzy, defaults (word 3-grams, 60x3, true Jaccard >= 0.3)", FuzzyDedupConfig()),
                          ("ours: fuzzy, datatrove's setting (word 5-grams, 14x8, any shared bucket)",
                           FuzzyDedupConfig(ngram=5, bands=14, rows=8, verify=False, threshold=0.0))):
            t0 = time.perf_counter()
            result = fuzzy_duplicates(rest[["ord", "key", "n_words"]], fz, args.workers)
            seconds = time.perf_counter() - t0
            rows_dedup.append((label, n_rest, seconds, prf(set(result.removed["ord"]), near)))

        part_dir = work / "dedup_input"
        part_dir.mkdir(exist_ok=True)
        for old in part_dir.glob("*.jsonl"):
            old.unlink()
        for i, chunk in enumerate(np.array_split(np.arange(n_rest), args.workers)):
            rest_pd.iloc[chunk][["ord", "text"]].rename(columns={"ord": "id"}).to_json(
                part_dir / f"part{i}.jsonl", orient="records", lines=True, force_ascii=False)
        client.close()

    peer_python = args.peers / "bin" / "python"
    if peer_python.exists():
        nemo = run_peer(peer_python, "filters", str(docs_for_peers), "--workers", str(args.workers))
        rows_filter.append((f"NeMo Curator 1.4: {nemo['filters']} heuristic filters", args.workers, nemo["docs"],
                            nemo["seconds"]))
        dt = run_peer(peer_python, "minhash", str(part_dir), "--workers", str(args.workers), "--work", str(work / "dt"))
        removed = {int(i) for i in dt["removed_ids"]}
        rows_dedup.append((f"datatrove 0.10.1: {dt['peer'].split(': ')[-1]}", dt["docs"], dt["seconds"], prf(removed, near)))
        kept_ours = int((ours_failed["failed"] < 0).sum())
        print(f"\nkept by our rules {kept_ours} of {n_pre}; by NeMo Curator's {nemo['kept']} of {nemo['docs']}")
    else:
        print(f"\n(no peer venv at {args.peers}: run benchmarks/peers/setup.sh for the comparison rows)")

    print(f"\n{date.today()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{args.workers} workers; corpus {args.corpus} ({n_lines} lines)\n")
    print("| filtering | processes | documents | seconds | docs/s |\n|---|---|---|---|---|")
    for label, w, n, s in rows_filter:
        print(f"| {label} | {w} | {n:,} | {s:.1f} | {n / s:,.0f} |")
    print("\n| dedup | documents | seconds | docs/s | precision | recall | F1 |\n|---|---|---|---|---|---|---|")
    for label, n, s, q in rows_dedup:
        quality = " | ".join(f"{x:.3f}" for x in q) if q else "- | - | -"
        print(f"| {label} | {n:,} | {s:.1f} | {n / s:,.0f} | {quality} |")
    print(f"\n(near-duplicates planted among the {n_rest:,} fuzzy-dedup documents: {len(near):,})")


if __name__ == "__main__":
    main()

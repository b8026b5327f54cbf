"""CPU dedup speed (exact + fuzzy) of one checkout, on the alive documents of an annotated corpus.

    .venv/bin/python benchmarks/curate_dedup_speed.py --corpus DIR [--workers 2] [--repeat 3] [--out JSON]

Annotates DIR/crawl.jsonl once (checkpoint under --work, reused), then times ``engine.dedup_phase``
both ways (the Dask-shuffled path and the in-memory program) --repeat times on a LocalCluster of
--workers single-thread workers and prints the best time of each with the removal counts. Run it
with PYTHONPATH=<another checkout> to time that checkout on the same machine (the refactor
before/after comparison in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # a PYTHONPATH checkout given by the caller wins


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/curate-dedup-speed"))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import curator
    from curator import engine
    from curator.config import CurateConfig
    from pipeline.dask_cluster import ClusterConfig, dask_client

    cfg = CurateConfig(input=str(args.corpus / "crawl.jsonl"))
    rows = {}
    with dask_client(ClusterConfig(n_workers=args.workers)):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        _, blocks, _ = engine.plan(cfg, args.workers)
        annotated, _ = engine.annotate_phase(cfg, blocks, args.work)
        for in_memory in (False, True):
            run_cfg = dataclasses.replace(cfg, dedup_in_memory=in_memory)
            best, result = float("inf"), None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                exact, fuzzy, _ = engine.dedup_phase(annotated, run_cfg, args.workers)
                best = min(best, time.perf_counter() - t0)
                result = (len(exact), len(fuzzy.removed), int(fuzzy.stats.get("candidate_pairs", 0)))
            rows["in_memory" if in_memory else "shuffled"] = {
                "seconds": round(best, 2), "exact_removed": result[0], "fuzzy_removed": result[1],
                "candidate_pairs": result[2]}
    print(f"checkout {Path(curator.__file__).resolve().parent.parent}, {args.workers} workers, best of {args.repeat}")
    print("| dedup path | seconds | exact removed | fuzzy removed | candidate pairs |\n|---|---|---|---|---|")
    for name, r in rows.items():
        print(f"| {name} | {r['seconds']:.2f} | {r['exact_removed']} | {r['fuzzy_removed']} | {r['candidate_pairs']} |")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

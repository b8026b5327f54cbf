"""Near-duplicate removal on real text, ours beside datatrove, per Jaccard bucket; and how much clean
real text the language and quality rules remove.

    .venv/bin/python benchmarks/curate_realtext.py [--corpus DIR] [--workers 2] [--peers /tmp/peers-venv]
    .venv/bin/python benchmarks/curate_realtext.py --synthetic data/raw     # the same table on datagen's corpus

DIR is built by benchmarks/realtext_corpus.py on first use (default /tmp/curate-realtext/corpus):
real documents of this machine, planted near copies at known word 5-gram Jaccard, exact copies,
syndicated copies and sites whose distinct pages share long boilerplate. Both methods read the
same JSONL on --workers processes:
- ours: the curate engine (read, normalise, exact + fuzzy dedup, write; language, quality rules
  and PII off so every document reaches dedup) on a Dask LocalCluster, defaults, and the old
  setting (transitive closure, no boilerplate handling) for reference;
- datatrove 0.10.1's 4-stage MinHash (word 5-grams, 14 x 8), in the peer venv
  (benchmarks/peers/setup.sh).
Scoring is per family (an original and its copies: one member should stay): a removal is right
when its family keeps a member; a copy is found when it or its original is removed and the family
keeps a member. Precision is over all removals; recall and F1 per bucket of the planted pair's
Jaccard. Then the pool's clean documents go through language ID and the quality rules with the
defaults: the false-removal rate. Prints Markdown tables and writes --json.
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

BUCKETS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001]


def synthetic_corpus(raw: Path, out: Path) -> Path:
    """datagen's crawl in this benchmark's format: the documents a curated corpus keeps plus their
    planted copies (junk, other languages and malformed lines left out, as the filters would)."""
    out.mkdir(parents=True, exist_ok=True)
    gt = pd.read_json(raw / "ground_truth.jsonl", lines=True, dtype=False)
    lines = (raw / "crawl.jsonl").read_bytes().split(b"\n")
    line_of = dict(zip(gt["id"], gt["line"]))
    wanted = gt[gt["category"].isin(["filler", "manual", "pii", "near_dup", "exact_dup"])]
    with (out / "corpus.jsonl").open("wb") as corpus, (out / "ground_truth.jsonl").open("w") as truth:
        for k, row in enumerate(wanted.itertuples(), 1):
            record = json.loads(lines[row.line - 1])
            corpus.write(json.dumps({"id": row.id, "text": record["text"]}, ensure_ascii=False).encode() + b"\n")
            copy = row.category in ("near_dup", "exact_dup")
            family = line_of[row.duplicate_of] if copy else row.line
            truth.write(json.dumps({"line": k, "id": row.id, "category": row.category if copy else "plain",
                                    "family": int(family), "jaccard": row.jaccard if copy else None}) + "\n")
    return out


# --- running ----------------------------------------------------------------------------------

def run_ours(corpus: Path, work: Path, workers: int, label: str, **fuzzy) -> dict:
    from curator import engine
    from curator.config import CurateConfig, FilterConfig, FuzzyDedupConfig, LangIdConfig, PiiConfig
    from pipeline.dask_cluster import ClusterConfig, dask_client

    cfg = CurateConfig(input=str(corpus / "corpus.jsonl"), langid=LangIdConfig(enabled=False),
                       filters=FilterConfig(enabled=False), pii=PiiConfig(enabled=False),
                       fuzzy=FuzzyDedupConfig(**fuzzy))
    out = work / f"ours-{label}"
    with dask_client(ClusterConfig(n_workers=workers)):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        # Warm the workers (imports) on a small slice, outside the timing.
        warm = work / "warm.jsonl"
        warm.write_bytes(b"".join((corpus / "corpus.jsonl").open("rb").readlines()[:200]))
        engine.run(dataclasses.replace(cfg, input=str(warm)), work / "warm-out", work / "warm-work", workers)
        for folder in (out, work / f"work-{label}"):
            subprocess.run(["rm", "-rf", str(folder)], check=True)
        out.mkdir(parents=True)
        t0 = time.perf_counter()
        result = engine.run(cfg, out, work / f"work-{label}", workers)
        seconds = time.perf_counter() - t0
    d = result.decisions
    removed = set(d.loc[d["step"].isin(["exact_dedup", "fuzzy_dedup"]), "id"])
    t = result.metrics["timings_s"]
    kept = pd.read_parquet(out / "shards", columns=["id", "text"])
    given = pd.read_json(corpus / "corpus.jsonl", lines=True, dtype=False).set_index("id")["text"]
    changed = kept["text"].to_numpy() != given.reindex(kept["id"]).to_numpy()
    fidelity = {"kept": len(kept), "changed": int(changed.sum()),
                "characters_in": int(given.reindex(kept["id"]).str.len().sum()),
                "characters_out": int(kept["text"].str.len().sum()), "normalize": result.metrics.get("normalize")}
    return {"method": f"ours: {label}", "docs": len(d), "seconds": round(seconds, 2),
            "dedup_seconds": round(t["exact_dedup_s"] + t["fuzzy_dedup_s"], 2), "removed_ids": removed,
            "fidelity": fidelity,
            "stats": {k: v for k, v in result.fuzzy.stats.items() if not k.startswith("seconds")}}


def run_datatrove(corpus: Path, work: Path, workers: int, peers: Path) -> dict | None:
    python = peers / "bin" / "python"
    if not python.exists():
        print(f"(no peer venv at {peers}: run benchmarks/peers/setup.sh for the datatrove row)")
        return None
    parts = work / "datatrove-input"
    parts.mkdir(parents=True, exist_ok=True)
    for old in parts.glob("*.jsonl"):
        old.unlink()
    lines = (corpus / "corpus.jsonl").read_bytes().splitlines(keepends=True)
    for i, chunk in enumerate(np.array_split(np.arange(len(lines)), workers)):
        (parts / f"part{i}.jsonl").write_bytes(b"".join(lines[j] for j in chunk))
    proc = subprocess.run([str(python), str(REPO / "benchmarks" / "peers" / "run_peers.py"), "minhash", str(parts),
                           "--workers", str(workers), "--work", str(work / "datatrove")],
                          capture_output=True, text=True, timeout=7200)
    if proc.returncode != 0:
        raise RuntimeError(f"datatrove failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"method": "datatrove 0.10.1 MinHash (word 5-grams, 14x8)", "docs": out["docs"],
            "seconds": out["seconds"], "dedup_seconds": out["seconds"], "removed_ids": set(out["removed_ids"])}


# --- scoring ----------------------------------------------------------------------------------

def score(gt: pd.DataFrame, removed: set) -> dict:
    gt = gt.assign(removed=gt["id"].isin(removed))
    families = gt.groupby("family")
    size = families["id"].transform("size")
    removed_rows = gt[gt["removed"]]
    # A family with k members has k-1 right removals when one member stays, k-1 of k when none does.
    per_family = gt[gt["removed"]].groupby("family").size()
    fam_size = families.size()
    fam_kept = families["removed"].apply(lambda r: int((~r).sum()))
    right = int(sum(min(n, fam_size[f] - 1) for f, n in per_family.items()))
    wrong = len(removed_rows) - right
    precision = right / len(removed_rows) if len(removed_rows) else 1.0
    original = gt[gt["category"].isin(["plain", "site_page", "manual", "filler", "pii"])].set_index("family")["removed"]
    copies = gt[gt["category"].isin(["near_dup", "exact_dup", "syndicated"])].copy()
    orig_removed = copies["family"].map(original).fillna(False).astype(bool)
    found = (copies["removed"] | orig_removed) & copies["family"].map(fam_kept).gt(0)
    copies = copies.assign(found=found)
    out = {"removed": len(removed_rows), "right": right, "wrong": wrong, "precision": round(precision, 4),
           "families_lost": int(((fam_kept == 0) & (fam_size > 1)).sum())}
    fp = removed_rows[(size[removed_rows.index] == 1)]
    out["false_removals_by_category"] = {k: int(v) for k, v in fp["category"].value_counts().items()}
    near = copies[copies["category"].isin(["near_dup", "syndicated"])]
    buckets = pd.cut(near["jaccard"].astype(float), BUCKETS, right=False)
    out["recall_by_bucket"] = {}
    for interval, group in near.groupby(buckets, observed=True):
        r = float(group["found"].mean())
        f1 = 2 * precision * r / (precision + r) if precision + r else 0.0
        out["recall_by_bucket"][f"{interval.left:.1f}-{min(interval.right, 1.0):.1f}"] = {
            "n": int(len(group)), "recall": round(r, 4), "f1": round(f1, 4)}
    high = near[near["jaccard"].astype(float) >= 0.6]
    out["recall_j_ge_0.6"] = round(float(high["found"].mean()), 4) if len(high) else None
    ex = copies[copies["category"] == "exact_dup"]
    out["recall_exact"] = round(float(ex["found"].mean()), 4) if len(ex) else None
    synd = copies[copies["category"] == "syndicated"]
    out["recall_syndicated"] = round(float(synd["found"].mean()), 4) if len(synd) else None
    return out


# --- clean text through language ID and the quality rules -----------------------------------

def clean_text_removals(pool: Path, work: Path, workers: int) -> dict:
    from curator import engine
    from curator.config import CurateConfig, ExactDedupConfig, FuzzyDedupConfig, PiiConfig
    from pipeline.dask_cluster import ClusterConfig, dask_client

    cfg = CurateConfig(input=str(pool), pii=PiiConfig(enabled=False), exact=ExactDedupConfig(enabled=False),
                       fuzzy=FuzzyDedupConfig(enabled=False))
    out = work / "clean-out"
    subprocess.run(["rm", "-rf", str(out), str(work / "clean-work")], check=True)
    out.mkdir(parents=True)
    with dask_client(ClusterConfig(n_workers=workers)):
        logging.getLogger("distributed").setLevel(logging.ERROR)
        result = engine.run(cfg, out, work / "clean-work", workers)
    d = result.decisions
    sources = pd.read_json(pool, lines=True)[["id", "source"]]
    d = d.merge(sources, on="id", how="left")
    removed = d[d["status"] != "alive"]
    return {"documents": len(d), "removed": len(removed), "rate": round(len(removed) / max(1, len(d)), 4),
            "by_step": {k: int(v) for k, v in removed["step"].value_counts().items()},
            "by_reason": {k: int(v) for k, v in removed["reason"].str.split(" ").str[0].value_counts().head(12).items()},
            "rate_by_source": {s: round(float((g["status"] != "alive").mean()), 4) for s, g in d.groupby("source")}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("/tmp/curate-realtext/corpus"))
    ap.add_argument("--synthetic", type=Path, help="datagen corpus folder (crawl.jsonl + ground_truth.jsonl)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--peers", type=Path, default=Path("/tmp/peers-venv"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/curate-realtext/work"))
    ap.add_argument("--no-reference", action="store_true", help="skip the old-setting row")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.synthetic:
        corpus = synthetic_corpus(args.synthetic, args.work / "synthetic")
    else:
        corpus = args.corpus
        if not (corpus / "card.json").is_file():
            subprocess.run([sys.executable, str(REPO / "benchmarks" / "realtext_corpus.py"), "--out", str(corpus)],
                           check=True)
    gt = pd.read_json(corpus / "ground_truth.jsonl", lines=True, dtype=False)
    runs = [run_ours(corpus, args.work, args.workers, "defaults")]
    if not args.no_reference:
        runs.append(run_ours(corpus, args.work, args.workers, "transitive closure, no boilerplate handling",
                             clustering="components", boilerplate_min_docs=0))
    peer = run_datatrove(corpus, args.work, args.workers, args.peers)
    if peer:
        runs.append(peer)
    results = []
    for run in runs:
        s = score(gt, run.pop("removed_ids"))
        results.append({**run, **s, "docs_per_s": round(run["docs"] / run["seconds"], 1)})
    clean = clean_text_removals(corpus / "pool.jsonl", args.work, args.workers) \
        if (corpus / "pool.jsonl").is_file() else None

    print(f"\n{date.today()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared), "
          f"{args.workers} workers; corpus {corpus} ({len(gt):,} documents)\n")
    labels = list(results[0]["recall_by_bucket"])
    print("| method | docs/s | precision | wrong removals | families lost | recall J>=0.6 | "
          + " | ".join(f"R {b}" for b in labels) + " |")
    print("|---" * (6 + len(labels)) + "|")
    for r in results:
        cells = " | ".join(f"{r['recall_by_bucket'].get(b, {}).get('recall', float('nan')):.3f}" for b in labels)
        print(f"| {r['method']} | {r['docs_per_s']:,.0f} | {r['precision']:.4f} | {r['wrong']} | {r['families_lost']} | "
              f"{r['recall_j_ge_0.6']:.3f} | {cells} |")
    print("\nF1 per bucket (precision over all removals):\n")
    print("| method | " + " | ".join(labels) + " |\n" + "|---" * (1 + len(labels)) + "|")
    for r in results:
        print(f"| {r['method']} | " + " | ".join(f"{r['recall_by_bucket'].get(b, {}).get('f1', float('nan')):.3f}"
                                                for b in labels) + " |")
    for r in results:
        if r.get("fidelity"):
            f = r["fidelity"]
            print(f"\n{r['method']}: text fidelity: {f['changed']} of {f['kept']} kept documents changed, "
                  f"{f['characters_in'] - f['characters_out']} of {f['characters_in']:,} characters removed "
                  f"(normalisation: {f['normalize']})")
        print(f"\n{r['method']}: {r['removed']} removed in {r['seconds']} s (dedup {r['dedup_seconds']} s); exact copies "
              f"found {r['recall_exact']}, syndicated {r['recall_syndicated']}; wrong removals of documents without "
              f"copies by category {r['false_removals_by_category']}")
    if clean:
        print(f"\nClean real text through language ID + quality rules (defaults): {clean['removed']} of "
              f"{clean['documents']} removed ({100 * clean['rate']:.2f}%); by step {clean['by_step']}; by reason "
              f"{clean['by_reason']}; rate by source {clean['rate_by_source']}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "clean_text": clean}, indent=1, default=str))


if __name__ == "__main__":
    main()

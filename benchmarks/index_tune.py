"""Retrieval-quality sweeps behind the index stage's defaults (docs/rag.md), on dev question sets.

Each variant is a comma-separated list of settings; variants are separated by ";":
words, overlap, maxb (chunking), ctx=0 (embed the chunk without its heading path), toc=0 (no
chapter titles), fusion=score|rrf, lw (BM25 weight in the fusion), rrfk, mps (max hits per
section), nq=0 (no query normalisation, rag/query.py).

    python benchmarks/index_tune.py --shards artifacts/curate/<key>/shards \\
        "words=120;words=120,ctx=0;words=120,mps=1,lw=0.5" \\
        data/retrieval/paraphrased.jsonl data/instructions/train.jsonl

``--manual`` instead of ``--shards`` reads data/manual as the crawl holds it (one page per section:
the same 460 chunks as the stage on the curated crawl, no curate run needed).

Tune on the paraphrased set and the train split; score the eval split only at the end.
Embeddings are cached in --cache, so variants that share chunk texts are cheap.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    from rag import corpus
    from rag.config import ChunkConfig, SearchConfig, SelectConfig
    from rag.evaluate import evaluate, load_questions
    from rag.retriever import Retriever, shared_embedder

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", help="a curate artifact's shards folder")
    parser.add_argument("--manual", action="store_true",
                        help="instead of --shards: data/manual as crawled, one document per section page")
    parser.add_argument("--cache", default=str(REPO / "artifacts" / ".cache" / "embeddings"))
    parser.add_argument("variants")
    parser.add_argument("question_sets", nargs="+")
    args = parser.parse_args()

    if args.manual:
        from tests.support.index import manual_pages

        docs = [corpus.Document(i, url, text, "", "manual", n)
                for n, (i, url, text) in enumerate(manual_pages(None, chapters=None))]
    elif args.shards:
        docs, _ = corpus.read_shards(Path(args.shards), SelectConfig())
    else:
        parser.error("--shards or --manual is required")
    toc = corpus.read_toc(REPO / "data" / "manual")
    embedder = shared_embedder()
    sets = [load_questions(p) for p in args.question_sets]
    for spec in args.variants.split(";"):
        kw = dict(kv.split("=") for kv in spec.split(",") if kv)
        chunking = ChunkConfig(words=int(kw.get("words", 120)), overlap_words=int(kw.get("overlap", 30)),
                               max_block_words=int(kw.get("maxb", 180)))
        rows = corpus.chunk_documents(docs, chunking, toc if kw.get("toc", "1") == "1" else {})
        if kw.get("ctx", "1") == "0":
            for row in rows:
                row["context"] = ""
        search = SearchConfig(fusion=kw.get("fusion", "score"), lexical_weight=float(kw.get("lw", 0.2)),
                              normalise_query=kw.get("nq", "1") == "1", rrf_k=int(kw.get("rrfk", 60)),
                              max_per_section=int(kw.get("mps", 0)))
        start = time.perf_counter()
        with embedder.caching(args.cache):
            retriever = Retriever.from_rows(rows, embedder, search)
        out = [spec, f"chunks={len(rows)}", f"build={time.perf_counter() - start:.0f}s"]
        for qs in sets:
            for mode, (metrics, _) in evaluate(retriever, qs, 5).items():
                out.append(f"{qs.name}/{mode} r1={metrics['recall@1']:.3f} r5={metrics['recall@5']:.3f} "
                           f"mrr={metrics['mrr@10']:.3f}")
        print(" | ".join(out), flush=True)


if __name__ == "__main__":
    main()

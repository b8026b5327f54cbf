"""Index structure and retrieval on a user's own manual folder, in whatever formats it came in.

One document per file (``.md``, ``.txt``, ``.html``, ``.htm``), as a crawl of the manual would hold
them, chunked by the index stage's logic (rag.corpus.chunk_documents, default chunking, no table of
contents) and searched with the stage's real Retriever (default hybrid search). A QA set's gold is
``section_id`` or, for unnumbered sections, ``section_title`` matched as the assistant's citation
check does (guardrails.evaluate.cites: the title's words inside "<id> <title>" of a hit).

    OMP_NUM_THREADS=1 python benchmarks/manual_formats.py data/manual_c data/manual_c_eval/qa.jsonl
    OMP_NUM_THREADS=1 python benchmarks/manual_formats.py data/manual_b data/manual_b_eval/qa.jsonl

Prints aggregates only (the QA sets are held out): documents, sections, chunks, recall@1 / @5.
``--sections`` lists the parsed section labels (the manual's structure, not the QA items).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
SUFFIXES = (".md", ".txt", ".html", ".htm")


def documents(folder: Path, site: str):
    from rag.corpus import Document

    files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES)
    return [Document(p.stem, site + p.stem, p.read_text(encoding="utf-8"), "", folder.name, n)
            for n, p in enumerate(files)]


def found(hit, section_id: str, title: str, chapter_ok: bool = False) -> bool:
    if section_id:
        return hit.section_id == section_id
    if chapter_ok and title and title.lower() == hit.chapter.lower():
        return True
    return bool(title) and title.lower() in f"{hit.section_id} {hit.section_title}".lower()


def main() -> None:
    from rag.config import ChunkConfig
    from rag.corpus import chunk_documents
    from rag.retriever import Retriever, shared_embedder

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("manual", type=Path)
    parser.add_argument("qa", type=Path, nargs="?")
    parser.add_argument("--site", default="https://manuals.example/")
    parser.add_argument("--sections", action="store_true", help="print the parsed section labels")
    parser.add_argument("--chapter-ok", action="store_true",
                        help="a gold title also matches a hit's chapter (gold written for a document that was one "
                             "section and is now split into sections, e.g. the Tavi's 'Emergencies')")
    parser.add_argument("--json", help="write the metrics here")
    args = parser.parse_args()

    docs = documents(args.manual, args.site)
    rows = chunk_documents(docs, ChunkConfig(), {})
    sections = {(r["doc_id"], r["chapter"], r["section_id"], r["section_title"]): None for r in rows}
    metrics = {"documents": len(docs), "sections": len(sections), "chunks": len(rows),
               "words": sum(r["words"] for r in rows)}
    if args.sections:
        for doc_id, chapter, sid, title in sections:
            print(f"  {doc_id:32s} {chapter[:24]:24s} {sid:6s} {title}")
    if args.qa:
        cache = os.environ.get("RAG_BENCH_CACHE", str(Path(tempfile.gettempdir()) / "rag-bench-cache"))
        embedder = shared_embedder()
        with embedder.caching(cache):
            retriever = Retriever.from_rows(rows, embedder)
        gold = [json.loads(line) for line in args.qa.read_text(encoding="utf-8").splitlines() if line.strip()]
        hits = retriever.search_batch([g["question"] for g in gold], k=5)
        ranks = [next((i for i, h in enumerate(hs) if found(h, g["section_id"], g.get("section_title", ""), args.chapter_ok)), None)
                 for g, hs in zip(gold, hits)]
        metrics["qa"] = {"n": len(gold), "recall@1": round(sum(r == 0 for r in ranks) / len(gold), 3),
                         "recall@5": round(sum(r is not None for r in ranks) / len(gold), 3)}
    print(json.dumps(metrics))
    if args.json:
        Path(args.json).write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()

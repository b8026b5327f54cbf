"""The second manual (data/manual_b, the fictional "Aster Tavi Hybrid"), as a user would bring it.

One document per file, as a crawl of the manual's site would hold them: whole chapters with
``# Chapter 3 - ...`` / ``# 2 Seats`` headings, unnumbered ``##`` and ``## 4-1 ...`` sections, and
plain-text pages without any heading (titled by their URL: "tyres-and-wheels" -> "Tyres and wheels").
No table of contents is given (``index.toc=""``): the manual brings its own chapter headings.
"""

from __future__ import annotations

from pathlib import Path

from tests.support import REPO

MANUAL_B = REPO / "data" / "manual_b"
EVAL_B = REPO / "data" / "manual_b_eval"
SITE_B = "https://manuals.aster-motors.example/tavi/"


def documents(folder: Path = MANUAL_B):
    from rag.corpus import Document

    files = sorted(p for p in folder.iterdir() if p.suffix in (".md", ".txt"))
    return [Document(f"tavi-{p.stem}", SITE_B + p.stem, p.read_text(encoding="utf-8"), "", "manual_b", n)
            for n, p in enumerate(files)]


def rows(folder: Path = MANUAL_B) -> list[dict]:
    """The index stage's chunk rows of the manual (rag.corpus.chunk_documents, default chunking)."""
    from rag.config import ChunkConfig
    from rag.corpus import chunk_documents

    return chunk_documents(documents(folder), ChunkConfig(), {})


def retriever(cache_dir: str = ""):
    """The index stage's real Retriever (in memory, default search settings) over the manual."""
    from rag.retriever import Retriever, shared_embedder

    embedder = shared_embedder()
    with embedder.caching(cache_dir):
        return Retriever.from_rows(rows(), embedder)

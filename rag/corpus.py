"""From curated shards to a chunk table with provenance.

Selection: the curated crawl holds the manual's pages among other web documents. A document is
indexed when its URL starts with one of ``select.url_prefixes`` ([] = every document), which
works on any corpus whose sources are known by site or path. Labels come from the text itself:
markdown-like headings give chapter / section ids and titles (rag/structure.py); a document
without headings becomes one section titled by its title column, its URL's last path segment or
its id. Chapter titles missing from a page come from chapter headings elsewhere in the selected
documents or from an optional table of contents (``toc``: markdown files with "# N Title").

Every chunk row names its curated shard file and row, the curated document id and URL, so a
hit can be followed back to the raw crawl (rag/trace.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from rag.chunking import chunk_section
from rag.config import ChunkConfig, SelectConfig
from rag.structure import chapter_titles, parse_document

CHUNK_COLUMNS = (
    "chunk_id", "doc_id", "url", "shard", "row", "chapter_id", "chapter", "section_id", "section_title",
    "subsection", "position", "words", "overlap_words", "text", "context", "content_hash",
)


class CorpusError(Exception):
    """The curated input cannot be read (missing shards, missing columns)."""


@dataclass(frozen=True)
class Document:
    doc_id: str
    url: str
    text: str
    title: str = ""
    shard: str = ""  # shard file name relative to the shards folder
    row: int = -1  # row within that shard


@dataclass
class ReadStats:
    rows: int = 0
    selected: int = 0
    not_selected: int = 0
    quarantined: list[dict] = field(default_factory=list)  # {"file", "row", "id", "reason"}


def read_shards(folder: Path, select: SelectConfig) -> tuple[list[Document], ReadStats]:
    """Selected documents of every Parquet shard under ``folder`` in file order."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    files = sorted(folder.rglob("*.parquet")) if folder.is_dir() else [folder] if folder.is_file() else []
    if not files:
        raise CorpusError(f"no Parquet shards in {folder}")
    stats, docs = ReadStats(), []
    for path in files:
        schema = pq.read_schema(path)
        missing = [c for c in ("id", "text") if c not in schema.names]
        if missing:
            raise CorpusError(f"{path}: curated shard lacks column(s) {', '.join(missing)}; has {', '.join(schema.names)}")
        columns = [c for c in ("id", "url", "text", select.title_field) if c and c in schema.names]
        table = pq.read_table(path, columns=columns).to_pydict()
        name = str(path.relative_to(folder)) if folder.is_dir() else path.name
        for row in range(len(table["id"])):
            stats.rows += 1
            doc_id, text = table["id"][row], table["text"][row]
            url = (table.get("url") or [None] * (row + 1))[row] or ""
            if doc_id is None or not isinstance(text, str) or not text.strip():
                reason = "missing id" if doc_id is None else "empty or missing text"
                stats.quarantined.append({"file": name, "row": row, "id": doc_id, "reason": reason})
                continue
            if select.url_prefixes and not url.startswith(tuple(select.url_prefixes)):
                stats.not_selected += 1
                continue
            title = (table.get(select.title_field) or [None] * (row + 1))[row] if select.title_field else None
            docs.append(Document(str(doc_id), url, text, title or "", name, row))
            stats.selected += 1
    return docs, stats


def read_toc(path: str | Path) -> dict[str, str]:
    """Chapter number -> title from "# N Title" lines of a markdown file or a folder of them."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.rglob("*.md"))
    elif path.is_file():
        files = [path]
    else:
        raise CorpusError(f"index.toc: {path} does not exist")
    found: dict[str, str] = {}
    for file in files:
        found.update(chapter_titles(file.read_text(encoding="utf-8", errors="replace")))
    return found


def fallback_title(doc: Document) -> str:
    """A title for a document without headings: its title column, URL slug, or id."""
    if doc.title.strip():
        return doc.title.split(" | ")[0].strip()
    if doc.url:
        # The last path segment that reads as words: forum URLs end in a numeric post id
        # (/t/is-an-energy-monitor-worth-it/615).
        for segment in reversed(unquote(urlparse(doc.url).path).strip("/").split("/")):
            words = re.sub(r"[-_+]+", " ", re.sub(r"\.\w{2,5}$", "", segment)).strip()
            if len(re.findall(r"[A-Za-z]", words)) >= 3:
                return words[:1].upper() + words[1:]
    return doc.doc_id


def context_line(chapter: str, section_id: str, section_title: str, subsection: str) -> str:
    """The heading path embedded with a chunk ("Driving > 6.2 Gear selector > Automatic P")."""
    section = " ".join(p for p in (section_id, section_title) if p)
    return " > ".join(p for p in (chapter, section, subsection) if p)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def chunk_documents(docs: Iterable[Document], cfg: ChunkConfig, chapters: dict[str, str] | None = None) -> list[dict]:
    """One row per chunk (CHUNK_COLUMNS), in document order."""
    docs = list(docs)
    known = dict(chapters or {})
    for doc in docs:  # chapter headings anywhere in the corpus name the chapters of other pages
        for number, title in chapter_titles(doc.text).items():
            known.setdefault(number, title)
    rows: list[dict] = []
    seen: set[str] = set()
    for doc in docs:
        title = fallback_title(doc)
        ordinal = 0
        # Curated ids are unique; a user's own shards may repeat one: keep chunk ids unique.
        key = doc.doc_id if doc.doc_id not in seen else f"{doc.doc_id}@{doc.shard}:{doc.row}"
        seen.add(doc.doc_id)
        for section in parse_document(doc.text, title, known):
            section_title = section.title or section.chapter or title
            for chunk in chunk_section(section, cfg):
                context = context_line(section.chapter, section.section_id, section_title, chunk.subsection)
                rows.append({
                    "chunk_id": f"{key}#{ordinal}", "doc_id": doc.doc_id, "url": doc.url,
                    "shard": doc.shard, "row": doc.row, "chapter_id": section.chapter_id,
                    "chapter": section.chapter, "section_id": section.section_id,
                    "section_title": section_title, "subsection": chunk.subsection,
                    "position": chunk.position, "words": chunk.words, "overlap_words": chunk.overlap_words,
                    "text": chunk.text, "context": context,
                    "content_hash": content_hash(embed_text(context, chunk.text)),
                })
                ordinal += 1
    return rows


def embed_text(context: str, text: str) -> str:
    """What the embedder reads: the heading path, then the chunk (titles carry the topic)."""
    return f"{context}\n{text}" if context else text

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

Rows that cannot be indexed are quarantined with their file, row, id and reason, never dropped
without a record: no id, empty text, binary content (NUL bytes), text that is mostly control
characters / invalid-UTF-8 replacement characters (``garbage_reason``), and selected pages that
have headings but no body text (``chunk_documents``). A file among the shards that is not a
readable Parquet file fails the stage in one line naming it.
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
from rag.formats import readable_text, vocabulary
from rag.structure import chapter_titles, parse_document

CHUNK_COLUMNS = (
    "chunk_id", "doc_id", "url", "shard", "row", "chapter_id", "chapter", "section_id", "section_title",
    "subsection", "position", "words", "overlap_words", "text", "context", "content_hash",
)


class CorpusError(Exception):
    """The curated input cannot be read (missing shards, missing columns, a file that is not Parquet)."""


# Reasons a row is quarantined (the quarantine file's "reason"; counted per reason in the metrics).
MISSING_ID, EMPTY, BINARY, GARBAGE, HEADINGS_ONLY, NO_CONTENT = (
    "missing id", "empty or missing text", "binary (NUL bytes)", "garbage (mostly non-printable or invalid UTF-8)",
    "no body text (headings only)", "no content (an HTML page of navigation, scripts and footers only)")
# Control characters other than whitespace, U+FFFD (what a decoder writes for invalid UTF-8),
# private-use characters and lone surrogates: none belongs in readable text.
_UNPRINTABLE = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\ud800-\udfff]")
# More than this share of a row's non-space characters unprintable: not text. A page of real text
# with a few mis-decoded characters (Windows-1252 bytes read as UTF-8: "caf\ufffd") stays far below.
GARBAGE_SHARE = 0.1
_SPACE = re.compile("[ \t\n\r\f\v]")


def garbage_reason(text: str) -> tuple[str, str] | None:
    """(reason, detail) when ``text`` is binary or garbage rather than text, else None."""
    if "\x00" in text:
        return BINARY, f"{text.count(chr(0))} NUL characters"
    bad = len(_UNPRINTABLE.findall(text))
    if not bad:
        return None
    visible = len(text) - len(_SPACE.findall(text))
    if bad > GARBAGE_SHARE * max(visible, 1):
        return GARBAGE, f"{bad} of {visible} characters non-printable or U+FFFD"
    return None


def _shard_files(folder: Path) -> list[Path]:
    """The Parquet files under ``folder``; any other visible file is an error naming it (a .txt
    copied in, a download saved under the wrong name). Hidden and ``_``-prefixed files are the
    sidecars writers leave (_SUCCESS, _metadata, .crc) and are skipped."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part.startswith((".", "_")) for part in path.relative_to(folder).parts):
            continue
        if path.suffix != ".parquet":
            raise CorpusError(f"{path}: not a Parquet shard (the index reads only *.parquet files); "
                              "remove it or convert it")
        files.append(path)
    return files


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
    decoded_cp1252: int = 0  # rows of a binary text column that were not UTF-8
    quarantined: list[dict] = field(default_factory=list)  # {"file", "row", "id", "reason"}


def read_shards(folder: Path, select: SelectConfig) -> tuple[list[Document], ReadStats]:
    """Selected documents of every Parquet shard under ``folder`` in file order."""
    import pyarrow.parquet as pq

    folder = Path(folder)
    import pyarrow as pa

    folder = Path(folder)
    files = _shard_files(folder)
    if not files:
        raise CorpusError(f"no Parquet shards in {folder}")
    stats, docs = ReadStats(), []
    for path in files:
        try:
            schema = pq.read_schema(path)
        except (pa.ArrowException, OSError) as err:  # truncated, or another format named .parquet
            raise CorpusError(f"{path}: not a readable Parquet file ({_first_line(err)})") from None
        missing = [c for c in ("id", "text") if c not in schema.names]
        if missing:
            raise CorpusError(f"{path}: curated shard lacks column(s) {', '.join(missing)}; has {', '.join(schema.names)}")
        columns = [c for c in ("id", "url", "text", select.title_field) if c and c in schema.names]
        try:
            arrow = pq.read_table(path, columns=columns)
        except (pa.ArrowException, OSError) as err:  # a valid footer over damaged pages
            raise CorpusError(f"{path}: not a readable Parquet file ({_first_line(err)})") from None
        table = {name: _pylist(arrow.column(name)) for name in arrow.column_names}
        name = str(path.relative_to(folder)) if folder.is_dir() else path.name
        for row in range(len(table["id"])):
            stats.rows += 1
            doc_id, text = table["id"][row], table["text"][row]
            url = (table.get("url") or [None] * (row + 1))[row] or ""
            doc_id, url = (v.decode("utf-8", errors="replace") if isinstance(v, bytes) else v for v in (doc_id, url))
            if isinstance(text, bytes):  # a binary text column (a user's own shards)
                try:
                    text = text.decode("utf-8")
                except UnicodeDecodeError:
                    # Not UTF-8: most often a legacy Windows-1252 page (curly quotes, dashes, accents),
                    # which defines all but 5 byte values; counted, and judged below like any text.
                    text = text.decode("cp1252", errors="replace")
                    stats.decoded_cp1252 += 1
            problem = ((MISSING_ID, "") if doc_id is None else (EMPTY, "") if not isinstance(text, str) or not text.strip()
                       else garbage_reason(text))
            if problem:
                stats.quarantined.append({"file": name, "row": row, "id": doc_id, "reason": problem[0],
                                          **({"detail": problem[1]} if problem[1] else {})})
                continue
            if select.url_prefixes and not url.startswith(tuple(select.url_prefixes)):
                stats.not_selected += 1
                continue
            title = (table.get(select.title_field) or [None] * (row + 1))[row] if select.title_field else None
            title = title.decode("utf-8", errors="replace") if isinstance(title, bytes) else title
            docs.append(Document(str(doc_id), url, text, title or "", name, row))
            stats.selected += 1
    return docs, stats


def _pylist(column) -> list:
    """A column as Python values; a string column holding bytes that are not UTF-8 (written by a
    tool that does not validate) comes back as bytes, which ``read_shards`` decodes row by row."""
    import pyarrow as pa

    try:
        return column.to_pylist()
    except UnicodeDecodeError:
        return column.cast(pa.binary()).to_pylist()


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def reason_counts(quarantined: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in quarantined:
        counts[record["reason"]] = counts.get(record["reason"], 0) + 1
    return dict(sorted(counts.items()))


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


def chunk_documents(docs: Iterable[Document], cfg: ChunkConfig, chapters: dict[str, str] | None = None,
                    quarantine: list[dict] | None = None) -> list[dict]:
    """One row per chunk (CHUNK_COLUMNS), in document order. A document that gives no chunk (only
    headings, no body text) is recorded in ``quarantine`` when a list is passed."""
    # HTML pages and plain text (PDF extracts, setext markdown) as markdown-like text; markdown with
    # "#" headings is unchanged (rag/formats.py).
    docs = list(docs)
    texts = {id(doc): readable_text(doc.text, fallback_title(doc), vocabulary()) for doc in docs}
    # Chapter headings anywhere in the corpus name the chapters of its other pages, and win over
    # the table of contents: a user's own manual keeps its own titles when ``index.toc`` still
    # names another manual (the default toc is the embedded EV7's, whose pages carry no chapter headings).
    known: dict[str, str] = {}
    for doc in docs:
        for number, title in chapter_titles(texts[id(doc)]).items():
            known.setdefault(number, title)
    known = {**dict(chapters or {}), **known}
    rows: list[dict] = []
    seen: set[str] = set()
    for doc in docs:
        title = fallback_title(doc)
        ordinal = 0
        # Curated ids are unique; a user's own shards may repeat one: keep chunk ids unique.
        key = doc.doc_id if doc.doc_id not in seen else f"{doc.doc_id}@{doc.shard}:{doc.row}"
        seen.add(doc.doc_id)
        first = len(rows)
        for section in parse_document(texts[id(doc)], title, known):
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
        if len(rows) == first and quarantine is not None:
            reason = HEADINGS_ONLY if texts[id(doc)].strip() else NO_CONTENT
            quarantine.append({"file": doc.shard, "row": doc.row, "id": doc.doc_id, "reason": reason})
    return rows


def embed_text(context: str, text: str) -> str:
    """What the embedder reads: the heading path, then the chunk (titles carry the topic)."""
    return f"{context}\n{text}" if context else text

"""Plain-text input (.txt, .text, .md, .markdown): a raw corpus that is not JSONL or Parquet.

``curate.read.text_unit`` says what one document is:

- ``file`` (default): each file, whole (a web page, an article, a manual section saved as text).
  Small files are grouped into one block of about ``blocksize`` bytes, so a folder of 100,000
  notes is not 100,000 partitions.
- ``paragraph``: each run of non-blank lines (a book, a long dump); blocks are cut at blank lines.
- ``line``: each non-blank line (one document per line, the usual shape of text dumps).

Blank lines separate records here; they are not records, so they are neither documents nor
quarantine rows. Everything else is: a record whose bytes are not UTF-8, or an empty file, is
quarantined with its file, line and reason. Ids are the file's path relative to the input's
common folder, plus ":line" for paragraph and line records, so they are unique and readable; the URL
is "file:" and that path.
"""

from __future__ import annotations

import mmap
import os
import re
from pathlib import Path

import numpy as np

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
UNITS = ("file", "paragraph", "line")
_BLANK_RUN = re.compile(rb"\n[ \t\r]*\n")  # a paragraph break, LF or CRLF, blanks allowed on the empty line


def relative_ids(files: list[Path]) -> dict[str, str]:
    """path -> its id: the path relative to the files' common folder (the file name for one file)."""
    if not files:
        return {}
    root = os.path.commonpath([str(p.resolve().parent) for p in files])
    return {str(p): os.path.relpath(p.resolve(), root) for p in files}


def plan(files: list[tuple[int, Path]], ids: dict[str, str], blocksize: int, unit: str, block_type) -> list:
    """Blocks of the text files (``(file index, path)`` in input order)."""
    if unit not in UNITS:
        raise ValueError(f"curate.read.text_unit='{unit}' must be one of {', '.join(UNITS)}")
    blocks = []
    if unit == "file":
        group: list[tuple[str, int, str]] = []
        size = 0
        for index, path in files:
            group.append((str(path), index, ids[str(path)]))
            size += path.stat().st_size
            if size >= blocksize:
                blocks.append(block_type(group[0][0], group[0][1], "text:file", members=tuple(group)))
                group, size = [], 0
        if group:
            blocks.append(block_type(group[0][0], group[0][1], "text:file", members=tuple(group)))
        return blocks
    for index, path in files:
        blocks += _cut(path, index, ids[str(path)], blocksize, unit, block_type)
    return blocks


def _cut(path: Path, index: int, rel: str, blocksize: int, unit: str, block_type) -> list:
    """Byte ranges of one file cut after a newline (line unit) or a blank line (paragraph unit)."""
    size = path.stat().st_size
    if size == 0:
        return []
    blocks = []
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start, line = 0, 1
        while start < size:
            target = min(start + blocksize, size) - 1
            if unit == "line":
                cut = mm.find(b"\n", target)
                end = size if cut < 0 else cut + 1
            else:
                found = _BLANK_RUN.search(mm, target)
                end = size if found is None else found.end()
            blocks.append(block_type(str(path), index, f"text:{unit}", start, end, line, members=((str(path), index, rel),)))
            line += mm[start:end].count(b"\n")
            start = end
    return blocks


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read(block, max_raw_chars: int, frame, clip, line_bits: int):
    """Documents and quarantine rows of one plain-text block, in input order."""
    unit = block.kind.split(":", 1)[1]
    files, lines, ids, texts, quarantine, raw = [], [], [], [], [], []

    def record(index: int, line: int, rid: str, data: bytes) -> None:
        text = _decode(data)
        files.append(index)
        lines.append(line)
        ids.append(rid)
        if text is None:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as err:
                quarantine.append(f"invalid UTF-8 (byte {err.start})")
            texts.append("")
            raw.append(clip(data, max_raw_chars))
        elif not text.strip():
            quarantine.append("empty text")
            texts.append("")
            raw.append(clip(data, max_raw_chars))
        else:
            quarantine.append("")
            texts.append(text)
            raw.append("")

    if unit == "file":
        for path, index, rel in block.members:
            record(index, 1, rel, Path(path).read_bytes())
    else:
        path, index, rel = block.members[0]
        with open(path, "rb") as handle:
            handle.seek(block.start)
            data = handle.read(block.end - block.start)
        rows = data.split(b"\n")
        if rows and rows[-1] == b"":
            rows.pop()
        para: list[bytes] = []
        first = 0
        for offset, row in enumerate(rows):
            number = block.first_line + offset
            row = row[:-1] if row.endswith(b"\r") else row
            if not row.strip():
                if para:
                    record(index, first, f"{rel}:{first}", b"\n".join(para))
                    para = []
                continue
            if unit == "line":
                record(index, number, f"{rel}:{number}", row)
            else:
                if not para:
                    first = number
                para.append(row)
        if para:
            record(index, first, f"{rel}:{first}", b"\n".join(para))
    n = len(ids)
    numbers = np.asarray(lines, dtype=np.int64)
    ords = (np.asarray(files, dtype=np.int64) << line_bits) | numbers
    # "file:<relative path>" as the record's URL: downstream titles and citations read the file name
    # ("notes/charging-guide.txt" -> "Charging guide") where a web page would give its URL's slug
    urls = ["file:" + rid.rsplit(":", 1)[0] if unit != "file" else "file:" + rid for rid in ids]
    return frame(ords, np.asarray(files, dtype=np.int32), numbers, ids, urls, texts, quarantine, raw, n)

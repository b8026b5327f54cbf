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

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from curator.config import TEXT_UNITS
from curator.io import LINE_BITS, Block, _clip, _frame, byte_blocks

_BLANK_RUN = re.compile(rb"\n[ \t\r]*\n")  # a paragraph break, LF or CRLF, blanks allowed on the empty line


def relative_ids(files: list[Path]) -> dict[str, str]:
    """path -> its id: the path relative to the files' common folder (the file name for one file)."""
    if not files:
        return {}
    root = os.path.commonpath([str(p.resolve().parent) for p in files])
    return {str(p): os.path.relpath(p.resolve(), root) for p in files}


def plan(files: list[tuple[int, Path]], blocksize: int, unit: str) -> list[Block]:
    """Blocks of the text files (``(file index, path)`` in input order)."""
    if unit not in TEXT_UNITS:
        raise ValueError(f"curate.read.text_unit='{unit}' must be one of {', '.join(TEXT_UNITS)}")
    ids = relative_ids([path for _, path in files])
    if unit != "file":
        boundary = _BLANK_RUN if unit == "paragraph" else None
        return [block for index, path in files
                for block in byte_blocks(path, index, blocksize, f"text:{unit}", boundary,
                                         ((str(path), index, ids[str(path)]),))]
    blocks, group, size = [], [], 0
    for index, path in files:
        group.append((str(path), index, ids[str(path)]))
        size += path.stat().st_size
        if size >= blocksize:
            blocks.append(Block(group[0][0], group[0][1], "text:file", members=tuple(group)))
            group, size = [], 0
    if group:
        blocks.append(Block(group[0][0], group[0][1], "text:file", members=tuple(group)))
    return blocks


def read(block: Block, max_raw_chars: int) -> pd.DataFrame:
    """Documents and quarantine rows of one plain-text block, in input order."""
    unit = block.kind.split(":", 1)[1]
    files, lines, ids, urls, texts, quarantine, raw = [], [], [], [], [], [], []

    def record(index: int, line: int, rel: str, data: bytes) -> None:
        files.append(index)
        lines.append(line)
        ids.append(rel if unit == "file" else f"{rel}:{line}")
        # "file:<relative path>" as the record's URL: downstream titles and citations read the file name
        # ("notes/charging-guide.txt" -> "Charging guide") where a web page would give its URL's slug
        urls.append("file:" + rel)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            text, problem = "", f"invalid UTF-8 (byte {err.start})"
        else:
            problem = "" if text.strip() else "empty text"
        quarantine.append(problem)
        texts.append("" if problem else text)
        raw.append(_clip(data, max_raw_chars) if problem else "")

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
                    record(index, first, rel, b"\n".join(para))
                    para = []
                continue
            if unit == "line":
                record(index, number, rel, row)
            else:
                if not para:
                    first = number
                para.append(row)
        if para:
            record(index, first, rel, b"\n".join(para))
    n = len(ids)
    numbers = np.asarray(lines, dtype=np.int64)
    ords = (np.asarray(files, dtype=np.int64) << LINE_BITS) | numbers
    return _frame(ords, np.asarray(files, dtype=np.int32), numbers, ids, urls, texts, quarantine, raw, n)

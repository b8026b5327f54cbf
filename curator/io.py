"""Finding, splitting and validating the raw input (JSONL, Parquet or plain text; file, folder or glob).

The driver only plans: it lists files and cuts JSONL files into newline-aligned byte ranges,
counting newlines as it goes so each block knows its first line number. Workers read and
validate the blocks. Every physical line ends up either as a document or as a quarantine row
naming file, line and reason: nothing is dropped silently.
"""

from __future__ import annotations

import glob
import gzip
import json
import logging
import mmap
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from curator.errors import CurateConfigError, InputError

log = logging.getLogger(__name__)

LINE_BITS = 40  # ord = file index << 40 | line: a global, partition-independent input order
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".jsonl.zst", ".json.zst")
PARQUET_SUFFIXES = (".parquet",)
TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")  # read by curator/plaintext.py
DOC_COLUMNS = ("ord", "file", "line", "id", "url", "text", "quarantine", "raw")


@dataclass(frozen=True)
class Block:
    """One unit of parallel reading: a byte range of a JSONL file or a row group of a Parquet file."""

    path: str
    file_index: int
    kind: str  # "jsonl" | "jsonl.gz" | "jsonl.zst" | "parquet" | "text:file" | "text:paragraph" | "text:line"
    start: int = 0  # byte offset (jsonl, text) or row group (parquet)
    end: int = -1
    first_line: int = 1  # 1-based line (row) number of the block's first record
    members: tuple = ()  # plain text: (path, file index, id) of each file the block reads


@dataclass(frozen=True)
class Fields:
    text: str = "text"
    id: str = "id"  # "" = no id field: ids are made from file and line
    url: str = "url"


def discover(spec: str) -> list[Path]:
    """Input files of a file, folder or glob spec, sorted, so file indices are stable.

    Plain-text files count when nothing structured is there: in a folder of JSONL / Parquet, a
    README.md or notes.txt beside the data is not data (they are counted in the log)."""
    path = Path(spec)
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and _kind(p)]
    else:
        files = [Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file()]
    files = sorted(p for p in files if _kind(p))
    structured = [p for p in files if _kind(p) != "text"]
    if structured and len(structured) < len(files):
        log.warning("curate: %d plain-text file(s) beside the JSONL/Parquet input left out (e.g. %s); "
                    "name them in curate.input to curate them", len(files) - len(structured),
                    next(p for p in files if _kind(p) == "text"))
        files = structured
    if not files:
        raise CurateConfigError(
            f"curate.input '{spec}' matches no JSONL ({', '.join(JSONL_SUFFIXES)}), Parquet or plain-text "
            f"({', '.join(TEXT_SUFFIXES)}) file"
        )
    return files


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".jsonl.gz", ".json.gz")):
        return "jsonl.gz"
    if name.endswith((".jsonl.zst", ".json.zst")):  # the usual packing of large public text datasets
        return "jsonl.zst"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return ""


def plan_blocks(files: list[Path], blocksize: int, text_unit: str = "file") -> list[Block]:
    blocks: list[Block] = []
    text = [(index, path) for index, path in enumerate(files) if _kind(path) == "text"]
    if text:
        from curator import plaintext  # it builds on this module's blocks and frames

        blocks += plaintext.plan(text, blocksize, text_unit)
    for index, path in enumerate(files):
        kind = _kind(path)
        if kind == "text":
            continue
        if kind == "jsonl":
            blocks += _jsonl_blocks(path, index, blocksize)
        elif kind in ("jsonl.gz", "jsonl.zst"):  # not splittable: one block per file
            blocks.append(Block(str(path), index, kind))
        else:
            row = 1
            meta = _parquet_metadata(path)
            for group in range(meta.num_row_groups):
                blocks.append(Block(str(path), index, kind, group, group + 1, row))
                row += meta.row_group(group).num_rows
    return blocks


def _parquet_metadata(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(err)})") from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _read_gzip(path: str) -> bytes:
    """The whole decompressed file: a corrupt or truncated gzip fails the run in one line, as a
    partial read would silently lose every line after the damage."""
    import zlib

    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"{path}: corrupt gzip file ({_first_line(err)}); repair or remove it") from None


def _read_zstd(path: str) -> bytes:
    """The whole decompressed Zstandard file (pyarrow's codec); damage fails the run in one line, as for gzip."""
    import pyarrow as pa

    try:
        with pa.CompressedInputStream(pa.OSFile(path), "zstd") as handle:
            return handle.read()
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"{path}: corrupt zstd file ({_first_line(err)}); repair or remove it") from None


def _jsonl_blocks(path: Path, index: int, blocksize: int) -> list[Block]:
    return byte_blocks(path, index, blocksize, "jsonl")


def byte_blocks(path: Path, index: int, blocksize: int, kind: str, boundary: re.Pattern | None = None,
                members: tuple = ()) -> list[Block]:
    """Blocks of about ``blocksize`` bytes of one file, each ending after a newline, or after the first match
    of ``boundary`` (a blank line for paragraphs) past the target size; each knows its first line number."""
    size = path.stat().st_size
    if size == 0:
        return []
    blocks = []
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start, line = 0, 1
        while start < size:
            target = min(start + blocksize, size) - 1
            if boundary is None:
                cut = mm.find(b"\n", target)
                end = size if cut < 0 else cut + 1
            else:
                found = boundary.search(mm, target)
                end = size if found is None else found.end()
            blocks.append(Block(str(path), index, kind, start, end, line, members))
            line += mm[start:end].count(b"\n")
            start = end
    return blocks


def empty_docs() -> pd.DataFrame:
    return _frame([], [], [], [], [], [], [], [], 0)


def _frame(ords, files, lines, ids, urls, texts, quarantine, raw, n) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ord": np.asarray(ords, dtype=np.int64).reshape(n),
            "file": np.asarray(files, dtype=np.int32).reshape(n),
            "line": np.asarray(lines, dtype=np.int64).reshape(n),
            "id": pd.array(ids, dtype="str"),
            "url": pd.array(urls, dtype="str"),
            "text": pd.array(texts, dtype="str"),
            "quarantine": pd.array(quarantine, dtype="str"),
            "raw": pd.array(raw, dtype="str"),
        }
    )


def _clip(raw: bytes, limit: int) -> str:
    return raw[:limit].decode("utf-8", errors="backslashreplace")


_SURROGATES = re.compile("[\ud800-\udfff]")


def _scrub_surrogates(text: str) -> str:
    """JSON may escape lone surrogates ("\\ud800"), which cannot be stored as UTF-8: U+FFFD each."""
    return _SURROGATES.sub("\ufffd", text)


def parse_record(raw: bytes, fields: Fields) -> tuple[str, str, str] | str:
    """(id, url, text) of a valid JSONL line, or the reason it is not valid."""
    if not raw.strip():
        return "blank line"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return f"invalid UTF-8 (byte {err.start})"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        return f"invalid JSON ({err.msg}, column {err.colno})"
    except RecursionError:
        return "invalid JSON: nested too deeply"
    if not isinstance(obj, dict):
        return f"JSON {type(obj).__name__}, not an object"
    if fields.id:
        rid = obj.get(fields.id)
        if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
            return f"missing id ('{fields.id}')"
    else:
        rid = ""
    if fields.text not in obj:
        return f"missing text ('{fields.text}')"
    text = obj[fields.text]
    if not isinstance(text, str):
        return f"text ('{fields.text}') is {type(text).__name__}, not a string"
    if not text.strip():
        return "empty text"
    url = obj.get(fields.url) if fields.url else ""
    url = url if isinstance(url, str) else ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _scrub_surrogates(text)
        url = _scrub_surrogates(url)
    return str(rid), url, text


def read_block(block: Block, fields: Fields, max_raw_chars: int = 2000) -> pd.DataFrame:
    """Documents and quarantined lines of one block, in input order."""
    if block.kind.startswith("text:"):
        from curator import plaintext

        return plaintext.read(block, max_raw_chars)
    if block.kind == "parquet":
        return _read_parquet_block(block, fields, max_raw_chars)
    if block.kind == "jsonl.gz":
        data = _read_gzip(block.path)
    elif block.kind == "jsonl.zst":
        data = _read_zstd(block.path)
    else:
        with open(block.path, "rb") as handle:
            handle.seek(block.start)
            data = handle.read(block.end - block.start)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline ending the block's last line, not an extra (blank) line
    n = len(lines)
    ids, urls, texts, quarantine, raw = [""] * n, [""] * n, [""] * n, [""] * n, [""] * n
    for i, line in enumerate(lines):
        if line.endswith(b"\r"):
            line = line[:-1]
        parsed = parse_record(line, fields)
        if isinstance(parsed, str):
            quarantine[i], raw[i] = parsed, _clip(line, max_raw_chars)
        else:
            ids[i], urls[i], texts[i] = parsed
    numbers = np.arange(block.first_line, block.first_line + n, dtype=np.int64)
    if not fields.id:
        ids = [f"{block.file_index}:{k}" for k in numbers]
    ords = (np.int64(block.file_index) << LINE_BITS) | numbers
    return _frame(ords, np.full(n, block.file_index), numbers, ids, urls, texts, quarantine, raw, n)


def _read_parquet_block(block: Block, fields: Fields, max_raw_chars: int) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(block.path)
        names = set(handle.schema_arrow.names)
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"{block.path}: not a readable Parquet file ({_first_line(err)})") from None
    if fields.text not in names:
        raise InputError(f"{block.path}: no column '{fields.text}' (curate.text_field); columns: {sorted(names)}")
    if fields.id and fields.id not in names:
        raise InputError(f"{block.path}: no column '{fields.id}' (curate.id_field); columns: {sorted(names)}")
    wanted = [c for c in (fields.id, fields.url, fields.text) if c and c in names]
    try:
        table = handle.read_row_group(block.start, columns=wanted).to_pandas()
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"{block.path}: row group {block.start} cannot be read ({_first_line(err)})") from None
    n = len(table)
    numbers = np.arange(block.first_line, block.first_line + n, dtype=np.int64)
    text = table[fields.text]
    is_str = text.map(lambda v: isinstance(v, str))  # column of mixed objects: a row may be anything
    blank = ~is_str | (text.where(is_str, "").str.strip() == "")
    reason = np.where(~is_str, "text is not a string", np.where(blank, "empty text", ""))
    ids = table[fields.id].astype("string") if fields.id else pd.Series([f"{block.file_index}:{k}" for k in numbers])
    if fields.id:
        missing = ids.isna() | (ids == "")
        reason = np.where(missing & (reason == ""), f"missing id ('{fields.id}')", reason)
    url = table[fields.url].astype("string").fillna("") if fields.url in table else pd.Series([""] * n)
    bad = reason != ""
    raw = np.full(n, "", dtype=object)
    for i in np.flatnonzero(bad):  # only the bad rows, for the quarantine file
        row = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in table.iloc[i].items()}
        raw[i] = json.dumps(row, default=str, ensure_ascii=False)[:max_raw_chars]
    ords = (np.int64(block.file_index) << LINE_BITS) | numbers
    return _frame(
        ords, np.full(n, block.file_index), numbers, ids.fillna("").tolist(), url.tolist(),
        text.where(~bad, "").tolist(), reason.tolist(), raw.tolist(), n,
    )

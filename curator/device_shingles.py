"""Shingle hashes and shingle sets of dedup keys on any array module: numpy or cupy.

The same hashes as ``curator.minhash.shingle_hashes``, bit for bit (tests/test_curate_device_shingles.py),
computed from a string column's raw UTF-8 buffers with whole-array operations only. Under the cuDF
backend the candidates' texts therefore never leave the GPU for true-Jaccard verification: the
text is shingled where it already lies.

Word shingles split on ASCII whitespace. Dedup keys hold no other whitespace (curator.normalize
turns every whitespace run into one space), so on keys this is exactly Arrow's
``utf8_split_whitespace`` that the CPU path uses.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from curator import hashing
from curator.minhash import ShingleSets, _doc_keys, _group_starts, _rolling

log = logging.getLogger("pipeline.curate")

# Bytes of text per pass: the prefix sums and power tables of one pass take ~24 bytes per text
# byte, so 16 MiB of text is ~400 MiB of device temporaries.
MAX_CHUNK_BYTES = 1 << 24
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)


def to_host(values) -> np.ndarray:
    return values if isinstance(values, np.ndarray) else values.get()


def span_hashes(data, starts, ends, xp):
    """``hashing.span_hashes`` of data[starts[i]:ends[i]], for one chunk of text held in ``data``."""
    if len(starts) == 0:
        return xp.zeros(0, dtype=xp.uint64)
    size = len(data)
    with np.errstate(over="ignore"):
        prefix = xp.zeros(size + 1, dtype=xp.uint64)
        prefix[1:] = xp.cumsum(data.astype(xp.uint64) * hashing.powers(hashing._P_INV, size, xp))
        h = (prefix[ends] - prefix[starts]) * hashing.powers(hashing._P, size + 1, xp)[xp.maximum(ends - 1, 0)]
        lengths = (ends - starts).astype(xp.uint64)
        return hashing.fmix64(h ^ (lengths * _LENGTH_MIX))


def _word_shingles(offsets, data, n: int, xp):
    size = len(data)
    if size == 0:
        return xp.zeros(0, dtype=xp.int64), xp.zeros(0, dtype=xp.uint64)
    space = (data == 32) | ((data >= 9) & (data <= 13))
    lo, hi = offsets[:-1], offsets[1:]
    nonempty = hi > lo
    doc_first = xp.zeros(size, dtype=bool)
    doc_first[lo[nonempty]] = True
    doc_last = xp.zeros(size, dtype=bool)
    doc_last[hi[nonempty] - 1] = True
    word = ~space
    begins = word & (doc_first | xp.concatenate([xp.ones(1, dtype=bool), space[:-1]]))
    finishes = word & (doc_last | xp.concatenate([space[1:], xp.ones(1, dtype=bool)]))
    starts = xp.flatnonzero(begins).astype(xp.int64)
    ends = xp.flatnonzero(finishes).astype(xp.int64) + 1
    parent = xp.searchsorted(offsets, starts, side="right") - 1
    return _rolling(span_hashes(data, starts, ends, xp), parent.astype(xp.int64), n, xp)


def _char_shingles(offsets, data, n: int, xp):
    size = len(data)
    if size == 0:
        return xp.zeros(0, dtype=xp.int64), xp.zeros(0, dtype=xp.uint64)
    char_pos = xp.flatnonzero((data & 0xC0) != 0x80).astype(xp.int64)  # first byte of a UTF-8 character
    char_doc = (xp.searchsorted(offsets, char_pos, side="right") - 1).astype(xp.int64)
    ends_at = xp.concatenate([char_pos[1:], xp.asarray([size], dtype=xp.int64)])
    firsts, lengths, run = _group_starts(char_doc, xp)
    idx = xp.arange(len(char_pos), dtype=xp.int64)
    last = (firsts + lengths)[run]  # one past the document's last character
    keep = (idx + n <= last) | (idx == firsts[run])
    idx = idx[keep]
    stop = xp.minimum(idx + n, last[keep])
    return char_doc[idx], span_hashes(data, char_pos[idx], ends_at[stop - 1], xp)


def _doc_chunks(offsets: np.ndarray, max_bytes: int) -> list[tuple[int, int]]:
    """[lo, hi) document ranges of at most ``max_bytes`` of text each (at least one document)."""
    chunks, lo, n = [], 0, len(offsets) - 1
    while lo < n:
        hi = max(int(np.searchsorted(offsets, offsets[lo] + max_bytes, side="right")) - 1, lo + 1)
        chunks.append((lo, min(hi, n)))
        lo = min(hi, n)
    return chunks


def shingle_hashes(offsets, data, shingle: str, n: int, xp, max_bytes: int = MAX_CHUNK_BYTES):
    """(document index, uint64 hash) of every shingle: ``minhash.shingle_hashes`` on raw buffers.

    ``offsets`` (int64, n_docs + 1) and ``data`` (uint8) are the string column's buffers on the
    array module's device. Documents go through in chunks of at most ``max_bytes`` of text; every
    hash depends on its own span only, so chunking does not change it.
    """
    shingles = _word_shingles if shingle == "word" else _char_shingles
    offsets = xp.asarray(offsets, dtype=xp.int64)
    docs, hashes = [], []
    for lo, hi in _doc_chunks(to_host(offsets), max_bytes):
        base, top = int(offsets[lo]), int(offsets[hi])
        d, h = shingles(offsets[lo : hi + 1] - base, data[base:top], n, xp)
        docs.append(d + lo)
        hashes.append(h)
    if not docs:
        return xp.zeros(0, dtype=xp.int64), xp.zeros(0, dtype=xp.uint64)
    return xp.concatenate(docs), xp.concatenate(hashes)


def shingle_sets(offsets, data, shingle: str, n: int, xp) -> ShingleSets:
    """``minhash.shingle_sets`` on raw buffers: each document's distinct shingle hashes (CSR)."""
    n_docs = len(offsets) - 1
    doc, hashes = shingle_hashes(offsets, data, shingle, n, xp)
    with np.errstate(over="ignore"):
        members = hashes ^ _doc_keys(doc, xp)
    if xp is np:
        first = np.flatnonzero(~pd.Series(members).duplicated().to_numpy())  # a hash table beats sorting
    else:  # the first occurrence of each key, in text order: a stable sort, then back to position order
        order = xp.argsort(members)
        ranked = members[order]
        first = xp.sort(order[xp.concatenate([xp.ones(min(1, len(ranked)), dtype=bool), ranked[1:] != ranked[:-1]])])
    doc, hashes, members = doc[first], hashes[first], members[first]
    sizes = xp.bincount(doc, minlength=n_docs).astype(xp.int64) if len(doc) else xp.zeros(n_docs, dtype=xp.int64)
    return ShingleSets(hashes, xp.cumsum(sizes) - sizes, sizes, members)


def string_buffers(series, xp):
    """(offsets int64, data uint8) of a pandas or cuDF string Series, on the Series' device.

    For cuDF the buffers are read in place; should this cuDF version lay them out differently
    (checked against its own per-string byte counts), the text goes through the host once.
    """
    if xp is np:
        from curator.steps import arrow_strings

        return hashing.string_buffers(arrow_strings(series))
    try:
        offsets, data = _cudf_buffers(series, xp)
        lengths = series.str.byte_count().fillna(0).values.astype(xp.int64)
        if len(offsets) == len(series) + 1 and bool((xp.diff(offsets) == lengths).all()) \
                and int(offsets[-1]) <= len(data):
            return offsets, data
        problem = "the offsets do not match the strings' byte counts"
    except Exception as err:  # an internal layout this version does not have
        problem = f"{type(err).__name__}: {err}"
    log.warning("curate: reading cuDF string buffers in place failed (%s); copying the text through the host",
                problem)
    offsets, data = hashing.string_buffers(series.to_arrow())
    return xp.asarray(offsets), xp.asarray(data)


def _cudf_buffers(series, cupy):
    """The offsets child and the character bytes of the column's pylibcudf view, in place."""
    column = series.fillna("")._column
    view = column.plc_column if hasattr(column, "plc_column") else column.to_pylibcudf(mode="read")
    n = view.size()
    if n == 0:
        return cupy.zeros(1, dtype=cupy.int64), cupy.zeros(0, dtype=cupy.uint8)
    child = view.children()[0]
    width = cupy.int64 if "INT64" in str(child.type().id()) else cupy.int32
    start = child.offset() + view.offset()  # a slice shares its parent's offsets and bytes
    offsets = cupy.asarray(child.data()).view(width)[start : start + n + 1].astype(cupy.int64)
    chars = view.data()
    data = cupy.asarray(chars).view(cupy.uint8) if chars is not None else cupy.zeros(0, dtype=cupy.uint8)
    return offsets, data

"""Shingle hashes and shingle sets of dedup keys, on any array module (numpy or cupy).

A string column's raw UTF-8 buffers (``hashing.string_buffers``) are shingled with whole-array
operations only, so the same code runs on the host and, under the cuDF backend, on the GPU where
the text already lies; both give the same bits (tests/curator/test_curate_gpu.py). MinHash
signatures and the true-Jaccard verification both shingle through here.

Word shingles split on ASCII whitespace. Dedup keys hold no other whitespace (curator.normalize
turns every whitespace run into one space), so on keys this is exactly a whitespace split.
Character shingles are n consecutive code points (byte spans of n UTF-8 characters). A document
shorter than one shingle gets one shingle made of all of it, so short texts still get a set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from curator.hashing import fmix64, group_starts, powers, span_hashes, to_host

SHINGLE_P = np.uint64(0xC2B2AE3D27D4EB4F)  # odd: the rolling n-gram hash needs an invertible base
SHINGLE_P_INV = np.uint64(pow(int(SHINGLE_P), -1, 1 << 64))
# Bytes of text per pass: the temporaries of one pass take ~24 (words) to ~60 (characters) bytes
# per text byte. On the host 256 KiB keeps them in cache (2x faster than 4 MiB, measured); on a
# GPU 16 MiB (~1 GiB of temporaries) keeps the kernels large.
HOST_CHUNK_BYTES = 1 << 18
DEVICE_CHUNK_BYTES = 1 << 24


def rolling(values, parent, n: int, xp=np):
    """Hashes of runs of n consecutive values inside one document, and each run's document.

    ``parent`` (the document of every value) is non-decreasing. Documents shorter than n
    contribute one shingle made of all their values.
    """
    total = len(values)
    if total == 0:
        return xp.zeros(0, dtype=xp.int64), xp.zeros(0, dtype=xp.uint64)
    with np.errstate(over="ignore"):
        prefix = xp.zeros(total + 1, dtype=xp.uint64)
        prefix[1:] = xp.cumsum(values * powers(SHINGLE_P_INV, total, xp))
        pw = powers(SHINGLE_P, total + 1, xp)
        firsts, lengths, run = group_starts(parent, xp)
        starts = xp.arange(total, dtype=xp.int64)
        span = xp.minimum(lengths, n)[run]
        keep = starts + span <= (firsts + lengths)[run]  # full n-grams, or the one whole-document shingle
        starts, span = starts[keep], span[keep]
        ends = starts + span
        hashes = (prefix[ends] - prefix[starts]) * pw[ends - 1]
        return parent[starts], fmix64(hashes ^ span.astype(xp.uint64))


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
    return rolling(span_hashes(data, starts, ends, xp, max_bytes=size), parent.astype(xp.int64), n, xp)


def _char_shingles(offsets, data, n: int, xp):
    size = len(data)
    if size == 0:
        return xp.zeros(0, dtype=xp.int64), xp.zeros(0, dtype=xp.uint64)
    char_pos = xp.flatnonzero((data & 0xC0) != 0x80).astype(xp.int64)  # first byte of a UTF-8 character
    char_doc = (xp.searchsorted(offsets, char_pos, side="right") - 1).astype(xp.int64)
    ends_at = xp.concatenate([char_pos[1:], xp.asarray([size], dtype=xp.int64)])
    firsts, lengths, run = group_starts(char_doc, xp)
    idx = xp.arange(len(char_pos), dtype=xp.int64)
    last = (firsts + lengths)[run]  # one past the document's last character
    keep = (idx + n <= last) | (idx == firsts[run])
    idx = idx[keep]
    stop = xp.minimum(idx + n, last[keep])
    return char_doc[idx], span_hashes(data, char_pos[idx], ends_at[stop - 1], xp, max_bytes=size)


def _doc_chunks(offsets: np.ndarray, max_bytes: int) -> list[tuple[int, int]]:
    """[lo, hi) document ranges of at most ``max_bytes`` of text each (at least one document)."""
    chunks, lo, n = [], 0, len(offsets) - 1
    while lo < n:
        hi = max(int(np.searchsorted(offsets, offsets[lo] + max_bytes, side="right")) - 1, lo + 1)
        chunks.append((lo, min(hi, n)))
        lo = min(hi, n)
    return chunks


def shingle_hashes(offsets, data, shingle: str, n: int, xp=np, max_bytes: int | None = None):
    """(document index, uint64 hash) of every shingle of every string, grouped by document.

    ``offsets`` (int64, n_docs + 1) and ``data`` (uint8) are a string column's buffers on the
    array module's device (``hashing.string_buffers``). Documents go through in chunks of at most
    ``max_bytes`` of text; every hash depends on its own span only, so chunking changes nothing.
    """
    if max_bytes is None:
        max_bytes = HOST_CHUNK_BYTES if xp is np else DEVICE_CHUNK_BYTES
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
    if len(docs) == 1:
        return docs[0], hashes[0]
    return xp.concatenate(docs), xp.concatenate(hashes)


@dataclass(frozen=True)
class ShingleSets:
    """Each document's distinct shingle hashes, grouped by document (CSR), and all of them keyed.

    ``members`` holds ``hash ^ doc_keys(doc)`` once per (document, shingle), so asking whether
    document d has shingle h is one lookup of ``h ^ doc_keys(d)`` in one flat set. The arrays
    live on the array module's device they were made on.
    """

    hashes: np.ndarray  # uint64, grouped by document in document order
    starts: np.ndarray  # int64[n_docs]: where each document's group begins in ``hashes``
    sizes: np.ndarray  # int64[n_docs]: distinct shingles per document
    members: np.ndarray  # uint64, distinct


def doc_keys(doc, xp=np):
    """A 64-bit key per document index, xor-ed into shingle hashes to make them per-document."""
    return fmix64(doc.astype(xp.uint64) + xp.uint64(1))


def distinct_codes(keys, xp=np):
    """(code of every key, 0..k-1 in order of first appearance; each code's first position).

    numpy: one pandas hash table; cupy: a stable sort, renumbered to the same codes."""
    if xp is np:
        codes, uniques = pd.factorize(keys)
        codes = codes.astype(np.int64)
        first = np.full(len(uniques), len(keys), dtype=np.int64)
        first[codes[::-1]] = np.arange(len(keys) - 1, -1, -1, dtype=np.int64)  # the last write is the first
        return codes, first
    order = xp.argsort(keys)  # stable: the first of equal keys comes first
    ranked = keys[order]
    new = xp.concatenate([xp.ones(min(1, len(ranked)), dtype=bool), ranked[1:] != ranked[:-1]])
    group = xp.cumsum(new) - 1
    first = order[new]  # each group's earliest position, groups in sorted-key order
    rank = xp.argsort(first)  # renumber the groups by first appearance, as on numpy
    renumber = xp.empty(len(rank), dtype=xp.int64)
    renumber[rank] = xp.arange(len(rank), dtype=xp.int64)
    codes = xp.empty(len(keys), dtype=xp.int64)
    codes[order] = renumber[group]
    return codes, first[rank]


def first_occurrences(keys, xp=np):
    """Positions of the first occurrence of each distinct key, in position order."""
    if xp is np:
        return np.flatnonzero(~pd.Series(keys).duplicated().to_numpy())  # a hash table beats sorting
    return distinct_codes(keys, xp)[1]


def _sets(doc, hashes, n_docs: int, xp, first=None) -> ShingleSets:
    """The distinct (document, hash) pairs (positions ``first`` when known) as ShingleSets."""
    with np.errstate(over="ignore"):
        if first is None:
            first = first_occurrences(hashes ^ doc_keys(doc, xp), xp)
        doc, hashes = doc[first], hashes[first]
        members = hashes ^ doc_keys(doc, xp)
    sizes = xp.bincount(doc, minlength=n_docs).astype(xp.int64) if len(doc) else xp.zeros(n_docs, dtype=xp.int64)
    return ShingleSets(hashes, xp.cumsum(sizes) - sizes, sizes, members)


def shingle_sets(offsets, data, shingle: str, n: int, xp=np) -> ShingleSets:
    """Each string's distinct shingle hashes (CSR), from the column's raw buffers."""
    doc, hashes = shingle_hashes(offsets, data, shingle, n, xp)
    return _sets(doc, hashes, len(offsets) - 1, xp)


def comparison_sets(offsets, data, shingle: str, n: int, xp=np, boilerplate=None):
    """(each string's shingle set, its boilerplate set, its content set): the boilerplate set holds
    the shingles that occur in the string only inside boilerplate runs (curator.boilerplate), the
    content set the others; both None without ``boilerplate``."""
    n_docs = len(offsets) - 1
    doc, hashes = shingle_hashes(offsets, data, shingle, n, xp)
    if boilerplate is None:
        return _sets(doc, hashes, n_docs, xp), None, None
    with np.errstate(over="ignore"):
        codes, first = distinct_codes(hashes ^ doc_keys(doc, xp), xp)
    keep = boilerplate.keep(doc, hashes, xp)
    kept_somewhere = xp.zeros(len(first), dtype=bool)
    kept_somewhere[codes[keep]] = True  # a shingle that also occurs outside boilerplate is content
    return (_sets(doc, hashes, n_docs, xp, first), _sets(doc, hashes, n_docs, xp, first[~kept_somewhere]),
            _sets(doc, hashes, n_docs, xp, first[kept_somewhere]))

"""Boilerplate shingles: long runs of shingles that many documents share, left out of near-duplicate
comparisons so that distinct pages of one site are not near-duplicates of each other.

Two pages that share a nav bar, a cookie banner, a footer and a license excerpt can have a word
3-gram Jaccard of 0.4 or more while their own content has nothing in common. Both MinHash and the
true-Jaccard check therefore compare each document's *content view*: its shingles minus the
boilerplate, where

- a shingle is *common* when at least ``min_docs`` documents of the corpus contain it;
- *boilerplate* is a run of consecutive common shingles spanning at least ``min_words`` words
  (shorter runs are the phrases any two texts share: "as well as the"), continued over gaps of
  up to ``gap`` other shingles between common runs (a word edited inside a copied passage breaks
  n shingles; a page's own content between two boilerplate blocks is a long gap);
- a document whose boilerplate covers more than ``max_fraction`` of its shingles is compared
  whole: its "boilerplate" is its own text, copied into many documents (a license, a large family
  of near copies), and removing it would hide real copies.

Two documents are then compared without the shingles that are boilerplate in *both* (a run one
copy kept intact and the other edited still counts, and so does a document compared whole), and
each must find at least ``content_floor`` of its own content (its shingles outside its own
boilerplate) in the other, so that a page compared whole does not match every page of its site
through their shared template.

Document frequencies are exact. A first pass counts shingle occurrences into a counter array
indexed by the hash's low bits (a counter never undercounts, so every common shingle lands in a
counter that reaches ``min_docs``); a second pass counts distinct documents exactly for the
shingles in those counters only. Both passes are per block of documents (a Dask partition, or the
whole in-memory frame) and add up across blocks, on numpy or cupy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curator.hashing import to_host

_CHARS_PER_WORD = 6  # to express a run of character shingles in words


@dataclass(frozen=True)
class Boilerplate:
    """The corpus's common shingles and the rule that turns runs of them into boilerplate."""

    common: np.ndarray  # uint64, sorted, on the host
    min_run: int  # consecutive common shingles that make a boilerplate run
    max_fraction: float
    gap: int = 0  # other shingles a run may be broken by (edits inside a copied passage)
    # Each document of a pair must find at least this share of its content (its shingles outside
    # its own boilerplate) in the other: a page compared whole otherwise matches every page of
    # its site through their template.
    content_floor: float = 0.0

    def _runs(self, doc, is_common, xp):
        """Shingles inside boilerplate: runs of common shingles with at least one run of
        ``min_run``, bridged over gaps of at most ``gap`` other shingles (an edited word inside a
        copied passage breaks n shingles; a page's own content is a long gap)."""
        def runs(flags):
            new = xp.concatenate([xp.ones(1, dtype=bool), (flags[1:] != flags[:-1]) | (doc[1:] != doc[:-1])])
            starts = xp.flatnonzero(new)
            return xp.cumsum(new) - 1, starts, xp.diff(xp.concatenate([starts, xp.asarray([len(flags)])]))

        run, starts, length = runs(is_common)
        common = is_common[starts]
        long_run = common & (length >= self.min_run)
        same_prev = xp.concatenate([xp.zeros(1, dtype=bool), doc[starts[1:]] == doc[starts[:-1]]])
        same_next = xp.concatenate([same_prev[1:], xp.zeros(1, dtype=bool)])
        prev_common = same_prev & xp.concatenate([xp.zeros(1, dtype=bool), common[:-1]])
        next_common = same_next & xp.concatenate([common[1:], xp.zeros(1, dtype=bool)])
        prev_long = same_prev & xp.concatenate([xp.zeros(1, dtype=bool), long_run[:-1]])
        next_long = same_next & xp.concatenate([long_run[1:], xp.zeros(1, dtype=bool)])
        bridge = ~common & (length <= self.gap) & prev_common & next_common & (prev_long | next_long)
        merged = (common | bridge)[run]
        segment, _, _ = runs(merged)
        has_long = xp.bincount(segment, weights=long_run[run].astype(xp.float64)) > 0
        return merged & has_long[segment]

    def keep(self, doc, hashes, xp=np):
        """True for the shingles of each document's content view (shingles grouped by document,
        in text order)."""
        n = len(hashes)
        if n == 0 or len(self.common) == 0:
            return xp.ones(n, dtype=bool)
        if xp is np:  # a hash table: its probes stay in cache, a binary search's do not
            import pandas as pd

            is_common = pd.Index(self.common).get_indexer(hashes) >= 0
        else:
            common = xp.asarray(self.common)
            is_common = common[xp.minimum(xp.searchsorted(common, hashes), len(common) - 1)] == hashes
        boiler = self._runs(doc, is_common, xp)
        size = int(doc[-1]) + 1
        per_doc = xp.bincount(doc, minlength=size)
        boiler_per_doc = xp.bincount(doc, weights=boiler.astype(xp.float64), minlength=size)
        whole = boiler_per_doc > self.max_fraction * per_doc  # mostly "boilerplate": compare it whole
        return ~boiler | whole[doc]


def min_run(shingle: str, ngram: int, min_words: int) -> int:
    """Consecutive shingles covering ``min_words`` words (character shingles: ~6 characters a word)."""
    span = min_words if shingle == "word" else min_words * _CHARS_PER_WORD
    return max(1, span - ngram + 1)


def counter_bits(n_shingles: int) -> int:
    """Counters for about one shingle occurrence each (few false heavy counters), 2^16..2^24."""
    return int(min(24, max(16, int(np.ceil(np.log2(max(2, n_shingles)))))))


def occurrence_counts(hashes, bits: int, xp=np) -> np.ndarray:
    """int64[2^bits] counts of shingle occurrences by the hash's low bits (host array)."""
    if len(hashes) == 0:
        return np.zeros(1 << bits, dtype=np.int64)
    low = (hashes & xp.uint64((1 << bits) - 1)).astype(xp.int64)
    return to_host(xp.bincount(low, minlength=1 << bits)).astype(np.int64)


def document_counts(doc, hashes, heavy: np.ndarray, bits: int, xp=np) -> tuple[np.ndarray, np.ndarray]:
    """(hash, number of documents containing it) for the shingles whose counter is heavy (host)."""
    from curator.shingles import distinct_codes, doc_keys, first_occurrences

    if len(hashes) == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    low = (hashes & xp.uint64((1 << bits) - 1)).astype(xp.int64)
    take = xp.flatnonzero(xp.asarray(heavy)[low])
    doc, hashes = doc[take], hashes[take]
    with np.errstate(over="ignore"):
        distinct = first_occurrences(hashes ^ doc_keys(doc, xp), xp)  # each (document, shingle) once
    codes, first = distinct_codes(hashes[distinct], xp)
    counts = xp.bincount(codes, minlength=len(first)) if len(codes) else xp.zeros(0, dtype=xp.int64)
    return to_host(hashes[distinct][first]).astype(np.uint64), to_host(counts).astype(np.int64)


def common_from_counts(parts: list[tuple[np.ndarray, np.ndarray]], min_docs: int) -> np.ndarray:
    """Sorted hashes whose document counts, added up over blocks, reach ``min_docs``."""
    if not parts:
        return np.zeros(0, np.uint64)
    import pandas as pd

    values = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[1] for p in parts])
    total = pd.Series(counts).groupby(values).sum()  # a hash table: numpy's unique sorts slowly here
    return np.sort(total.index.to_numpy(np.uint64)[total.to_numpy() >= min_docs])


def common_shingles(doc, hashes, min_docs: int, xp=np) -> np.ndarray:
    """The common shingles of one in-memory block of documents (both passes at once)."""
    bits = counter_bits(len(hashes))
    heavy = occurrence_counts(hashes, bits, xp) >= min_docs
    return common_from_counts([document_counts(doc, hashes, heavy, bits, xp)], min_docs)

"""A batch of documents tokenized once into flat Arrow/numpy arrays that every filter shares.

Words, lines and paragraphs of all documents are flattened into one array each, with the index
of the owning document beside every element, so a per-document statistic is a ``bincount`` or a
``reduceat`` instead of a Python loop. Features are computed lazily: a disabled filter costs
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator.hashing import fmix64, powers, span_hashes, string_buffers

_PUNCT = "\"'()[]{}<>.,;:!?-–—…*_/\\|«»“”‘’`~#"
_ASCII_LETTER = np.zeros(256, dtype=bool)
_ASCII_LETTER[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")] = True
_ASCII_ALNUM = _ASCII_LETTER.copy()
_ASCII_ALNUM[list(b"0123456789")] = True
_NON_ASCII = np.arange(256) >= 0x80
_NGRAM_P = np.uint64(0x9E3779B97F4A7C15)  # odd: the rolling n-gram hash needs an invertible base
_NGRAM_P_INV = np.uint64(pow(int(_NGRAM_P), -1, 1 << 64))


def _as_array(texts) -> pa.Array:
    if isinstance(texts, pd.Series):
        texts = pa.array(texts.astype(object).where(texts.notna(), ""), type=pa.large_string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not isinstance(texts, pa.Array):
        texts = pa.array(list(texts), type=pa.large_string())
    return texts


class Pieces:
    """Flat pieces (words, lines, ...) of every document with their owning document index."""

    def __init__(self, lists: pa.Array, n_docs: int, keep_empty: bool = True):
        flat = lists.flatten()
        parent = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
        if not keep_empty:
            flat = pc.utf8_trim_whitespace(flat)
            mask = pc.greater(pc.binary_length(flat), 0)
            flat = flat.filter(mask)
            parent = parent[mask.to_numpy(zero_copy_only=False)]
        self.values: pa.Array = flat
        self.parent = parent
        self.n_docs = n_docs

    def __len__(self) -> int:
        return len(self.parent)

    @cached_property
    def chars(self) -> np.ndarray:
        return pc.utf8_length(self.values).to_numpy(zero_copy_only=False).astype(np.int64)

    @cached_property
    def hashes(self) -> np.ndarray:
        offsets, data = string_buffers(self.values)
        return span_hashes(data, offsets[:-1], offsets[1:])

    @cached_property
    def count(self) -> np.ndarray:
        return np.bincount(self.parent, minlength=self.n_docs)

    def per_doc(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` (one per piece) for each document."""
        return np.bincount(self.parent, weights=values, minlength=self.n_docs)

    def doc_keys(self, hashes: np.ndarray, parent: np.ndarray | None = None) -> np.ndarray:
        """Hashes made distinct per document, so duplicates are counted within a document only."""
        parent = self.parent if parent is None else parent
        with np.errstate(over="ignore"):
            return hashes ^ fmix64(parent.astype(np.uint64) + np.uint64(1))

    def repeats(self, hashes: np.ndarray | None = None) -> np.ndarray:
        """True for pieces equal to an earlier piece of the same document."""
        keys = self.doc_keys(self.hashes if hashes is None else hashes)
        return pd.Series(keys).duplicated(keep="first").to_numpy()


@dataclass(frozen=True)
class NgramRepeats:
    starts: np.ndarray  # word index of each n-gram occurring more than once in its document
    keys: np.ndarray  # its hash, made distinct per document
    repeated: np.ndarray  # True for the second and later occurrences


class TextBatch:
    """Documents of one partition with shared, lazily computed token arrays."""

    def __init__(self, texts):
        self.texts: pa.Array = _as_array(texts)
        self.n = len(self.texts)
        self._repeats: dict[int, NgramRepeats] = {}

    @cached_property
    def chars(self) -> np.ndarray:
        return pc.utf8_length(self.texts).to_numpy(zero_copy_only=False).astype(np.int64)

    @cached_property
    def words(self) -> Pieces:
        return Pieces(pc.utf8_split_whitespace(self.texts), self.n)

    @cached_property
    def lines(self) -> Pieces:
        """Non-blank lines, stripped."""
        return Pieces(pc.split_pattern(self.texts, "\n"), self.n, keep_empty=False)

    @cached_property
    def paragraphs(self) -> Pieces:
        """Blocks separated by a blank line, stripped."""
        return Pieces(pc.split_pattern_regex(self.texts, r"\n[ \t]*\n"), self.n, keep_empty=False)

    @cached_property
    def word_chars_total(self) -> np.ndarray:
        return self.words.per_doc(self.words.chars)

    def _word_any(self, byte_table: np.ndarray) -> np.ndarray:
        """Per word: does any of its bytes satisfy ``byte_table``? (one reduceat over the buffer)"""
        offsets, data = string_buffers(self.words.values)
        data = data[: offsets[-1]]
        hit = np.zeros(len(offsets) - 1, dtype=bool)
        nonempty = offsets[1:] > offsets[:-1]
        if nonempty.any():
            hit[nonempty] = np.logical_or.reduceat(byte_table[data], offsets[:-1][nonempty])
        return hit

    def _word_class(self, ascii_table: np.ndarray, unicode_pattern: str) -> np.ndarray:
        """Per word: contains a byte of ``ascii_table``, or (for non-ASCII words without one)
        matches ``unicode_pattern``; the regex sees only those few words."""
        hit = self._word_any(ascii_table)
        todo = np.flatnonzero(~hit & self._wide)
        if len(todo):
            sub = self.words.values.take(pa.array(todo))
            hit[todo] = pc.match_substring_regex(sub, unicode_pattern).to_numpy(zero_copy_only=False)
        return hit

    @cached_property
    def _wide(self) -> np.ndarray:
        return self._word_any(_NON_ASCII)

    @cached_property
    def word_has_letter(self) -> np.ndarray:
        return self._word_class(_ASCII_LETTER, r"\pL")

    @cached_property
    def word_has_alnum(self) -> np.ndarray:
        """False for pure punctuation/symbol tokens ("|", "--", "&"), which are not words."""
        return self._word_class(_ASCII_ALNUM, r"[\pL\pN]")

    @cached_property
    def real_word_count(self) -> np.ndarray:
        return self.words.per_doc(self.word_has_alnum)

    @cached_property
    def bare_words(self) -> pa.Array:
        """Lower-cased words without surrounding punctuation (for stop-word matching)."""
        return pc.utf8_trim(pc.utf8_lower(self.words.values), characters=_PUNCT)

    @cached_property
    def _ngram_prefix(self) -> np.ndarray:
        h = self.words.hashes
        with np.errstate(over="ignore"):
            ipw = powers(_NGRAM_P_INV, max(len(h), 1))[: len(h)]
            prefix = np.zeros(len(h) + 1, dtype=np.uint64)
            np.cumsum(h * ipw, out=prefix[1:])
        return prefix

    @cached_property
    def _ngram_powers(self) -> np.ndarray:
        with np.errstate(over="ignore"):
            return powers(_NGRAM_P, len(self.words) + 1)

    def ngrams(self, n: int, candidates: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(start word index, hash) of every word n-gram lying inside one document, optionally
        only those starting at ``candidates`` (sorted word indices)."""
        m = len(self.words) - n + 1
        if m <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.uint64)
        parent = self.words.parent
        if candidates is None:
            starts = np.flatnonzero(parent[:m] == parent[n - 1 :])
        else:
            starts = candidates[candidates < m]
            starts = starts[parent[starts] == parent[starts + n - 1]]
        prefix, pw = self._ngram_prefix, self._ngram_powers
        with np.errstate(over="ignore"):
            h = (prefix[starts + n] - prefix[starts]) * pw[starts + n - 1]
            h = fmix64(h ^ np.uint64(n))
        return starts, h

    def ngram_repeats(self, n: int) -> NgramRepeats:
        """Every n-gram that occurs more than once in its document, with its hash and whether it
        repeats an earlier occurrence.

        The m-gram prefix (m < n) of such an n-gram occurs more than once too, so once some m < n
        is done only positions whose m-gram does are examined: exact, and a fraction of the work.
        """
        if n in self._repeats:
            return self._repeats[n]
        done = [m for m in self._repeats if m < n]
        candidates = self._repeats[max(done)].starts if done else None
        starts, hashes = self.ngrams(n, candidates)
        keys = pd.Series(self.words.doc_keys(hashes, self.words.parent[starts]))
        multi = keys.duplicated(keep=False).to_numpy()
        found = NgramRepeats(starts[multi], keys.to_numpy()[multi], keys[multi].duplicated(keep="first").to_numpy())
        self._repeats[n] = found
        return found

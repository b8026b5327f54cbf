"""Shingling from raw string buffers (curator.shingles: what both backends run, numpy here, cupy in
tests/curator/test_curate_gpu.py) against the kernels' hashes written out in plain Python, bit for bit."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from curator import hashing, normalize, shingles
from tests.support import shingles as ref
from tests.support.shingles import adversarial_corpus

SHINGLINGS = [("word", 1), ("word", 3), ("word", 5), ("char", 3), ("char", 8), ("char", 24)]


def _inputs():
    texts, _, _ = adversarial_corpus()
    raw = pa.array(texts + ["\t tab\tand  double  spaces \n", "x" * 3000], type=pa.large_string())
    keys = normalize.dedup_keys(raw)
    # A slice shares its parent's bytes and offsets (this once broke the char path).
    return {"raw": raw, "keys": keys, "sliced keys": keys.slice(20, 40)}


def _reference(arr: pa.Array, shingle: str, n: int) -> tuple[list[int], list[int]]:
    doc, hashes = [], []
    for d, text in enumerate(arr.to_pylist()):
        found = ref.shingle_hashes(text, shingle, n)
        doc += [d] * len(found)
        hashes += found
    return doc, hashes


@pytest.mark.parametrize("shingle, n", SHINGLINGS)
@pytest.mark.parametrize("max_bytes", [1, 7, 300, None])  # chunking must not change a hash
def test_shingle_hashes_equal_the_python_reference(shingle, n, max_bytes):
    for name, arr in _inputs().items():
        want_doc, want = _reference(arr, shingle, n)
        offsets, data = hashing.string_buffers(arr)
        doc, got = shingles.shingle_hashes(offsets, data, shingle, n, np, max_bytes=max_bytes)
        assert len(want) > 100, name
        assert doc.tolist() == want_doc, name
        assert got.tolist() == want, name


def test_span_hashes_equal_the_python_reference_in_any_number_of_passes():
    words = ["", "a", "ab", "été", "日本語", "x" * 700, "a\0", "\0a"] * 3
    offsets, data = hashing.string_buffers(pa.array(words, type=pa.large_string()))
    want = [ref.span_hash(w.encode()) for w in words]
    for max_bytes in (1, 5, 64, None):
        assert hashing.span_hashes(data, offsets[:-1], offsets[1:], max_bytes=max_bytes).tolist() == want
    assert hashing.string_hashes(pa.array(words)).tolist() == want  # a 32-bit-offset array too


@pytest.mark.parametrize("shingle, n", SHINGLINGS)
def test_shingle_sets_hold_the_distinct_hashes_in_first_seen_order(shingle, n):
    arr = _inputs()["keys"]
    sets = shingles.shingle_sets(*hashing.string_buffers(arr), shingle, n, np)
    want_hashes = []
    for text in arr.to_pylist():
        seen = list(dict.fromkeys(ref.shingle_hashes(text, shingle, n)))
        want_hashes += seen
    assert sets.hashes.tolist() == want_hashes
    assert sets.starts.tolist() == (np.cumsum(sets.sizes) - sets.sizes).tolist()
    doc = np.repeat(np.arange(len(arr)), sets.sizes)
    with np.errstate(over="ignore"):
        assert sets.members.tolist() == (sets.hashes ^ shingles.doc_keys(doc)).tolist()


def test_string_buffers_of_a_pandas_series_with_missing_values():
    series = pd.Series(["ab", None, "", "été"], dtype="str")
    offsets, data = hashing.string_buffers(series, np)
    assert offsets.tolist() == [0, 2, 2, 2, 7]
    assert bytes(data[:7]).decode() == "abété"


def test_empty_inputs():
    offsets = np.zeros(3, dtype=np.int64)
    for shingle in ("word", "char"):
        doc, h = shingles.shingle_hashes(offsets, np.zeros(0, np.uint8), shingle, 3, np)
        assert len(doc) == len(h) == 0
        sets = shingles.shingle_sets(offsets, np.zeros(0, np.uint8), shingle, 3, np)
        assert sets.sizes.tolist() == [0, 0]
    doc, h = shingles.shingle_hashes(np.zeros(1, np.int64), np.zeros(0, np.uint8), "word", 3, np)
    assert len(doc) == 0
    assert hashing.span_hashes(np.zeros(0, np.uint8), np.zeros(0, np.int64), np.zeros(0, np.int64)).shape == (0,)

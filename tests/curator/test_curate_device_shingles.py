"""Shingling from raw string buffers (curator.device_shingles, what the GPU runs with cupy) against
the Arrow-based CPU shingling, bit for bit, on numpy. tests/test_curate_gpu.py repeats it on cupy."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from curator import device_shingles, hashing, minhash, normalize
from tests.support.shingles import adversarial_corpus

SHINGLINGS = [("word", 1), ("word", 3), ("word", 5), ("char", 3), ("char", 8), ("char", 24)]


def _inputs():
    texts, _, _ = adversarial_corpus()
    raw = pa.array(texts + ["\t tab\tand  double  spaces \n", "x" * 5000], type=pa.large_string())
    keys = normalize.dedup_keys(raw)
    # A slice shares its parent's bytes and offsets (this once broke the Arrow char path).
    return {"raw": raw, "keys": keys, "sliced keys": keys.slice(20, 40)}


@pytest.mark.parametrize("shingle, n", SHINGLINGS)
@pytest.mark.parametrize("max_bytes", [1, 7, 300, 1 << 24])  # chunking must not change a hash
def test_shingle_hashes_equal_the_arrow_path(shingle, n, max_bytes):
    for name, arr in _inputs().items():
        want_doc, want = minhash.shingle_hashes(arr, shingle, n)
        offsets, data = hashing.string_buffers(arr)
        doc, got = device_shingles.shingle_hashes(offsets, data, shingle, n, np, max_bytes=max_bytes)
        assert len(want) > 100, name
        assert doc.tolist() == want_doc.tolist(), name
        assert got.tolist() == want.tolist(), name


@pytest.mark.parametrize("shingle, n", SHINGLINGS)
def test_shingle_sets_equal_the_arrow_path(shingle, n):
    arr = _inputs()["keys"]
    want = minhash.shingle_sets(arr, shingle, n)
    got = device_shingles.shingle_sets(*hashing.string_buffers(arr), shingle, n, np)
    for field in ("hashes", "starts", "sizes", "members"):
        assert getattr(got, field).tolist() == getattr(want, field).tolist(), field


def test_string_buffers_of_a_pandas_series_with_missing_values():
    series = pd.Series(["ab", None, "", "été"], dtype="str")
    offsets, data = device_shingles.string_buffers(series, np)
    assert offsets.tolist() == [0, 2, 2, 2, 7]
    assert bytes(data[:7]).decode() == "abété"


def test_empty_inputs():
    offsets = np.zeros(3, dtype=np.int64)
    for shingle in ("word", "char"):
        doc, h = device_shingles.shingle_hashes(offsets, np.zeros(0, np.uint8), shingle, 3, np)
        assert len(doc) == len(h) == 0
        sets = device_shingles.shingle_sets(offsets, np.zeros(0, np.uint8), shingle, 3, np)
        assert sets.sizes.tolist() == [0, 0]
    doc, h = device_shingles.shingle_hashes(np.zeros(1, np.int64), np.zeros(0, np.uint8), "word", 3, np)
    assert len(doc) == 0

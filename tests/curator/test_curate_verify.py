"""True Jaccard of candidate pairs: the array-module path (numpy here, cupy on the GPU, see
tests/curator/test_curate_gpu.py) against plain Python sets and against the CPU hash-table path, bit for bit."""


import numpy as np
import pyarrow as pa
import pytest

from curator import hashing, jaccard, shingles
from tests.support.shingles import adversarial_corpus, char_shingles, word_shingles

VOCAB = [f"w{i}" for i in range(40)] + ["été", "naïve", "straße", "日本語", "ключ", "🚗", "x"]


def python_jaccard(texts, u, v, shingle: str, n: int) -> list[float]:
    ref = word_shingles if shingle == "word" else char_shingles
    sets = [ref(t, n) for t in texts]
    return [len(sets[a] & sets[b]) / len(sets[a] | sets[b]) if sets[a] | sets[b] else 0.0
            for a, b in zip(u, v)]


def arr(texts) -> pa.Array:
    return pa.array(list(texts), type=pa.large_string())


def sets_of(texts, shingle: str, n: int) -> shingles.ShingleSets:
    return shingles.shingle_sets(*hashing.string_buffers(arr(texts)), shingle, n)


@pytest.mark.parametrize("shingle, n", [("word", 1), ("word", 3), ("word", 5), ("char", 3), ("char", 8)])
@pytest.mark.parametrize("max_probes", [1, 97, 1 << 25])
def test_sorted_lookup_equals_python_sets_and_the_hash_path_bit_for_bit(shingle, n, max_probes):
    texts, u, v = adversarial_corpus()
    sets = sets_of(texts, shingle, n)
    got = jaccard.set_jaccard(sets, u, v, np, lookup="sorted", max_probes=max_probes)
    assert got.dtype == np.float64 and got.shape == u.shape
    # Python's int / int is correctly rounded, like float64 division of the counts: exact equality.
    assert got.tolist() == python_jaccard(texts, u, v, shingle, n)
    bits = got.view(np.uint64).tolist()
    assert jaccard.set_jaccard(sets, u, v, np, lookup="hash", max_probes=max_probes).view(np.uint64).tolist() == bits
    assert jaccard.pair_jaccard(arr(texts), u, v, shingle, n).view(np.uint64).tolist() == bits
    assert {0.0, 1.0} <= set(got.tolist()) and len(set(got.tolist())) > 20  # edge values and many in between


@pytest.mark.parametrize("shingle, n", [("word", 3), ("char", 4)])
def test_shingle_sets_hold_each_documents_distinct_shingles(shingle, n):
    texts, _, _ = adversarial_corpus(seed=1)
    sets = sets_of(texts, shingle, n)
    ref = word_shingles if shingle == "word" else char_shingles
    assert sets.sizes.tolist() == [len(ref(t, n)) for t in texts]
    assert sets.starts.tolist() == (np.cumsum(sets.sizes) - sets.sizes).tolist()
    assert len(sets.hashes) == len(sets.members) == sets.sizes.sum()
    assert len(np.unique(sets.members)) == len(sets.members)
    def group(d):
        return sets.hashes[sets.starts[d]: sets.starts[d] + sets.sizes[d]]

    for d, t in enumerate(texts):  # a document's group holds distinct hashes; equal texts, equal groups
        assert len(np.unique(group(d))) == len(group(d))
        assert sorted(group(d).tolist()) == sorted(group(texts.index(t)).tolist())


def test_probe_chunks_cover_every_pair_once_within_the_limit():
    rng = np.random.default_rng(0)
    count = rng.integers(0, 50, 1000)
    count[[3, 400, 999]] = 0
    count[500] = 1000  # one pair over the limit gets a chunk of its own
    chunks = jaccard.probe_chunks(count, 120)
    assert chunks[0][0] == 0 and chunks[-1][1] == len(count)
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
    for lo, hi in chunks:
        assert count[lo:hi].sum() <= 120 or hi - lo == 1
        assert hi == len(count) or count[lo:hi + 1].sum() > 120  # chunks are filled, not split early
    assert jaccard.probe_chunks(np.zeros(0, np.int64), 10) == []


def test_no_pairs_and_documents_without_shingles():
    sets = sets_of(["", "a b", "", "c d e"], "word", 3)
    assert sets.sizes.tolist() == [0, 1, 0, 1]
    none = jaccard.set_jaccard(sets, np.zeros(0, np.int64), np.zeros(0, np.int64), np)
    assert none.shape == (0,)
    got = jaccard.set_jaccard(sets, np.array([0, 0, 1, 1]), np.array([0, 2, 3, 1]), np)
    assert got.tolist() == [0.0, 0.0, 0.0, 1.0]  # empty with empty: 0, not a division by zero
    empty = sets_of(["", ""], "char", 5)
    assert jaccard.set_jaccard(empty, np.array([0]), np.array([1]), np).tolist() == [0.0]

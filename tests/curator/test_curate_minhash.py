"""Hashing, MinHash, LSH candidate pairs, Jaccard and connected components against plain Python."""

import random

import numpy as np
import pyarrow as pa
import pytest

from curator import hashing, jaccard, minhash, shingles
from curator.components import connected_components
from tests.support.shingles import char_shingles, mutate, word_shingles


def arr(texts) -> pa.Array:
    return pa.array(list(texts), type=pa.large_string())


def shingle_hashes(texts, shingle: str, n: int):
    return shingles.shingle_hashes(*hashing.string_buffers(arr(texts)), shingle, n)


def test_equal_strings_hash_equal_wherever_they_sit(monkeypatch):
    monkeypatch.setattr(hashing, "CHUNK_BYTES", 64)  # force many prefix-sum passes
    rng = random.Random(0)
    words = ["".join(rng.choice("abcé") for _ in range(rng.randint(0, 9))) for _ in range(3000)]
    h = hashing.string_hashes(arr(words))
    by_word = {}
    for w, x in zip(words, h.tolist()):
        assert by_word.setdefault(w, x) == x
    assert len(set(by_word.values())) == len(by_word)  # no collisions among distinct words
    assert hashing.string_hashes(arr(["a", "a\0", "\0a"])).tolist()[0] not in hashing.string_hashes(arr(["a\0", "\0a"])).tolist()


@pytest.mark.parametrize("shingle, n", [("word", 3), ("word", 5), ("char", 8)])
def test_pair_jaccard_is_exact(shingle, n):
    rng = random.Random(1)
    base = [f"w{rng.randint(0, 300)}" for _ in range(200)]
    texts = [" ".join(mutate(rng, base, rate)) for rate in (0.0, 0.02, 0.1, 0.3, 1.0)] + ["a b", "é ü ö"]
    u = np.array([0, 0, 0, 0, 1, 5, 6, 6])
    v = np.array([1, 2, 3, 4, 2, 6, 6, 0])
    got = jaccard.pair_jaccard(arr(texts), u, v, shingle, n)
    ref = word_shingles if shingle == "word" else char_shingles
    want = [len(ref(texts[a], n) & ref(texts[b], n)) / len(ref(texts[a], n) | ref(texts[b], n)) for a, b in zip(u, v)]
    np.testing.assert_allclose(got, want)


def test_minhash_estimate_tracks_jaccard_and_is_seeded():
    rng = random.Random(2)
    base = [f"w{rng.randint(0, 5000)}" for _ in range(400)]
    texts = [" ".join(base)] + [" ".join(mutate(rng, base, r)) for r in (0.02, 0.05, 0.1, 0.2, 0.5)]
    doc, h = shingle_hashes(texts, "word", 3)
    a, b = minhash.permutations(256, seed=7)
    sig = minhash.signatures(doc, h, len(texts), a, b)
    assert sig.dtype == np.uint32 and sig.shape == (6, 256)
    est = minhash.signature_similarity(sig[[0] * 5], sig[1:])
    true = jaccard.pair_jaccard(arr(texts), np.zeros(5, int), np.arange(1, 6), "word", 3)
    assert np.abs(est - true).max() < 4 * np.sqrt(0.25 / 256)
    again = minhash.signatures(doc, h, len(texts), *minhash.permutations(256, seed=7))
    other = minhash.signatures(doc, h, len(texts), *minhash.permutations(256, seed=8))
    assert (again == sig).all() and not (other == sig).all()


def test_documents_split_across_signature_chunks_get_the_same_signature(monkeypatch):
    texts = [" ".join(f"w{i}" for i in range(k, k + 300)) for k in range(0, 50, 10)]
    doc, h = shingle_hashes(texts, "word", 3)
    a, b = minhash.permutations(64, seed=1)
    whole = minhash.signatures(doc, h, len(texts), a, b)
    monkeypatch.setattr(minhash, "_CELLS_PER_CHUNK", 64 * 7)  # 7 shingles per chunk
    assert (minhash.signatures(doc, h, len(texts), a, b) == whole).all()


def test_short_documents_have_one_shingle_and_empty_ones_none():
    doc, h = shingle_hashes(["one two", "", "a b c d"], "word", 3)
    assert doc.tolist() == [0, 2, 2]
    doc, h = shingle_hashes(["ab", "", "abcd"], "char", 3)
    assert doc.tolist() == [0, 2, 2]


def test_bucket_pairs_all_pairs_for_small_buckets_and_stars_for_big_ones():
    bucket = np.array([5, 5, 5, 9, 7, 7, 7, 7, 7, 3], dtype=np.uint64)
    ords = np.array([30, 10, 20, 40, 50, 51, 52, 53, 54, 60], dtype=np.int64)
    u, v = minhash.bucket_pairs(bucket, ords, max_pairs_bucket=3)
    pairs = set(zip(u.tolist(), v.tolist()))
    assert {(10, 20), (10, 30), (20, 30)} <= pairs  # bucket 5: size 3, all pairs
    assert {(50, 51), (50, 52), (50, 53), (50, 54)} <= pairs  # bucket 7: size 5 > 3, star on 50
    assert len(pairs) == 7


def _reference_components(u, v):
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for a, b in zip(u, v):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


@pytest.mark.parametrize("seed", range(5))
def test_connected_components_keep_the_smallest_node(seed):
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 400, 300) * 3 + 1
    v = rng.integers(0, 400, 300) * 3 + 1
    nodes, roots = connected_components(u, v)
    ref = _reference_components(u.tolist(), v.tolist())
    members: dict = {}
    for x in nodes.tolist():
        members.setdefault(ref[x], []).append(x)
    assert roots.tolist() == [min(members[ref[x]]) for x in nodes.tolist()]


def test_components_of_nothing_and_of_a_chain():
    nodes, roots = connected_components(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert len(nodes) == 0 and len(roots) == 0
    chain = np.arange(1000)
    nodes, roots = connected_components(chain[1:], chain[:-1])  # worst case for naive propagation
    assert (roots == 0).all()

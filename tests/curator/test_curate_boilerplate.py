"""Near-duplicates that do not chain: boilerplate shingles (document frequencies, runs, whole
documents) and star clusters, on small literal inputs, against brute force in plain Python."""

import random
from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from curator import boilerplate as bp
from curator import dedup, hashing, shingles
from curator.clusters import star_clusters
from curator.config import FuzzyDedupConfig
from tests.support.shingles import mutate

VOCAB = [f"w{i}" for i in range(5000)]
NAV = "home | docs | blog | about us | contact | downloads | community | support | pricing | careers"
COOKIE = ("we use cookies and similar technologies to provide the best experience on our website to analyse "
          "traffic and to personalise content by clicking accept all you agree to the storing of cookies on "
          "your device you can change your preferences at any time in the cookie settings")
LICENSE = ("permission is hereby granted free of charge to any person obtaining a copy of this software and "
           "associated documentation files to deal in the software without restriction including without "
           "limitation the rights to use copy modify merge publish distribute sublicense and or sell copies")


def _frame(keys: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"ord": np.arange(len(keys), dtype=np.int64) * 3 + 1, "key": pd.Series(keys, dtype="str")})
    frame["n_words"] = frame["key"].str.count(" ").astype(np.int32) + 1
    return frame


def _site_corpus(seed: int = 0) -> tuple[list[str], dict[int, int]]:
    """Fourteen distinct short pages of one site (the template is most of each page), one near copy
    of page 3 and unrelated pages; returns the keys and {copy row: original row}."""
    rng = random.Random(seed)
    pages = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(40, 90))) for _ in range(14)]
    keys = [f"{NAV} {COOKIE} {page} {LICENSE}" for page in pages]
    copy = f"{NAV} {COOKIE} {' '.join(mutate(rng, pages[3].split(), 0.05))} {LICENSE}"
    keys.append(copy)
    keys += [" ".join(rng.choice(VOCAB) for _ in range(120)) for _ in range(6)]
    return keys, {14: 3}


def test_distinct_pages_of_one_site_stay_and_a_real_copy_goes():
    keys, planted = _site_corpus()
    frame = _frame(keys)
    ords = frame["ord"].to_numpy()
    result = dedup.fuzzy_duplicates(frame, FuzzyDedupConfig())
    assert dict(zip(result.removed["ord"], result.removed["kept"])) == {ords[c]: ords[o] for c, o in planted.items()}
    assert result.stats["boilerplate_shingles"] > 50
    # The old setting (no boilerplate handling, transitive closure) removes the site's pages: the
    # test above would fail there.
    old = dedup.fuzzy_duplicates(frame, FuzzyDedupConfig(boilerplate_min_docs=0, clustering="components"))
    assert len(old.removed) >= 10


def test_common_shingles_are_exact_document_frequencies():
    rng = random.Random(1)
    texts = [" ".join(rng.choice(VOCAB[:30]) for _ in range(rng.randint(1, 60))) for _ in range(300)]
    offsets, data = hashing.string_buffers(pa.array(texts, type=pa.large_string()))
    doc, hashes = shingles.shingle_hashes(offsets, data, "word", 2)
    df = Counter()
    for d in range(len(texts)):
        df.update(set(hashes[doc == d].tolist()))
    for min_docs in (2, 10, 40):
        want = sorted(h for h, n in df.items() if n >= min_docs)
        assert bp.common_shingles(doc, hashes, min_docs).tolist() == want
        # Tiny counter arrays (many collisions) and several blocks give the same set.
        bits = 3
        blocks = [(0, 100), (100, 301)]
        sketch = sum(bp.occurrence_counts(hashes[(doc >= a) & (doc < b)], bits) for a, b in blocks)
        parts = [bp.document_counts(doc[(doc >= a) & (doc < b)], hashes[(doc >= a) & (doc < b)],
                                    sketch >= min_docs, bits) for a, b in blocks]
        assert bp.common_from_counts(parts, min_docs).tolist() == want


def test_boilerplate_runs_bridges_and_whole_documents():
    common_words = [f"c{i}" for i in range(40)]

    def mask(text: str, max_fraction: float = 0.9) -> list[bool]:
        offsets, data = hashing.string_buffers(pa.array([text], type=pa.large_string()))
        doc, hashes = shingles.shingle_hashes(offsets, data, "word", 1)
        common_text = " ".join(common_words)
        c_off, c_data = hashing.string_buffers(pa.array([common_text], type=pa.large_string()))
        common = np.sort(shingles.shingle_hashes(c_off, c_data, "word", 1)[1])
        rule = bp.Boilerplate(common, min_run=6, max_fraction=max_fraction, gap=2)
        return rule.keep(doc, hashes).tolist()

    run = " ".join(common_words[:8])
    content = " ".join(f"u{i}" for i in range(20))
    # A long run of common shingles is boilerplate; a short one (a shared phrase) is not.
    assert mask(f"{run} {content}") == [False] * 8 + [True] * 20
    assert mask(f"c1 c2 c3 {content}") == [True] * 23
    # A run broken by one edited word continues over it; a page's own content between runs does not.
    assert mask(f"{run} x {run} {content}") == [False] * 17 + [True] * 20
    assert mask(f"{run} {content} {run}") == [False] * 8 + [True] * 20 + [False] * 8
    # Mostly boilerplate: the document is its own text, compared whole.
    assert mask(f"{run} {run} u1") == [True] * 17
    assert mask(f"{run} {run} u1", max_fraction=1.0) == [False] * 16 + [True]


def test_a_copy_of_a_widely_quoted_text_is_still_found():
    """Twelve pages quote one text (its shingles are common); its near copy must still go."""
    rng = random.Random(2)
    quoted = [rng.choice(VOCAB) for _ in range(150)]
    keys = [" ".join(quoted)]
    for _ in range(12):
        start = rng.randrange(60)
        keys.append(" ".join([rng.choice(VOCAB) for _ in range(80)] + quoted[start:start + 80]))
    keys.append(" ".join(mutate(rng, quoted, 0.1)))
    frame = _frame(keys)
    result = dedup.fuzzy_duplicates(frame, FuzzyDedupConfig())
    ords = frame["ord"].to_numpy()
    assert result.stats["boilerplate_shingles"] > 50
    assert dict(zip(result.removed["ord"], result.removed["kept"])) == {ords[-1]: ords[0]}


def test_star_clusters_remove_only_documents_near_the_kept_one():
    # A chain 1-4-7-10-13 of near pairs; no other pair is near: transitive closure would keep 1 only.
    u = np.array([1, 4, 7, 10], dtype=np.int64)
    v = np.array([4, 7, 10, 13], dtype=np.int64)
    sim = np.full(4, 0.5)
    asked = []

    def similarity(a, b):
        asked.extend(zip(a.tolist(), b.tolist()))
        return np.full(len(a), 0.1)

    removed, stats = star_clusters(u, v, sim, 0.3, similarity)
    kept = dict(zip(removed["ord"], removed["kept"]))
    assert kept == {1: 4, 7: 4, 13: 10}  # centers 4 (most pairs, earliest) then 10
    assert (removed["similarity"] >= 0.3).all() and stats["rounds"] == 2
    assert (10, 4) not in asked and (4, 10) in asked  # members far from the center were checked, not removed
    # A family: the original (5) is near both copies, the copies are not near each other; it is kept
    # although a copy comes first in the input.
    removed, _ = star_clusters(np.array([1, 5]), np.array([5, 9]), np.array([0.6, 0.7]), 0.3)
    assert dict(zip(removed["ord"], removed["kept"])) == {1: 5, 9: 5}


@pytest.mark.parametrize("verify", [True, False])
def test_star_and_components_agree_on_plain_families(verify):
    rng = random.Random(3)
    keys = []
    for _ in range(10):
        base = [rng.choice(VOCAB) for _ in range(120)]
        keys += [" ".join(base), " ".join(mutate(rng, base, 0.05))]
    frame = _frame(keys).sample(frac=1.0, random_state=2)
    star = dedup.fuzzy_duplicates(frame, FuzzyDedupConfig(verify=verify))
    comp = dedup.fuzzy_duplicates(frame, FuzzyDedupConfig(verify=verify, clustering="components"))
    assert len(star.removed) == 10
    pd.testing.assert_frame_equal(star.removed[["ord", "kept"]], comp.removed[["ord", "kept"]])


def test_boilerplate_kernels_on_the_default_data_with_numpy():
    """The CPU side of tests/curator/test_curate_gpu.py::test_boilerplate_kernels_on_cupy_are_bit_identical:
    document frequencies, boilerplate runs and the boilerplate-aware sorted-lookup Jaccard on
    numpy equal the host hash-table path bit for bit, and the rule changes some pairs."""
    from curator import jaccard
    from tests.support.shingles import default_data_candidates

    keys, u, v = default_data_candidates()
    offsets, data = hashing.string_buffers(keys)
    doc, hashes = shingles.shingle_hashes(offsets, data, "word", 3)
    common = bp.common_shingles(doc, hashes, 10)
    assert len(common) > 100
    rule = bp.Boilerplate(common, bp.min_run("word", 3, 8), 0.9, gap=6, content_floor=0.15)
    keep = rule.keep(doc, hashes, np)
    assert 0 < (~keep).sum() < len(keep)
    host = jaccard.pair_jaccard(keys, u, v, "word", 3, rule)
    full, stripped, content = shingles.comparison_sets(offsets, data, "word", 3, np, rule)
    got = jaccard.set_jaccard(full, u, v, np, lookup="sorted", boilerplate_sets=stripped, content_sets=content,
                              content_floor=rule.content_floor)
    assert got.view(np.uint64).tolist() == host.view(np.uint64).tolist()
    assert (host != jaccard.pair_jaccard(keys, u, v, "word", 3)).sum() > 10

"""Exact and fuzzy dedup as Dask jobs on a real LocalCluster, on a small literal corpus."""

import dataclasses
import random

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from curator import backend, dedup, engine
from curator.config import Backend, CurateConfig, FuzzyDedupConfig
from pipeline.dask_cluster import ClusterConfig, dask_client


@pytest.fixture(scope="module")
def client():
    with dask_client(ClusterConfig(n_workers=1)) as c:
        yield c


def _corpus() -> pd.DataFrame:
    rng = random.Random(3)
    vocab = [f"word{i}" for i in range(3000)]
    originals = [" ".join(rng.choice(vocab) for _ in range(150)) for _ in range(40)]
    keys, expected = [], {}
    for text in originals:
        keys.append(text)
    # near-duplicates of originals 0..9 (5% of words replaced), appended later in input order
    for k in range(10):
        words = originals[k].split()
        for i in rng.sample(range(len(words)), 7):
            words[i] = rng.choice(vocab)
        expected[len(keys)] = k
        keys.append(" ".join(words))
    keys.append(originals[3])  # an exact copy
    keys.append("too short")  # fewer words than one 3-gram? no: 2 words < 3: skipped by fuzzy
    frame = pd.DataFrame({"ord": np.arange(len(keys), dtype=np.int64) * 10 + 5, "key": pd.Series(keys, dtype="str")})
    frame["n_words"] = frame["key"].str.split().str.len().astype(np.int32)
    return frame, expected


def test_exact_dedup_keeps_the_earliest_copy(client):
    frame = pd.DataFrame({"ord": [7, 3, 9, 1, 4], "key": pd.Series(["b", "a", "a", "c", "b"], dtype="str")})
    removed, rest = dedup.exact_duplicates(dd.from_pandas(frame, npartitions=3))
    assert removed.to_dict("list") == {"ord": [7, 9], "kept": [4, 3]}
    assert sorted(rest.compute()["ord"]) == [1, 3, 4]
    in_memory, rest = dedup.exact_duplicates(frame)  # one in-memory frame: the same removals
    pd.testing.assert_frame_equal(in_memory, removed)
    assert sorted(rest["ord"]) == [1, 3, 4]


def test_fuzzy_dedup_finds_planted_near_duplicates(client):
    frame, expected = _corpus()
    src = dd.from_pandas(frame, npartitions=4)
    result = dedup.fuzzy_duplicates(src, FuzzyDedupConfig(), n_workers=1)
    ords = frame["ord"].to_numpy()
    want = {ords[i]: ords[k] for i, k in expected.items()}
    want[ords[len(frame) - 2]] = ords[3]  # the exact copy is also a (Jaccard 1.0) near-duplicate
    got = dict(zip(result.removed["ord"], result.removed["kept"]))
    assert got == want
    assert (result.removed["jaccard"] >= 0.3).all()
    assert result.stats["accepted_pairs"] >= len(want)
    assert result.stats["verify_device"] == "cpu" and result.stats["verified_pairs"] >= len(want)
    assert 0 < result.stats["seconds_verify"] < result.stats["seconds_total"]


def test_fuzzy_dedup_without_verification_uses_the_estimate(client):
    frame, expected = _corpus()
    result = dedup.fuzzy_duplicates(dd.from_pandas(frame, npartitions=2), FuzzyDedupConfig(verify=False), n_workers=1)
    assert len(result.removed) == len(expected) + 1
    assert result.removed["jaccard"].isna().all() and (result.removed["estimate"] >= 0.3).all()


def test_fuzzy_dedup_with_character_shingles(client):
    frame, expected = _corpus()
    cfg = FuzzyDedupConfig(shingle="char", ngram=12, bands=20, rows=5, threshold=0.5)
    result = dedup.fuzzy_duplicates(dd.from_pandas(frame, npartitions=2), cfg, n_workers=1)
    assert set(result.removed["ord"]) == {frame["ord"][i] for i in expected} | {frame["ord"].iloc[-2]}


@pytest.mark.parametrize("verify", [True, False])
def test_in_memory_fuzzy_phase_equals_the_dask_shuffle(client, verify):
    """The single-process path (what one GPU worker uses) must give the very same pairs and
    removals as the shuffled one, including buckets larger than max_pairs_bucket (star edges)."""
    frame, _ = _corpus()
    rng = random.Random(5)
    template = frame["key"].iloc[0].split()
    extra = []
    for _ in range(40):  # one templated page with small edits: buckets of ~40 documents
        words = list(template)
        for i in rng.sample(range(len(words)), 3):
            words[i] = f"edit{rng.randrange(10**6)}"
        extra.append(" ".join(words))
    more = pd.DataFrame({"ord": np.arange(len(extra), dtype=np.int64) * 10 + 10_001, "key": pd.Series(extra, dtype="str")})
    more["n_words"] = more["key"].str.split().str.len().astype(np.int32)
    frame = pd.concat([frame, more], ignore_index=True).sample(frac=1.0, random_state=1)
    cfg = FuzzyDedupConfig(verify=verify, max_pairs_bucket=8)
    shuffled = dedup.fuzzy_duplicates(dd.from_pandas(frame, npartitions=3), cfg, n_workers=1)
    in_memory = dedup.fuzzy_duplicates(frame, cfg)
    assert in_memory.stats["in_memory"] and not shuffled.stats["in_memory"]
    assert len(in_memory.removed) >= 40 + 10
    assert in_memory.stats["verified_pairs"] == shuffled.stats["verified_pairs"] and (not verify or in_memory.stats["verified_pairs"] > 0)
    pd.testing.assert_frame_equal(in_memory.pairs, shuffled.pairs)
    pd.testing.assert_frame_equal(in_memory.removed, shuffled.removed)


@pytest.mark.parametrize("shingle, ngram", [("word", 3), ("char", 12)])
def test_in_memory_dedup_phase_equals_the_shuffled_phase(client, tmp_path, shingle, ngram):
    """engine.dedup_phase both ways on an annotated collection: same exact and fuzzy removals."""
    frame, _ = _corpus()
    frame = pd.concat([frame, frame.iloc[:5].assign(ord=frame["ord"].iloc[:5] + 7)], ignore_index=True)  # exact copies
    frame["status"] = "alive"
    frame.loc[3, "status"] = "removed"  # not alive: in neither dedup
    annotated = dd.from_pandas(frame, npartitions=3)
    fuzzy = FuzzyDedupConfig(shingle=shingle, ngram=ngram)
    results = {}
    for in_memory in (False, True):
        cfg = CurateConfig(input="unused", dedup_in_memory=in_memory, fuzzy=fuzzy)
        results[in_memory] = engine.dedup_phase(annotated, cfg, n_workers=1)
    (ex_m, fz_m, t_m), (ex_s, fz_s, _) = results[True], results[False]
    # copies of rows 0, 1, 2, 4, and the corpus's own copy of row 3 now keeps row 3's copy (row 3 is not alive)
    assert dict(zip(ex_m["ord"], ex_m["kept"])) == {12: 5, 22: 15, 32: 25, 52: 45, frame["ord"].iloc[-7]: 42}
    assert 35 not in set(fz_m.removed["ord"]) | set(fz_m.removed["kept"])
    assert "gather_s" in t_m and fz_m.stats["in_memory"]
    pd.testing.assert_frame_equal(ex_m, ex_s)
    pd.testing.assert_frame_equal(fz_m.removed, fz_s.removed)
    pd.testing.assert_frame_equal(fz_m.pairs, fz_s.pairs)


def test_cudf_backend_fails_in_one_clear_line_without_a_gpu():
    if not backend.probe_cudf():
        pytest.skip("cuDF runs here: the failure path cannot be exercised")
    with pytest.raises(backend.BackendUnavailable) as err:
        backend.require(Backend.cudf)
    message = str(err.value)
    assert "\n" not in message and "curate.backend=cudf needs cuDF" in message and "curate.backend=pandas" in message


def test_default_data_dedup_in_memory_equals_the_shuffle_on_numpy(client, tmp_path):
    """The CPU side of tests/curator/test_curate_gpu.py::test_cudf_dedup_matches_the_cpu_backend on
    the default data: star clusters with boilerplate left out, one in-memory numpy program and
    Dask shuffles over pandas partitions, give the same exact and fuzzy removals."""
    from tests.support import DATA

    cfg = CurateConfig(input=str(DATA / "raw" / "crawl.jsonl"))
    _, blocks, _ = engine.plan(cfg, 2)
    annotated, _ = engine.annotate_phase(cfg, blocks, tmp_path)
    shuffled = engine.dedup_phase(annotated, cfg, 2)
    in_memory = engine.dedup_phase(annotated, dataclasses.replace(cfg, dedup_in_memory=True), 1)
    (ex_s, fz_s, _), (ex_m, fz_m, _) = shuffled, in_memory
    assert fz_m.stats["in_memory"] and not fz_s.stats["in_memory"]
    assert fz_s.stats["boilerplate_shingles"] > 0 and fz_s.stats["rounds"] >= 1 and len(fz_s.removed) > 100
    for key in ("boilerplate_shingles", "rounds", "pairs_to_centers_computed", "clusters"):
        assert fz_m.stats[key] == fz_s.stats[key], key
    pd.testing.assert_frame_equal(ex_m, ex_s)
    pd.testing.assert_frame_equal(fz_m.pairs, fz_s.pairs)
    pd.testing.assert_frame_equal(fz_m.removed, fz_s.removed)

"""Exact and fuzzy dedup of (ord, key) documents: what to remove, and which copy stays.

One driver for two layouts of the same documents:
- an in-memory frame (pandas, or cuDF on one GPU): every step is a whole-array program on the
  frame's device (numpy or cupy) with no Dask shuffle, which on one GPU costs far more than the
  kernels it feeds (docs/benchmarks.md);
- a Dask DataFrame on the cluster (several workers): signatures per partition, a shuffle by hash
  or by LSH bucket, and the candidates' verification in parallel on the workers (or on the
  driver's GPU under cuDF).

Both give the very same pairs and removals (tests/curator/test_curate_dedup.py):
- exact: hash every key, keep the smallest ``ord`` of each (hash, length) group;
- fuzzy: MinHash signatures -> one LSH bucket key per band -> candidate pairs -> MinHash
  estimate and (optionally) true Jaccard per pair, without the shingles both documents have as
  boilerplate (document frequencies, curator.boilerplate) -> star clusters (every removed
  document near the one kept for it, curator.clusters) or connected components.
Results come back as small pandas frames (one row per removed document).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from curator import backend as kernels
from curator.boilerplate import Boilerplate, common_from_counts, common_shingles, min_run
from curator.clusters import star_clusters
from curator.components import connected_components
from curator.config import Clustering, FuzzyDedupConfig, Shingle
from curator.hashing import arrow_strings, to_host
from curator.jaccard import pair_jaccard, rows_jaccard
from curator.minhash import band_keys, bucket_pairs, pair_estimates, sorted_unique_pairs

log = logging.getLogger("pipeline.curate")


def to_pandas(frame) -> pd.DataFrame:
    return frame.to_pandas() if kernels.is_cudf(frame) else frame


def _is_dask(frame) -> bool:
    from dask import is_dask_collection

    return is_dask_collection(frame)


class StepClock:
    """Seconds per named step; waits for the device first, since GPU kernels run asynchronously."""

    def __init__(self, xp):
        self.xp, self.seconds, self._last = xp, {}, time.perf_counter()

    def mark(self, step: str) -> None:
        if self.xp is not np:
            self.xp.cuda.Device().synchronize()
        now = time.perf_counter()
        self.seconds[step] = round(self.seconds.get(step, 0.0) + now - self._last, 4)
        self._last = now


# --- exact ------------------------------------------------------------------------------------

def exact_duplicates(docs):
    """(removed: pandas (ord, kept) sorted by ord, for every document whose key repeats an earlier
    document's key; the documents without them), for an in-memory or a Dask frame of (ord, key)."""
    if not _is_dask(docs):  # the frame's own library and device: cuDF stays on the GPU
        removed = kernels.exact_removed(kernels.exact_hashes(docs))
        rest = docs[~docs["ord"].isin(removed["ord"])] if len(removed) else docs
        return to_pandas(removed).sort_values("ord").reset_index(drop=True), rest
    like = docs._meta
    hashed = docs.map_partitions(kernels.exact_hashes, meta=kernels.meta_like(like, kernels.exact_hash_meta()))
    removed = hashed.shuffle(on="h").map_partitions(
        kernels.exact_removed, meta=kernels.meta_like(like, kernels.exact_removed_meta())).compute()
    removed = to_pandas(removed).sort_values("ord").reset_index(drop=True)
    rest = docs[~docs["ord"].isin(removed["ord"].tolist())] if len(removed) else docs
    return removed, rest


# --- fuzzy ------------------------------------------------------------------------------------

@dataclass
class FuzzyResult:
    removed: pd.DataFrame  # ord, kept, jaccard and estimate (to the closest accepted neighbour)
    pairs: pd.DataFrame  # every candidate pair: u, v, estimate, jaccard (nan without verify), accepted
    stats: dict = field(default_factory=dict)


def empty_fuzzy(stats: dict | None = None) -> FuzzyResult:
    removed = pd.DataFrame({"ord": pd.Series([], dtype=np.int64), "kept": pd.Series([], dtype=np.int64),
                            "jaccard": pd.Series([], dtype=float), "estimate": pd.Series([], dtype=float)})
    pairs = pd.DataFrame({"u": pd.Series([], dtype=np.int64), "v": pd.Series([], dtype=np.int64),
                          "estimate": pd.Series([], dtype=float), "jaccard": pd.Series([], dtype=float),
                          "accepted": pd.Series([], dtype=bool)})
    base = {"candidate_pairs": 0, "accepted_pairs": 0, "components": 0, "verified_pairs": 0, "verify_device": "-",
            "seconds_lsh": 0.0, "seconds_estimate": 0.0, "seconds_verify": 0.0}
    return FuzzyResult(removed, pairs, {**base, **(stats or {})})


def shingleable(frame, cfg: FuzzyDedupConfig):
    """The documents with at least one full shingle (Dask or in-memory frame of ord, key, n_words).

    Shorter ones (fewer than ``ngram`` words or characters) have no n-gram to compare and are
    left to exact dedup, identically on both backends.
    """
    if Shingle(cfg.shingle) is Shingle.word:
        return frame[frame["n_words"] >= cfg.ngram]
    return frame[frame["key"].str.len() >= cfg.ngram]


def verify_floor(cfg: FuzzyDedupConfig) -> float:
    """Estimates this far (3 standard errors) below the threshold are not worth a true Jaccard:
    with K permutations the estimate's error is sqrt(J(1-J)/K)."""
    k = kernels.num_perm(cfg)
    return cfg.threshold - 3 * np.sqrt(cfg.threshold * (1 - cfg.threshold) / k)


def fuzzy_result(pairs: pd.DataFrame, nodes: np.ndarray, roots: np.ndarray, stats: dict) -> FuzzyResult:
    """The removed documents (all but each component's root) with their best accepted edge."""
    accepted = pairs[pairs["accepted"]]
    removed = pd.DataFrame({"ord": nodes, "kept": roots})
    removed = removed[removed["ord"] != removed["kept"]].reset_index(drop=True)
    edge_side = pd.concat([accepted[["u", "jaccard", "estimate"]].rename(columns={"u": "ord"}),
                           accepted[["v", "jaccard", "estimate"]].rename(columns={"v": "ord"})])
    best = edge_side.groupby("ord")[["jaccard", "estimate"]].max()
    removed["jaccard"] = best["jaccard"].reindex(removed["ord"]).to_numpy()
    removed["estimate"] = best["estimate"].reindex(removed["ord"]).to_numpy()
    stats = {"candidate_pairs": int(len(pairs)), "accepted_pairs": int(len(accepted)),
             "components": int(len(np.unique(roots))), **stats}
    return FuzzyResult(removed, pairs, stats)


def fuzzy_duplicates(docs, cfg: FuzzyDedupConfig, n_workers: int = 1, gpu: bool = False) -> FuzzyResult:
    """Near-duplicates among ``docs`` (ord, key, n_words): an in-memory pandas/cuDF frame (one
    program on its device) or a Dask frame (LSH buckets shuffled across the cluster)."""
    t0 = time.perf_counter()
    docs = shingleable(docs, cfg)[["ord", "key"]]
    source = _ShuffledDocs(docs, cfg, n_workers, gpu) if _is_dask(docs) else _InMemoryDocs(docs, cfg)
    xp = source.xp
    clock = StepClock(xp)
    u, v, estimate = source.candidates(clock)
    base = {"in_memory": source.in_memory, "device": source.device}
    if len(u) == 0:
        s = clock.seconds
        return empty_fuzzy({**base, "seconds_lsh": round(s.get("signatures", 0) + s.get("lsh", 0), 4)})
    jaccard = xp.full(len(u), xp.nan)
    n_verified = 0
    if cfg.verify:
        check = estimate >= verify_floor(cfg)
        n_verified = int(check.sum())
        if n_verified:
            jaccard[check] = source.jaccard(u[check], v[check])
        accepted = xp.nan_to_num(jaccard, nan=0.0) >= cfg.threshold
    else:
        accepted = estimate >= cfg.threshold
    clock.mark("verify")
    if cfg.verify:
        log.info("curate: true Jaccard of %d of %d candidate pairs on %s in %.2f s", n_verified, len(u),
                 source.verify_device.upper(), clock.seconds["verify"])
    pairs = pd.DataFrame({"u": to_host(u), "v": to_host(v), "estimate": to_host(estimate),
                          "jaccard": to_host(jaccard), "accepted": to_host(accepted)})
    s = clock.seconds
    stats = {**base, "verified_pairs": n_verified, "verify_device": source.verify_device if cfg.verify else "-",
             "boilerplate_shingles": source.n_common, "seconds_boilerplate": s.get("boilerplate", 0.0),
             "seconds_signatures": s.get("signatures", 0.0), "seconds_lsh": round(s["signatures"] + s["lsh"], 4),
             "seconds_estimate": s["estimate"], "seconds_verify": s["verify"]}
    if Clustering(cfg.clustering) is Clustering.components:
        nodes, roots = connected_components(u[accepted], v[accepted], xp)
        clock.mark("clusters")
        result = fuzzy_result(pairs, to_host(nodes), to_host(roots), stats)
    else:
        result = _star_result(pairs, source, cfg)
        clock.mark("clusters")
        result.stats.update(stats)
    result.stats["seconds_clusters"] = clock.seconds["clusters"]
    result.stats["seconds_total"] = round(time.perf_counter() - t0, 4)
    return result


def _star_result(pairs: pd.DataFrame, source, cfg: FuzzyDedupConfig) -> FuzzyResult:
    """Removals by star clusters over the accepted pairs (similarity to the kept document)."""
    acc = pairs[pairs["accepted"]]
    sim = (acc["jaccard"] if cfg.verify else acc["estimate"]).to_numpy(float)

    def exact(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return to_host(source.jaccard(a, b))

    removed, stats = star_clusters(acc["u"].to_numpy(np.int64), acc["v"].to_numpy(np.int64), sim,
                                   cfg.threshold, exact if cfg.verify else None)
    a, b = np.minimum(removed["ord"], removed["kept"]), np.maximum(removed["ord"], removed["kept"])
    at = pd.MultiIndex.from_arrays([pairs["u"], pairs["v"]]).get_indexer(pd.MultiIndex.from_arrays([a, b]))
    estimate = np.where(at >= 0, pairs["estimate"].to_numpy()[np.maximum(at, 0)], np.nan)
    out = pd.DataFrame({"ord": removed["ord"], "kept": removed["kept"],
                        "jaccard": removed["similarity"] if cfg.verify else np.nan, "estimate": estimate})
    return FuzzyResult(out, pairs, {"candidate_pairs": int(len(pairs)), "accepted_pairs": int(len(acc)),
                                    "components": stats["clusters"], **stats})


def _boilerplate(cfg: FuzzyDedupConfig, common: np.ndarray) -> Boilerplate:
    return Boilerplate(common, min_run(Shingle(cfg.shingle).value, cfg.ngram, cfg.boilerplate_min_words),
                       cfg.boilerplate_max_fraction, gap=2 * cfg.ngram, content_floor=cfg.threshold / 2)


class _InMemoryDocs:
    """Every step a whole-array program over one pandas (numpy) or cuDF (cupy) frame."""

    in_memory = True

    def __init__(self, frame, cfg: FuzzyDedupConfig):
        self.cfg, self.xp = cfg, kernels.xp_of(frame)
        self.device = self.verify_device = "cpu" if self.xp is np else "gpu"
        self.keys = frame["key"].reset_index(drop=True)
        self.ords = kernels.column(frame, "ord").astype(self.xp.int64)
        self._order = self._ranked = None
        self.boilerplate, self.n_common = None, 0

    def positions(self, ords):
        """Rows of the given ords."""
        xp = self.xp
        if self._order is None:
            self._order = xp.argsort(self.ords)
            self._ranked = self.ords[self._order]
        return self._order[xp.searchsorted(self._ranked, ords)]

    def candidates(self, clock: StepClock):
        cfg, xp = self.cfg, self.xp
        if not len(self.keys):
            return xp.zeros(0, xp.int64), xp.zeros(0, xp.int64), xp.zeros(0)
        shingles = None
        if cfg.boilerplate_min_docs and cfg.verify:  # boilerplate matters to the true-Jaccard check only
            shingles = kernels.key_shingles(self.keys, cfg)
            self.boilerplate = _boilerplate(cfg, common_shingles(*shingles, cfg.boilerplate_min_docs, xp))
            self.n_common = len(self.boilerplate.common)
        clock.mark("boilerplate")
        sig = kernels.signature_array(self.keys, cfg, shingles)
        clock.mark("signatures")
        buckets = band_keys(sig, cfg.bands, cfg.rows, xp)
        u, v = bucket_pairs(buckets.ravel(), xp.repeat(self.ords, cfg.bands), cfg.max_pairs_bucket, xp)
        u, v = sorted_unique_pairs(u, v, xp)
        clock.mark("lsh")
        estimate = pair_estimates(sig, self.positions(u), self.positions(v), xp) if len(u) else xp.zeros(0)
        clock.mark("estimate")
        return u, v, estimate

    def jaccard(self, u, v):
        shingle, xp = Shingle(self.cfg.shingle).value, self.xp
        return rows_jaccard(self.keys, self.positions(xp.asarray(u)), self.positions(xp.asarray(v)), shingle,
                            self.cfg.ngram, xp, self.boilerplate)


class _ShuffledDocs:
    """Signatures per partition and a shuffle by LSH bucket on the cluster; pairs on the host."""

    in_memory = False
    xp = np

    def __init__(self, src, cfg: FuzzyDedupConfig, n_workers: int, gpu: bool):
        self.src, self.cfg, self.n_workers, self.gpu = src, cfg, n_workers, gpu
        self.device = "gpu" if gpu else "cpu"
        self.verify_device = "cpu"
        self.boilerplate, self.n_common = None, 0

    def _cluster_boilerplate(self) -> Boilerplate:
        """Common shingles over all partitions: counter arrays added up, then exact counts of the
        shingles in heavy counters (curator.boilerplate)."""
        import dask

        cfg, bits = self.cfg, 22
        parts = self.src.to_delayed()
        sketches = [dask.delayed(kernels.occurrence_sketch)(p, cfg, bits) for p in parts]
        while len(sketches) > 1:  # a tree of additions
            sketches = [dask.delayed(np.add)(*sketches[i:i + 2]) if i + 1 < len(sketches) else sketches[i]
                        for i in range(0, len(sketches), 2)]
        heavy = dask.delayed(np.greater_equal)(sketches[0], cfg.boilerplate_min_docs)
        counts = [dask.delayed(kernels.heavy_document_counts)(p, cfg, heavy, bits) for p in parts]
        common = dask.delayed(common_from_counts)(counts, cfg.boilerplate_min_docs).compute()
        return _boilerplate(cfg, common)

    def candidates(self, clock: StepClock):
        cfg, src = self.cfg, self.src
        like = src._meta
        if cfg.boilerplate_min_docs and cfg.verify:  # boilerplate matters to the true-Jaccard check only
            self.boilerplate = self._cluster_boilerplate()
            self.n_common = len(self.boilerplate.common)
        clock.mark("boilerplate")
        sigs = src.map_partitions(kernels.minhash_signatures, cfg,
                                  meta=kernels.meta_like(like, kernels.signature_meta(cfg))).persist()
        clock.mark("signatures")
        buckets = sigs.map_partitions(kernels.lsh_buckets, cfg, meta=kernels.meta_like(like, kernels.band_meta()))
        pairs = buckets.shuffle(on="bucket").map_partitions(
            kernels.candidate_pairs, cfg, meta=kernels.meta_like(like, kernels.pair_meta())).compute()
        pairs = to_pandas(pairs).drop_duplicates().sort_values(["u", "v"]).reset_index(drop=True)
        u, v = pairs["u"].to_numpy(np.int64), pairs["v"].to_numpy(np.int64)
        clock.mark("lsh")
        if not len(u):
            clock.mark("estimate")
            return u, v, np.zeros(0)
        candidates = np.unique(np.concatenate([u, v])).tolist()
        # The candidates' signatures stay on the backend's device (GPU memory under cuDF).
        estimate = _pair_estimates(sigs[sigs["ord"].isin(candidates)].compute(), u, v, kernels.num_perm(cfg))
        clock.mark("estimate")
        return u, v, estimate

    def jaccard(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        worth = np.unique(np.concatenate([u, v]))
        found = self.src[self.src["ord"].isin(worth.tolist())].compute()
        cupy = _cupy_or_none() if self.gpu and kernels.is_cudf(found) else None
        if cupy is not None:
            self.verify_device = "gpu"
            return _verify_on_gpu(u, v, found, self.cfg, cupy, self.boilerplate)
        keys = to_pandas(found).set_index("ord")["key"]
        return _verify_on_workers(u, v, keys, self.cfg, self.n_workers, self.boilerplate)


def _pair_estimates(sig_frame, u: np.ndarray, v: np.ndarray, k: int) -> np.ndarray:
    """Estimates of the pairs of ords (u, v) from a frame of (ord, signature) rows."""
    xp = kernels.xp_of(sig_frame)
    ords = kernels.column(sig_frame, "ord")
    order = xp.argsort(ords)
    ords = ords[order]
    matrix = kernels.signature_matrix(sig_frame, k)[order]
    out = pair_estimates(matrix, xp.searchsorted(ords, xp.asarray(u)), xp.searchsorted(ords, xp.asarray(v)), xp)
    return to_host(out)


def _cupy_or_none():
    """cupy where it imports (it comes with cuDF), else None: verification then stays on CPU."""
    try:
        import cupy
    except ImportError as err:
        log.warning("curate: cupy does not import (%s); verifying candidate pairs on CPU", err)
        return None
    return cupy


def _verify_on_gpu(u: np.ndarray, v: np.ndarray, found, cfg: FuzzyDedupConfig, cupy, boilerplate) -> np.ndarray:
    """True Jaccard of every given pair on the GPU, from the pairs' documents (a cuDF frame of ord, key)."""
    found = found.sort_values("ord")
    ords = found["ord"].values
    pos_u = cupy.searchsorted(ords, cupy.asarray(u))
    pos_v = cupy.searchsorted(ords, cupy.asarray(v))
    keys = found["key"].reset_index(drop=True)
    values = cupy.asnumpy(rows_jaccard(keys, pos_u, pos_v, Shingle(cfg.shingle).value, cfg.ngram, cupy, boilerplate))
    cupy.get_default_memory_pool().free_all_blocks()  # leave the memory to cuDF in this process
    return values


def _verify_on_workers(u: np.ndarray, v: np.ndarray, keys: pd.Series, cfg: FuzzyDedupConfig,
                       n_workers: int, boilerplate) -> np.ndarray:
    """True Jaccard of every given pair, in parallel chunks on the cluster.

    The candidates' keys are broadcast to the workers once; the pairs travel as two int columns.
    """
    import dask.dataframe as dd

    shingle = Shingle(cfg.shingle).value
    pairs = pd.DataFrame({"u": u, "v": v})
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):  # no distributed client: compute here
        return _jaccard_partition(pairs, keys, shingle, cfg.ngram, boilerplate).to_numpy()
    import dask

    shared = client.scatter(keys, broadcast=True, hash=False)
    parts = max(1, min(len(pairs) // 2000 + 1, 4 * n_workers))
    with dask.config.set({"dataframe.backend": "pandas"}):  # CPU work, also under the cuDF backend
        frame = dd.from_pandas(pairs, npartitions=parts, sort=False)
        result = frame.map_partitions(_jaccard_partition, shared, shingle, cfg.ngram, boilerplate,
                                      meta=pd.Series([], dtype=float))
        return result.compute().to_numpy()


def _jaccard_partition(frame: pd.DataFrame, keys: pd.Series, shingle: str, ngram: int, boilerplate) -> pd.Series:
    """True Jaccard of one chunk of pairs: its distinct documents shingled once, on this worker."""
    m = len(frame)
    docs, codes = np.unique(np.concatenate([frame["u"].to_numpy(), frame["v"].to_numpy()]), return_inverse=True)
    texts = arrow_strings(pd.Series(keys.reindex(docs).to_numpy(), dtype="str"))
    return pd.Series(pair_jaccard(texts, codes[:m], codes[m:], shingle, ngram, boilerplate), index=frame.index)

"""Exact and fuzzy dedup over Dask DataFrames of (ord, key): what to remove, and which copy stays.

Both return small pandas frames (one row per removed document), computed on the cluster:
- exact: hash every key, shuffle by hash, keep the smallest ``ord`` of each (hash, length) group;
- fuzzy: MinHash signatures -> one LSH bucket key per band -> shuffle by bucket -> candidate
  pairs -> MinHash estimate and (optionally) true Jaccard per pair -> connected components ->
  keep the smallest ``ord`` of each component. True Jaccard runs on the CPU workers, or on the
  GPU (cupy, in this process, the texts shingled on the device) with the cuDF backend.

This is the multi-worker path; curator/dedup_memory.py runs the same steps as one in-memory
program (the default for one GPU worker).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from curator import backend as kernels
from curator.components import connected_components
from curator.config import FuzzyDedupConfig, Shingle
from curator.minhash import pair_jaccard, set_jaccard, signature_similarity

log = logging.getLogger("pipeline.curate")


def _to_pandas(frame) -> pd.DataFrame:
    return frame.to_pandas() if kernels.is_cudf(frame) else frame


def exact_duplicates(src) -> pd.DataFrame:
    """(ord, kept) for every document whose key repeats an earlier document's key."""
    like = src._meta
    hashed = src.map_partitions(kernels.exact_hashes, meta=kernels.meta_like(like, kernels.exact_hash_meta()))
    removed = hashed.shuffle(on="h").map_partitions(
        kernels.exact_removed, meta=kernels.meta_like(like, kernels.exact_removed_meta()))
    out = _to_pandas(removed.compute())
    return out.sort_values("ord").reset_index(drop=True)


@dataclass
class FuzzyResult:
    removed: pd.DataFrame  # ord, kept, similarity (to the closest accepted neighbour), estimate
    pairs: pd.DataFrame  # every candidate pair: u, v, estimate, jaccard (nan without verify), accepted
    stats: dict = field(default_factory=dict)


def _empty_fuzzy(stats: dict | None = None) -> FuzzyResult:
    removed = pd.DataFrame({"ord": pd.Series([], dtype=np.int64), "kept": pd.Series([], dtype=np.int64),
                            "jaccard": pd.Series([], dtype=float), "estimate": pd.Series([], dtype=float)})
    pairs = pd.DataFrame({"u": pd.Series([], dtype=np.int64), "v": pd.Series([], dtype=np.int64), "estimate": pd.Series([], dtype=float),
                          "jaccard": pd.Series([], dtype=float), "accepted": pd.Series([], dtype=bool)})
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


def fuzzy_duplicates(src, cfg: FuzzyDedupConfig, n_workers: int = 1, gpu: bool = False) -> FuzzyResult:
    """Near-duplicates among the documents of ``src`` (a Dask frame with ord, key, n_words),
    with the LSH buckets shuffled across the cluster (curator.dedup_memory is the one-process form)."""
    t0 = time.perf_counter()
    src = shingleable(src, cfg)[["ord", "key"]]
    like = src._meta
    sigs = src.map_partitions(kernels.minhash_signatures, cfg,
                              meta=kernels.meta_like(like, kernels.signature_meta(cfg)))
    sigs = sigs.persist()
    buckets = sigs.map_partitions(kernels.lsh_buckets, cfg, meta=kernels.meta_like(like, kernels.band_meta()))
    pairs = buckets.shuffle(on="bucket").map_partitions(
        kernels.candidate_pairs, cfg, meta=kernels.meta_like(like, kernels.pair_meta())).compute()
    pairs = _to_pandas(pairs).drop_duplicates().sort_values(["u", "v"]).reset_index(drop=True)
    t_lsh = time.perf_counter() - t0
    if pairs.empty:
        return _empty_fuzzy({"seconds_lsh": round(t_lsh, 3), "in_memory": False})
    candidates = np.unique(np.concatenate([pairs["u"].to_numpy(), pairs["v"].to_numpy()])).tolist()
    k = kernels.num_perm(cfg)
    t_estimate = time.perf_counter()
    # The candidates' signatures stay on the backend's device (GPU memory under cuDF).
    pairs["estimate"] = _pair_estimates(sigs[sigs["ord"].isin(candidates)].compute(),
                                        pairs["u"].to_numpy(), pairs["v"].to_numpy(), k)
    t_estimate = time.perf_counter() - t_estimate
    t_verify, n_verified, device = time.perf_counter(), 0, "cpu"
    if cfg.verify:
        pairs["jaccard"] = np.nan
        check = pairs["estimate"].to_numpy() >= verify_floor(cfg)
        n_verified = int(check.sum())
        if check.any():
            worth = np.unique(np.concatenate([pairs.loc[check, "u"].to_numpy(), pairs.loc[check, "v"].to_numpy()]))
            found = src[src["ord"].isin(worth.tolist())].compute()
            cupy = _cupy_or_none() if gpu and kernels.is_cudf(found) else None
            if cupy is not None:
                device = "gpu"
                pairs.loc[check, "jaccard"] = _verify_on_gpu(pairs[check], found, cfg, cupy)
            else:
                keys = _to_pandas(found).set_index("ord")["key"]
                pairs.loc[check, "jaccard"] = _verify(pairs[check], keys, cfg, n_workers)
        pairs["accepted"] = pairs["jaccard"].fillna(0.0) >= cfg.threshold
        log.info("curate: true Jaccard of %d of %d candidate pairs on %s in %.2f s", n_verified, len(pairs),
                 device.upper(), time.perf_counter() - t_verify)
    else:
        pairs["jaccard"] = np.nan
        pairs["accepted"] = pairs["estimate"] >= cfg.threshold
    t_verify = time.perf_counter() - t_verify
    t_components = time.perf_counter()
    accepted = pairs[pairs["accepted"]]
    nodes, roots = _components(accepted["u"].to_numpy(), accepted["v"].to_numpy(), gpu)
    stats = {"verified_pairs": n_verified, "verify_device": device, "seconds_lsh": round(t_lsh, 3),
             "seconds_estimate": round(t_estimate, 3), "seconds_verify": round(t_verify, 3),
             "seconds_components": round(time.perf_counter() - t_components, 3), "in_memory": False}
    result = fuzzy_result(pairs, nodes, roots, stats)
    result.stats["seconds_total"] = round(time.perf_counter() - t0, 3)
    return result


_ESTIMATE_CELLS = 1 << 24  # signature entries compared per chunk: 2 x 64 MiB of gathered rows


def pair_estimates(matrix, pos_u, pos_v, xp):
    """MinHash estimates of the pairs of signature rows (pos_u[i], pos_v[i]), on ``xp``'s device,
    in bounded passes (gathering whole rows for millions of pairs at once costs gigabytes)."""
    out = xp.empty(len(pos_u), dtype=xp.float64)
    step = max(1, _ESTIMATE_CELLS // max(1, matrix.shape[1]))
    for start in range(0, len(pos_u), step):
        stop = start + step
        out[start:stop] = signature_similarity(matrix[pos_u[start:stop]], matrix[pos_v[start:stop]])
    return out


def _pair_estimates(sig_frame, u: np.ndarray, v: np.ndarray, k: int) -> np.ndarray:
    """Estimates of the pairs of ords (u, v) from a frame of (ord, signature) rows."""
    xp = kernels.xp_of(sig_frame)
    ords = kernels.column(sig_frame, "ord")
    order = xp.argsort(ords)
    ords = ords[order]
    matrix = kernels.signature_matrix(sig_frame, k)[order]
    out = pair_estimates(matrix, xp.searchsorted(ords, xp.asarray(u)), xp.searchsorted(ords, xp.asarray(v)), xp)
    return out if xp is np else xp.asnumpy(out)


def _components(u: np.ndarray, v: np.ndarray, gpu: bool) -> tuple[np.ndarray, np.ndarray]:
    if not gpu:
        return connected_components(u, v)
    import cupy

    nodes, roots = connected_components(cupy.asarray(u), cupy.asarray(v), cupy)
    return cupy.asnumpy(nodes), cupy.asnumpy(roots)


def _cupy_or_none():
    """cupy where it imports (it comes with cuDF), else None: verification then stays on CPU."""
    try:
        import cupy
    except ImportError as err:
        log.warning("curate: cupy does not import (%s); verifying candidate pairs on CPU", err)
        return None
    return cupy


def _candidate_texts(frame: pd.DataFrame, keys: pd.Series):
    """The pairs' distinct documents as one Arrow array, and each pair's (u, v) positions in it."""
    from curator.steps import arrow_strings

    m = len(frame)
    docs, codes = np.unique(np.concatenate([frame["u"].to_numpy(), frame["v"].to_numpy()]), return_inverse=True)
    texts = arrow_strings(pd.Series(keys.reindex(docs).to_numpy(), dtype="str"))
    return texts, codes[:m], codes[m:]


def rows_jaccard(keys, pos_u, pos_v, cfg: FuzzyDedupConfig, xp):
    """True Jaccard of the pairs of rows (pos_u[i], pos_v[i]) of a pandas or cuDF key Series, on
    ``xp``'s device: only the rows involved are shingled, where they lie (curator.device_shingles)."""
    from curator import device_shingles

    m = len(pos_u)
    rows, codes = xp.unique(xp.concatenate([pos_u, pos_v]), return_inverse=True)
    codes = codes.ravel()
    offsets, data = device_shingles.string_buffers(keys.take(rows), xp)
    sets = device_shingles.shingle_sets(offsets, data, Shingle(cfg.shingle).value, cfg.ngram, xp)
    return set_jaccard(sets, codes[:m], codes[m:], xp, lookup="hash" if xp is np else "sorted")


def _verify_on_gpu(pairs: pd.DataFrame, found, cfg: FuzzyDedupConfig, cupy) -> np.ndarray:
    """True Jaccard of every given pair on the GPU, from the pairs' documents (a cuDF frame of ord, key)."""
    found = found.sort_values("ord")
    ords = found["ord"].values
    pos_u = cupy.searchsorted(ords, cupy.asarray(pairs["u"].to_numpy()))
    pos_v = cupy.searchsorted(ords, cupy.asarray(pairs["v"].to_numpy()))
    values = cupy.asnumpy(rows_jaccard(found["key"].reset_index(drop=True), pos_u, pos_v, cfg, cupy))
    cupy.get_default_memory_pool().free_all_blocks()  # leave the memory to cuDF in this process
    return values


def _verify(pairs: pd.DataFrame, keys: pd.Series, cfg: FuzzyDedupConfig, n_workers: int) -> np.ndarray:
    """True Jaccard of every given pair, in parallel chunks on the cluster.

    The candidates' keys are broadcast to the workers once; the pairs travel as two int columns.
    """
    import dask.dataframe as dd

    shingle = Shingle(cfg.shingle).value
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):  # no distributed client: compute here
        return _jaccard_partition(pairs[["u", "v"]], keys, shingle, cfg.ngram).to_numpy()
    import dask

    shared = client.scatter(keys, broadcast=True, hash=False)
    parts = max(1, min(len(pairs) // 2000 + 1, 4 * n_workers))
    with dask.config.set({"dataframe.backend": "pandas"}):  # CPU work, also under the cuDF backend
        frame = dd.from_pandas(pairs[["u", "v"]], npartitions=parts, sort=False)
        result = frame.map_partitions(_jaccard_partition, shared, shingle, cfg.ngram, meta=pd.Series([], dtype=float))
        return result.compute().to_numpy()


def _jaccard_partition(frame: pd.DataFrame, keys: pd.Series, shingle: str, ngram: int) -> pd.Series:
    texts, u, v = _candidate_texts(frame, keys)
    return pd.Series(pair_jaccard(texts, u, v, shingle, ngram), index=frame.index)

"""The dedup phase on one in-memory frame, on the frame's own device: what one GPU worker runs.

On a single GPU a Dask shuffle costs far more than the kernels it feeds (docs/benchmarks.md), so
here exact and fuzzy dedup are whole-array programs over one pandas (numpy) or cuDF (cupy)
frame: hashes and groups, MinHash, LSH buckets, candidate pairs, estimates, shingling of the
candidates for true Jaccard, and connected components all stay on the device; only the small
result frames come back to the host. On CPU the same code runs on numpy and gives the very pairs
and removals of the shuffled path in curator.dedup (tests/test_curate_dedup.py), which is how
the GPU program is tested without a GPU.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from curator import backend as kernels
from curator import device_shingles
from curator.components import connected_components
from curator.config import FuzzyDedupConfig
from curator.dedup import (FuzzyResult, _empty_fuzzy, _to_pandas, fuzzy_result, pair_estimates, rows_jaccard,
                           shingleable, verify_floor)
from curator.minhash import _stable_argsort, band_keys, bucket_pairs

log = logging.getLogger("pipeline.curate")


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


def exact_in_memory(frame):
    """(removed: pandas ord, kept sorted by ord; the frame without them), on the frame's device."""
    removed = kernels.exact_removed(kernels.exact_hashes(frame))
    rest = frame[~frame["ord"].isin(removed["ord"])] if len(removed) else frame
    return _to_pandas(removed).sort_values("ord").reset_index(drop=True), rest


def _sorted_unique_pairs(u, v, xp):
    """Pairs (min, max) without repeats, ordered by (u, v) like the shuffled path's sort_values."""
    u, v = xp.minimum(u, v), xp.maximum(u, v)
    order = _stable_argsort(v, xp)
    order = order[_stable_argsort(u[order], xp)]
    u, v = u[order], v[order]
    new = xp.concatenate([xp.ones(min(1, len(u)), dtype=bool), (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
    return u[new], v[new]


def fuzzy_in_memory(frame, cfg: FuzzyDedupConfig) -> FuzzyResult:
    """Near-duplicates among the rows of an in-memory frame (ord, key, n_words), on its device."""
    xp = kernels.xp_of(frame)
    clock = StepClock(xp)
    t0 = time.perf_counter()
    frame = shingleable(frame, cfg)[["ord", "key"]]
    keys = frame["key"].reset_index(drop=True)
    ords = kernels.column(frame, "ord").astype(xp.int64)
    sig = kernels.signature_array(keys, cfg) if len(frame) else xp.zeros((0, kernels.num_perm(cfg)), xp.uint32)
    clock.mark("signatures")
    buckets = band_keys(sig, cfg.bands, cfg.rows, xp)
    u, v = bucket_pairs(buckets.ravel(), xp.repeat(ords, cfg.bands), cfg.max_pairs_bucket, xp)
    u, v = _sorted_unique_pairs(u, v, xp)
    clock.mark("lsh")
    device = "gpu" if xp is not np else "cpu"
    if len(u) == 0:
        return _empty_fuzzy({"seconds_lsh": clock.seconds["signatures"] + clock.seconds["lsh"],
                             "in_memory": True, "device": device})
    order = xp.argsort(ords)
    ranked = ords[order]
    pos_u, pos_v = order[xp.searchsorted(ranked, u)], order[xp.searchsorted(ranked, v)]
    estimate = pair_estimates(sig, pos_u, pos_v, xp)
    clock.mark("estimate")
    jaccard = xp.full(len(u), xp.nan)
    n_verified = 0
    if cfg.verify:
        check = estimate >= verify_floor(cfg)
        n_verified = int(check.sum())
        if n_verified:
            jaccard[check] = rows_jaccard(keys, pos_u[check], pos_v[check], cfg, xp)
        accepted = xp.nan_to_num(jaccard, nan=0.0) >= cfg.threshold
    else:
        accepted = estimate >= cfg.threshold
    clock.mark("verify")
    nodes, roots = connected_components(u[accepted], v[accepted], xp)
    clock.mark("components")
    host = device_shingles.to_host
    pairs = pd.DataFrame({"u": host(u), "v": host(v), "estimate": host(estimate), "jaccard": host(jaccard),
                          "accepted": host(accepted)})
    s = clock.seconds
    stats = {"verified_pairs": n_verified, "verify_device": device if cfg.verify else "-", "in_memory": True,
             "device": device, "seconds_signatures": s["signatures"],
             "seconds_lsh": round(s["signatures"] + s["lsh"], 4), "seconds_estimate": s["estimate"],
             "seconds_verify": s["verify"], "seconds_components": s["components"]}
    result = fuzzy_result(pairs, host(nodes), host(roots), stats)
    result.stats["seconds_frames"] = round(time.perf_counter() - t0 - sum(s.values()), 4)
    result.stats["seconds_total"] = round(time.perf_counter() - t0, 4)
    if cfg.verify:
        log.info("curate: true Jaccard of %d of %d candidate pairs on %s in %.2f s", n_verified, len(u),
                 device.upper(), s["verify"])
    return result

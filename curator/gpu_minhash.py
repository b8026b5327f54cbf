"""Our MinHash on the GPU: the CPU backend's signatures, bit for bit, computed with cupy.

cuDF's ``str.minhash`` hashes shingles with MurmurHash3 and permutes modulo 2^32, so its candidate
pairs differ slightly from the CPU backend's (docs/benchmarks.md: about 1% fewer removals). With
``curate.fuzzy.gpu_minhash=same_as_cpu`` the GPU instead shingles with curator.device_shingles
(the CPU's hashes) and applies the CPU's multiply-shift permutations in one kernel, so both
backends find the very same duplicate sets.
"""

from __future__ import annotations

import numpy as np

from curator.config import FuzzyDedupConfig, Shingle
from curator.minhash import permutations

# One block per document; its threads take the permutations, and every thread reads the
# document's shingles in the same order (one broadcast load per shingle for the whole warp).
_SOURCE = r"""
extern "C" __global__ void minhash_rows(const unsigned long long* hashes, const long long* bounds,
                                        const unsigned long long* a, const unsigned long long* b,
                                        const int k, unsigned int* out) {
  const long long doc = blockIdx.x;
  const long long lo = bounds[doc], hi = bounds[doc + 1];
  for (int p = threadIdx.x; p < k; p += blockDim.x) {
    const unsigned long long ap = a[p], bp = b[p];
    unsigned long long low = 0xFFFFFFFFFFFFFFFFULL;
    for (long long i = lo; i < hi; ++i) {
      const unsigned long long v = ap * hashes[i] + bp;
      low = v < low ? v : low;
    }
    out[doc * k + p] = (unsigned int)(low >> 32);
  }
}
"""
_kernels: dict[str, object] = {}


def signatures(doc, hashes, n_docs: int, a: np.ndarray, b: np.ndarray):
    """``minhash.signatures`` on cupy arrays: uint32[n_docs, K]; shingles grouped by document."""
    import cupy

    kernel = _kernels.get("minhash_rows")
    if kernel is None:
        kernel = _kernels["minhash_rows"] = cupy.RawKernel(_SOURCE, "minhash_rows")
    k = len(a)
    out = cupy.empty((n_docs, k), dtype=cupy.uint32)
    if n_docs == 0:
        return out
    bounds = cupy.searchsorted(doc, cupy.arange(n_docs + 1, dtype=cupy.int64)).astype(cupy.int64)
    threads = min(256, 32 * ((k + 31) // 32))
    kernel((n_docs,), (threads,), (cupy.ascontiguousarray(hashes, dtype=cupy.uint64), bounds,
                                   cupy.asarray(a, dtype=cupy.uint64), cupy.asarray(b, dtype=cupy.uint64),
                                   np.int32(k), out))
    return out


def same_as_cpu_signatures(keys, cfg: FuzzyDedupConfig):
    """Signatures of a cuDF key Series with the CPU backend's shingling and permutations."""
    import cupy

    from curator import device_shingles

    offsets, data = device_shingles.string_buffers(keys, cupy)
    doc, hashes = device_shingles.shingle_hashes(offsets, data, Shingle(cfg.shingle).value, cfg.ngram, cupy)
    a, b = permutations(cfg.bands * cfg.rows, cfg.seed)
    return signatures(doc, hashes, len(keys), a, b)

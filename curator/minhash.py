"""MinHash signatures, LSH band keys, candidate pairs and MinHash estimates, on numpy or cupy.

Permutations are multiply-shift hashes ``(a * x + b) mod 2^64`` keeping the high 32 bits, with
``a`` odd; because taking the high bits is monotone, the minimum is taken on the 64-bit values
and shifted once. Everything is written against an array module ``xp``; the one step that numpy
and cupy cannot share, the per-document minimum over a ragged set of shingles, has one inner loop
per module (``minimum.reduceat`` on numpy, one CUDA kernel on cupy) computing the same bits.
"""

from __future__ import annotations

import numpy as np

from curator.hashing import fmix64, stable_argsort

_CELLS_PER_CHUNK = 1 << 16  # shingles x permutations per numpy pass: 512 KiB stays in cache (4x faster)
_ESTIMATE_CELLS = 1 << 24  # signature entries compared per chunk: 2 x 64 MiB of gathered rows


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) uint64 parameters; a is odd so every permutation is a bijection."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def signatures(doc, hashes, n_docs: int, a: np.ndarray, b: np.ndarray, xp=np):
    """uint32[n_docs, num_perm] MinHash signatures of shingles (doc, hash) grouped by document;
    documents without shingles get all-ones rows."""
    if xp is np:
        return _host_signatures(doc, hashes, n_docs, a, b)
    return _device_signatures(doc, hashes, n_docs, a, b)


def _host_signatures(doc, hashes, n_docs: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    num_perm = len(a)
    sig = np.full((n_docs, num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(hashes):
        if np.any(doc[1:] < doc[:-1]):
            order = np.argsort(doc, kind="stable")
            doc, hashes = doc[order], hashes[order]
        step = max(1, _CELLS_PER_CHUNK // num_perm)
        buf = np.empty((step, num_perm), dtype=np.uint64)
        begin = 0
        with np.errstate(over="ignore"):
            while begin < len(hashes):
                stop = min(begin + step, len(hashes))  # a document split over chunks is merged below
                x = hashes[begin:stop]
                vals = buf[: stop - begin]
                np.multiply(x[:, None], a[None, :], out=vals)
                vals += b[None, :]
                d = doc[begin:stop]
                firsts = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
                mins = np.minimum.reduceat(vals, firsts, axis=0)
                rows = d[firsts]
                sig[rows] = np.minimum(sig[rows], mins)
                begin = stop
    return (sig >> np.uint64(32)).astype(np.uint32)


# One block per document; its threads take the permutations, and every thread reads the
# document's shingles in the same order (one broadcast load per shingle for the whole warp).
_KERNEL_SOURCE = r"""
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


def _device_signatures(doc, hashes, n_docs: int, a: np.ndarray, b: np.ndarray):
    import cupy

    kernel = _kernels.get("minhash_rows")
    if kernel is None:
        kernel = _kernels["minhash_rows"] = cupy.RawKernel(_KERNEL_SOURCE, "minhash_rows")
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


def band_keys(sig, bands: int, rows: int, xp=np):
    """uint64[n_docs, bands]: one bucket key per band, distinct across bands."""
    n = sig.shape[0]
    cols = sig[:, : bands * rows].reshape(n, bands, rows).astype(xp.uint64)
    band_ids = xp.arange(bands, dtype=xp.uint64)[None, :]
    acc = xp.broadcast_to(band_ids * xp.uint64(0x9E3779B97F4A7C15), (n, bands)).copy()
    for j in range(rows):
        acc = fmix64(acc * xp.uint64(0x100000001B3) ^ cols[:, :, j])
    return acc


def bucket_pairs(bucket, ord_, max_pairs_bucket: int, xp=np):
    """Candidate (u, v) pairs, u < v, of documents sharing a bucket.

    Small buckets give all their pairs; larger ones a star around their smallest ``ord`` (enough
    for connected components, and linear in the bucket size).
    """
    if len(bucket) < 2:
        empty = xp.zeros(0, dtype=xp.int64)
        return empty, empty
    # Sort by (bucket, ord) with two stable argsorts: stacking uint64 buckets with int64 ords
    # for lexsort would cast both to float64 and merge nearby buckets.
    by_ord = stable_argsort(ord_, xp)
    order = by_ord[stable_argsort(bucket[by_ord], xp)]
    bucket, ord_ = bucket[order], ord_[order]
    new = xp.concatenate([xp.ones(1, dtype=bool), bucket[1:] != bucket[:-1]])
    firsts = xp.flatnonzero(new)
    sizes = xp.diff(xp.concatenate([firsts, xp.asarray([len(bucket)])]))
    us, vs = [], []
    small = (sizes >= 2) & (sizes <= max_pairs_bucket)
    for size in [int(s) for s in xp.unique(sizes[small]).tolist()] if bool(small.any()) else []:
        starts = firsts[sizes == size]
        i, j = np.triu_indices(size, 1)
        i, j = xp.asarray(i), xp.asarray(j)
        us.append(ord_[(starts[:, None] + i[None, :]).ravel()])
        vs.append(ord_[(starts[:, None] + j[None, :]).ravel()])
    big = sizes > max_pairs_bucket
    if bool(big.any()):
        group = xp.cumsum(new) - 1
        member_big = big[group] & ~new
        us.append(ord_[firsts[group[member_big]]])
        vs.append(ord_[member_big])
    if not us:
        empty = xp.zeros(0, dtype=xp.int64)
        return empty, empty
    return xp.concatenate(us).astype(xp.int64), xp.concatenate(vs).astype(xp.int64)


def sorted_unique_pairs(u, v, xp=np):
    """Pairs (min, max) without repeats, ordered by (u, v)."""
    u, v = xp.minimum(u, v), xp.maximum(u, v)
    order = stable_argsort(v, xp)
    order = order[stable_argsort(u[order], xp)]
    u, v = u[order], v[order]
    new = xp.concatenate([xp.ones(min(1, len(u)), dtype=bool), (u[1:] != u[:-1]) | (v[1:] != v[:-1])])
    return u[new], v[new]


def signature_similarity(sig_u, sig_v):
    """MinHash estimate of Jaccard: the fraction of equal signature entries."""
    return (sig_u == sig_v).mean(axis=1)


def pair_estimates(matrix, pos_u, pos_v, xp=np):
    """MinHash estimates of the pairs of signature rows (pos_u[i], pos_v[i]), on ``xp``'s device,
    in bounded passes (gathering whole rows for millions of pairs at once costs gigabytes)."""
    out = xp.empty(len(pos_u), dtype=xp.float64)
    step = max(1, _ESTIMATE_CELLS // max(1, matrix.shape[1]))
    for start in range(0, len(pos_u), step):
        stop = start + step
        out[start:stop] = signature_similarity(matrix[pos_u[start:stop]], matrix[pos_v[start:stop]])
    return out

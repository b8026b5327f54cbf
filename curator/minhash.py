"""MinHash signatures, LSH band keys and candidate pairs, vectorized over whole partitions.

Shingles are hashed straight from Arrow buffers (curator.hashing). Permutations are
multiply-shift hashes ``(a * x + b) mod 2^64`` keeping the high 32 bits, with ``a`` odd; because
taking the high bits is monotone, the minimum is taken on the 64-bit values and shifted once.
Everything after the signatures (bands, bucket pairs, similarity, the true-Jaccard intersection
counts) is written against an array module ``xp`` so the same code runs on numpy (CPU) and cupy
(cuDF backend).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator.hashing import fmix64, powers, span_hashes, string_buffers

_SHINGLE_P = np.uint64(0xC2B2AE3D27D4EB4F)
_SHINGLE_P_INV = np.uint64(pow(int(_SHINGLE_P), -1, 1 << 64))
_CELLS_PER_CHUNK = 1 << 16  # shingles x permutations per numpy pass: 512 KiB stays in cache (4x faster)
_PROBES_PER_CHUNK = 1 << 25  # shingle lookups per verification pass: ~1 GiB of temporaries (30 B each)
_CPU_LOOKUP = "hash"  # on CPU a hash table beats binary search (random probes miss the cache)


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) uint64 parameters; a is odd so every permutation is a bijection."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def _group_starts(keys, xp=np):
    """(first index of each run of equal keys, run length, run number of every element)."""
    new = xp.concatenate([xp.ones(1, dtype=bool), keys[1:] != keys[:-1]])
    firsts = xp.flatnonzero(new)
    lengths = xp.diff(xp.concatenate([firsts, xp.asarray([len(keys)])]))
    return firsts, lengths, xp.cumsum(new) - 1


def _rolling(values, parent, n: int, xp=np):
    """Hashes of runs of n consecutive values inside one document, and each run's document.

    Documents shorter than n contribute one shingle made of all their values, so short texts
    still get a signature. Whole-array operations only: runs on numpy and cupy alike.
    """
    total = len(values)
    if total == 0:
        return xp.zeros(0, dtype=xp.int64), xp.zeros(0, dtype=xp.uint64)
    with np.errstate(over="ignore"):
        prefix = xp.zeros(total + 1, dtype=xp.uint64)
        prefix[1:] = xp.cumsum(values * powers(_SHINGLE_P_INV, total, xp))
        pw = powers(_SHINGLE_P, total + 1, xp)
        firsts, lengths, run = _group_starts(parent, xp)
        starts = xp.arange(total, dtype=xp.int64)
        span = xp.minimum(lengths, n)[run]
        keep = starts + span <= (firsts + lengths)[run]  # full n-grams, or the one whole-document shingle
        starts, span = starts[keep], span[keep]
        ends = starts + span
        hashes = (prefix[ends] - prefix[starts]) * pw[ends - 1]
        return parent[starts], fmix64(hashes ^ span.astype(xp.uint64))


def shingle_hashes(keys: pa.Array, shingle: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(document index, uint64 hash) of every shingle of every key (normalised text)."""
    if shingle == "word":
        words = pc.utf8_split_whitespace(keys)
        parent = pc.list_parent_indices(words).to_numpy().astype(np.int64)
        offsets, data = string_buffers(words.flatten())
        nonempty = offsets[1:] > offsets[:-1]  # "" splits into one empty word
        hashes = span_hashes(data, offsets[:-1][nonempty], offsets[1:][nonempty])
        return _rolling(hashes, parent[nonempty], n)
    offsets, data = string_buffers(keys)
    # A sliced Arrow array shares its parent's bytes: keep only the slice's own.
    data, offsets = data[offsets[0] : offsets[-1]], offsets - offsets[0]
    is_start = (data & 0xC0) != 0x80  # first byte of a UTF-8 character
    char_pos = np.flatnonzero(is_start).astype(np.int64)
    char_doc = np.searchsorted(offsets, char_pos, side="right") - 1
    # Each character's hash would lose order; hash the byte span of n characters instead.
    ends_at = np.r_[char_pos[1:], offsets[-1]]
    doc_firsts = np.flatnonzero(np.r_[True, char_doc[1:] != char_doc[:-1]]) if len(char_doc) else np.zeros(0, int)
    lengths = np.diff(np.r_[doc_firsts, len(char_pos)])
    idx = np.arange(len(char_pos))
    last = np.repeat(doc_firsts + lengths, lengths)  # one past the document's last character
    stop = np.minimum(idx + n, last)
    keep = (idx + n <= last) | (idx == np.repeat(doc_firsts, lengths))
    idx, stop = idx[keep], stop[keep]
    hashes = span_hashes(data, char_pos[idx], ends_at[stop - 1])
    return char_doc[idx], hashes


def signatures(doc: np.ndarray, hashes: np.ndarray, n_docs: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """uint32[n_docs, num_perm] MinHash signatures; documents without shingles get all-ones rows."""
    num_perm = len(a)
    sig = np.full((n_docs, num_perm), np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(hashes):
        order = np.argsort(doc, kind="stable") if np.any(doc[1:] < doc[:-1]) else None
        if order is not None:
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


def band_keys(sig, bands: int, rows: int, xp=np):
    """uint64[n_docs, bands]: one bucket key per band, distinct across bands."""
    n = sig.shape[0]
    cols = sig[:, : bands * rows].reshape(n, bands, rows).astype(xp.uint64)
    band_ids = xp.arange(bands, dtype=xp.uint64)[None, :]
    acc = xp.broadcast_to(band_ids * xp.uint64(0x9E3779B97F4A7C15), (n, bands)).copy()
    for j in range(rows):
        acc = fmix64(acc * xp.uint64(0x100000001B3) ^ cols[:, :, j])
    return acc


def _stable_argsort(values, xp):
    # numpy needs kind="stable"; cupy's argsort is a stable radix sort and takes no such choice.
    return np.argsort(values, kind="stable") if xp is np else xp.argsort(values)


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
    by_ord = _stable_argsort(ord_, xp)
    order = by_ord[_stable_argsort(bucket[by_ord], xp)]
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


@dataclass(frozen=True)
class ShingleSets:
    """Each document's distinct shingle hashes, grouped by document (CSR), and all of them keyed.

    ``members`` holds ``hash ^ fmix64(doc + 1)`` once per (document, shingle), so asking whether
    document d has shingle h is one lookup of ``h ^ fmix64(d + 1)`` in one flat set.
    """

    hashes: np.ndarray  # uint64, grouped by document in document order
    starts: np.ndarray  # int64[n_docs]: where each document's group begins in ``hashes``
    sizes: np.ndarray  # int64[n_docs]: distinct shingles per document
    members: np.ndarray  # uint64, distinct, in no particular order


def _doc_keys(doc, xp=np):
    return fmix64(doc.astype(xp.uint64) + xp.uint64(1))


def shingle_sets(keys: pa.Array, shingle: str, n: int) -> ShingleSets:
    """Shingle every document once (numpy over the Arrow buffers) and keep each set's distinct hashes."""
    doc, hashes = shingle_hashes(keys, shingle, n)
    with np.errstate(over="ignore"):
        members = hashes ^ _doc_keys(doc)
    first = ~pd.Series(members).duplicated().to_numpy()  # a hash table: faster than sorting here
    doc, hashes, members = doc[first], hashes[first], members[first]
    if np.any(doc[1:] < doc[:-1]):
        order = np.argsort(doc, kind="stable")
        doc, hashes = doc[order], hashes[order]
    sizes = np.bincount(doc, minlength=len(keys)).astype(np.int64)
    return ShingleSets(hashes, np.cumsum(sizes) - sizes, sizes, members)


def _probe_chunks(count: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges of pairs whose probes add up to at most ``limit`` (at least one pair each)."""
    ends = np.cumsum(count)
    chunks, lo = [], 0
    while lo < len(count):
        base = int(ends[lo - 1]) if lo else 0
        hi = max(int(np.searchsorted(ends, base + limit, side="right")), lo + 1)
        chunks.append((lo, hi))
        lo = hi
    return chunks


def _sorted_lookup(members, xp):
    """Membership by binary search in the sorted keys: runs on numpy and cupy alike."""
    table = xp.sort(xp.asarray(members))

    def contains(probe):
        if len(table) == 0:
            return xp.zeros(len(probe), dtype=bool)
        pos = xp.minimum(xp.searchsorted(table, probe), len(table) - 1)
        return table[pos] == probe

    return contains


def _hashed_lookup(members):
    """Membership through pandas' uint64 hash table (CPU only), built once for every chunk."""
    index = pd.Index(members)

    def contains(probe):
        return index.get_indexer(probe) >= 0

    return contains


def set_jaccard(sets: ShingleSets, u, v, xp=np, lookup: str = "sorted", max_probes: int = _PROBES_PER_CHUNK):
    """Jaccard of the sets of documents u[i] and v[i], as an ``xp`` float64 array.

    For every pair the smaller side's shingles are looked up under the other document's key;
    the intersection is the count of hits per pair and the union |A| + |B| - |A & B|. Pairs go
    through in chunks of at most ``max_probes`` lookups so device memory stays bounded
    (about 30 bytes per probe). ``sets``, ``u`` and ``v`` may live on the host or on ``xp``'s
    device. ``lookup`` is "sorted" (numpy or cupy) or "hash" (numpy only).
    """
    u, v = xp.asarray(u, dtype=xp.int64), xp.asarray(v, dtype=xp.int64)
    m = len(u)
    sizes = xp.asarray(sets.sizes)
    size_u, size_v = sizes[u], sizes[v]
    smaller_u = size_u <= size_v
    small, big = xp.where(smaller_u, u, v), xp.where(smaller_u, v, u)
    count = xp.minimum(size_u, size_v)
    count_host = count if xp is np else count.get()  # chunk planning happens on the host
    if lookup == "hash":
        if xp is not np:
            raise ValueError("lookup='hash' runs on numpy only; use lookup='sorted' with cupy")
        contains = _hashed_lookup(sets.members)
    else:
        contains = _sorted_lookup(sets.members, xp)
    hashes, starts = xp.asarray(sets.hashes), xp.asarray(sets.starts)
    inter = xp.zeros(m, dtype=xp.int64)
    chunks = _probe_chunks(count_host, max_probes)
    from tqdm import tqdm

    for lo, hi in tqdm(chunks, desc="true Jaccard", unit=" chunk", disable=len(chunks) < 4, leave=False):
        total = int(count_host[lo:hi].sum())
        if total == 0:
            continue
        c = count[lo:hi]
        ends = xp.cumsum(c)
        at = xp.arange(total, dtype=xp.int64)
        pair_of = xp.searchsorted(ends, at, side="right")  # np.repeat(arange, c), which cupy lacks
        # Probe k of a pair reads hashes[starts[small] + k]; per-pair terms are built before the
        # gather so the per-probe work is two gathers and one xor.
        shift = starts[small[lo:hi]] - (ends - c)
        key = _doc_keys(big[lo:hi], xp)
        probe = hashes[shift[pair_of] + at] ^ key[pair_of]
        del at
        hits = pair_of[contains(probe)]
        if len(hits):  # cupy's bincount cannot take an empty array
            inter[lo:hi] = xp.bincount(hits, minlength=hi - lo)
    union = size_u + size_v - inter
    # Correctly rounded float64 division on both: numpy and cupy give the same bits.
    return xp.where(union > 0, inter / xp.maximum(union, 1), 0.0)


def pair_jaccard(keys: pa.Array, u: np.ndarray, v: np.ndarray, shingle: str, n: int) -> np.ndarray:
    """True Jaccard of the shingle sets of keys[u[i]] and keys[v[i]] (same shingling as MinHash).

    Each document is shingled once; for every pair the smaller side's shingles are looked up
    under the other document (see ``set_jaccard``, which the GPU path runs with cupy).
    """
    if len(u) == 0:
        return np.zeros(0)
    return set_jaccard(shingle_sets(keys, shingle, n), u, v, np, lookup=_CPU_LOOKUP)


def signature_similarity(sig_u, sig_v):
    """MinHash estimate of Jaccard: the fraction of equal signature entries."""
    return (sig_u == sig_v).mean(axis=1)

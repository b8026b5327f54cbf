"""True shingle Jaccard of candidate pairs, on numpy or cupy.

Each document involved is shingled once (curator.shingles, on the device where its text lies);
for every pair the smaller side's shingles are looked up under the other document's key in one
flat set of (document, shingle) keys. The intersection is the count of hits per pair and the
union |A| + |B| - |A & B|; the float64 division is correctly rounded on both modules, so numpy and
cupy give the same bits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from curator.hashing import string_buffers, to_host
from curator.shingles import ShingleSets, comparison_sets, doc_keys

_PROBES_PER_CHUNK = 1 << 25  # shingle lookups per pass: ~1 GiB of temporaries (30 B each)


def probe_chunks(count: np.ndarray, limit: int) -> list[tuple[int, int]]:
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
    """Membership through pandas' uint64 hash table (host only): random probes into a sorted
    table miss the cache, a hash table does not."""
    index = pd.Index(members)

    def contains(probe):
        return index.get_indexer(probe) >= 0

    return contains


def set_jaccard(sets: ShingleSets, u, v, xp=np, lookup: str | None = None, max_probes: int = _PROBES_PER_CHUNK,
                boilerplate_sets: ShingleSets | None = None, content_sets: ShingleSets | None = None,
                content_floor: float = 0.0):
    """Jaccard of the sets of documents u[i] and v[i], as an ``xp`` float64 array.

    With ``boilerplate_sets`` the shingles that are boilerplate in *both* documents leave the
    comparison: (|A & B| - |Pa & Pb|) / (|A | B| - |Pa & Pb|). A shingle that is boilerplate in
    one document only (the other one is compared whole, or its copy of the run was edited) stays.
    With ``content_sets`` a pair reaching ``content_floor`` must also reach it on the content sets
    (each document without its own boilerplate); where it does not, that content Jaccard is
    returned instead.
    Pairs go through in chunks of at most ``max_probes`` lookups so device memory stays bounded
    (about 30 bytes per probe). ``lookup``: "hash" (numpy only, the host default) or "sorted"
    (numpy or cupy, the device default); both give the same bits.
    """
    u, v = xp.asarray(u, dtype=xp.int64), xp.asarray(v, dtype=xp.int64)
    sizes = xp.asarray(sets.sizes)
    inter = intersections(sets, u, v, xp, lookup, max_probes)
    union = sizes[u] + sizes[v] - inter
    if boilerplate_sets is not None:
        shared = intersections(boilerplate_sets, u, v, xp, lookup, max_probes)
        inter, union = inter - shared, union - shared
    out = xp.where(union > 0, inter / xp.maximum(union, 1), 0.0)
    if content_sets is not None:
        check = xp.flatnonzero(out >= content_floor)
        if len(check):
            shared = content_shared(sets, content_sets, u[check], v[check], xp, lookup, max_probes)
            out[check] = xp.where(shared >= content_floor, out[check], shared)
    return out


def content_shared(sets: ShingleSets, content_sets: ShingleSets, u, v, xp=np, lookup: str | None = None,
                   max_probes: int = _PROBES_PER_CHUNK):
    """min over the two documents of the share of its content set that the other document holds:
    near zero when one document's own content is absent from the other (a page that matches
    another only through their shared template), high for copies."""
    sizes = xp.asarray(content_sets.sizes)
    in_v = intersections(content_sets, u, v, xp, lookup, max_probes, members_of=sets)
    in_u = intersections(content_sets, v, u, xp, lookup, max_probes, members_of=sets)
    share_u = xp.where(sizes[u] > 0, in_v / xp.maximum(sizes[u], 1), 1.0)
    share_v = xp.where(sizes[v] > 0, in_u / xp.maximum(sizes[v], 1), 1.0)
    return xp.minimum(share_u, share_v)


def intersections(sets: ShingleSets, u, v, xp=np, lookup: str | None = None, max_probes: int = _PROBES_PER_CHUNK,
                  members_of: ShingleSets | None = None):
    """|set(u[i]) & set(v[i])| for every pair, as an ``xp`` int64 array; with ``members_of``,
    |sets(u[i]) & members_of(v[i])| (every shingle of u's set looked up in v's other set)."""
    lookup = lookup or ("hash" if xp is np else "sorted")
    m = len(u)
    sizes = xp.asarray(sets.sizes)
    size_u, size_v = sizes[u], sizes[v]
    if members_of is None:  # probe the smaller side
        smaller_u = size_u <= size_v
        small, big = xp.where(smaller_u, u, v), xp.where(smaller_u, v, u)
        count = xp.minimum(size_u, size_v)
    else:
        small, big, count = u, v, size_u
    count_host = to_host(count)  # chunk planning happens on the host
    table = (members_of or sets).members
    if lookup == "hash":
        if xp is not np:
            raise ValueError("lookup='hash' runs on numpy only; use lookup='sorted' with cupy")
        contains = _hashed_lookup(table)
    else:
        contains = _sorted_lookup(table, xp)
    hashes, starts = xp.asarray(sets.hashes), xp.asarray(sets.starts)
    inter = xp.zeros(m, dtype=xp.int64)
    chunks = probe_chunks(count_host, max_probes)
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
        key = doc_keys(big[lo:hi], xp)
        probe = hashes[shift[pair_of] + at] ^ key[pair_of]
        del at
        hits = pair_of[contains(probe)]
        if len(hits):  # cupy's bincount cannot take an empty array
            inter[lo:hi] = xp.bincount(hits, minlength=hi - lo)
    return inter


def rows_jaccard(keys, pos_u, pos_v, shingle: str, n: int, xp=np, boilerplate=None):
    """True Jaccard of the pairs of rows (pos_u[i], pos_v[i]) of a string column (Arrow, pandas or
    cuDF), on ``xp``'s device: only the rows involved are shingled, where they lie; with
    ``boilerplate``, without the shingles that are boilerplate in both rows."""
    m = len(pos_u)
    if m == 0:
        return xp.zeros(0, dtype=xp.float64)
    pos_u, pos_v = xp.asarray(pos_u, dtype=xp.int64), xp.asarray(pos_v, dtype=xp.int64)
    rows, codes = xp.unique(xp.concatenate([pos_u, pos_v]), return_inverse=True)
    codes = codes.ravel()
    offsets, data = string_buffers(keys.take(rows), xp)
    return _compare(comparison_sets(offsets, data, shingle, n, xp, boilerplate), codes[:m], codes[m:], xp,
                    boilerplate)


def pair_jaccard(keys, u, v, shingle: str, n: int, boilerplate=None) -> np.ndarray:
    """True Jaccard of the shingle sets of keys[u[i]] and keys[v[i]] (same shingling as MinHash),
    on the host; ``keys`` is an Arrow string array or a pandas str Series."""
    if len(u) == 0:
        return np.zeros(0)
    return _compare(comparison_sets(*string_buffers(keys), shingle, n, np, boilerplate), u, v, np, boilerplate)


def _compare(sets, u, v, xp, boilerplate):
    full, stripped, content = sets
    floor = boilerplate.content_floor if boilerplate is not None else 0.0
    return set_jaccard(full, u, v, xp, boilerplate_sets=stripped, content_sets=content, content_floor=floor)

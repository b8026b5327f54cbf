"""Vectorized 64-bit hashes of byte spans of string columns, on any array module (numpy or cupy).

Filters and MinHash hash millions of words, lines and n-grams per partition. Turning each into a
Python ``str`` to hash it costs more than all the filter arithmetic, so spans are hashed straight
from a string column's UTF-8 buffer with a polynomial rolling hash whose prefix sums make every
span O(1):

    H(s, e) = sum_{i=s}^{e-1} b_i * P^(e-1-i) = P^(e-1) * (G[e] - G[s]),   G[k] = sum_{i<k} b_i * P^-i

all modulo 2^64 (uint64 arithmetic wraps), followed by a murmur3 finalizer mixed with the span
length. ``H`` does not depend on where a pass over the buffer begins, so chunking never changes a
hash: numpy and cupy give the same bits. Not cryptographic: collisions need adversarially built
inputs, which dedup tolerates.

The buffers come from an Arrow array, a pandas Series (through Arrow) or a cuDF Series (read in
place on the GPU): ``string_buffers``.
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger("pipeline.curate")

P = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, so invertible modulo 2^64
P_INV = np.uint64(pow(int(P), -1, 1 << 64))
LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)
CHUNK_BYTES = 1 << 18  # bytes per prefix-sum pass: its temporaries stay in cache (2x faster than 4 MiB)
_powers: dict = {}  # (base, array module) -> power table, grown by doubling


def to_host(values) -> np.ndarray:
    """A numpy copy of a device array (numpy arrays pass through)."""
    return values if isinstance(values, np.ndarray) else values.get()


def power_table(base: np.uint64, n: int) -> np.ndarray:
    """[1, base, base^2, ...] of length n, by doubling (log2(n) vector steps, not a scan)."""
    out = np.empty(n, dtype=np.uint64)
    out[0] = 1
    filled = 1
    step = np.uint64(base)
    with np.errstate(over="ignore"):
        while filled < n:
            take = min(filled, n - filled)
            np.multiply(out[:take], step, out=out[filled : filled + take])
            filled += take
            step = step * step
    return out


def powers(base: np.uint64, n: int, xp=np):
    """First n powers of ``base``, from a per-process cache that grows by doubling; with a device
    array module (cupy) the table is built on the host once and kept on the device."""
    key = (int(base), xp.__name__)
    table = _powers.get(key)
    if table is None or len(table) < n:
        size = max(n, 2 * len(table) if table is not None else 1 << 16)
        table = _powers[key] = xp.asarray(power_table(base, size))
    return table[:n]


def fmix64(x):
    """murmur3's 64-bit finalizer: every input bit affects every output bit (numpy or cupy)."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def stable_argsort(values, xp=np):
    # numpy needs kind="stable"; cupy's argsort is a stable radix sort and takes no such choice.
    return np.argsort(values, kind="stable") if xp is np else xp.argsort(values)


def group_starts(keys, xp=np):
    """(first index of each run of equal keys, run length, run number of every element)."""
    new = xp.concatenate([xp.ones(min(1, len(keys)), dtype=bool), keys[1:] != keys[:-1]])
    firsts = xp.flatnonzero(new)
    lengths = xp.diff(xp.concatenate([firsts, xp.asarray([len(keys)], dtype=firsts.dtype)]))
    return firsts, lengths, xp.cumsum(new) - 1


def _span_chunks(starts, ends, max_bytes: int) -> list[tuple[int, int, int, int]]:
    """(first span, end span, first byte, end byte) of passes over at most ``max_bytes`` bytes each
    (a single span longer than that still gets a pass of its own); starts must be non-decreasing."""
    n = len(starts)
    first, top = int(starts[0]), int(ends.max())
    if top - first <= max_bytes:
        return [(0, n, first, top)]  # the common case: no planning on the host
    starts, reach = to_host(starts), np.maximum.accumulate(to_host(ends))
    chunks, begin = [], 0
    while begin < n:
        base = int(starts[begin])
        stop = max(int(np.searchsorted(reach, base + max_bytes, side="right")), begin + 1)
        chunks.append((begin, stop, base, int(reach[stop - 1])))
        begin = stop
    return chunks


def span_hashes(data, starts, ends, xp=np, max_bytes: int | None = None):
    """uint64 hash of data[starts[i]:ends[i]] for every i; starts must be non-decreasing.

    Passes over at most ``max_bytes`` (default ``CHUNK_BYTES``) of the buffer each.
    """
    n = len(starts)
    if n == 0:
        return xp.zeros(0, dtype=xp.uint64)
    starts = starts.astype(xp.int64, copy=False)
    ends = ends.astype(xp.int64, copy=False)
    out = xp.empty(n, dtype=xp.uint64)
    with np.errstate(over="ignore"):
        for lo, hi, base, top in _span_chunks(starts, ends, max_bytes or CHUNK_BYTES):
            size = top - base
            prefix = xp.zeros(size + 1, dtype=xp.uint64)
            prefix[1:] = xp.cumsum(data[base:top].astype(xp.uint64) * powers(P_INV, size, xp))
            s, e = starts[lo:hi] - base, ends[lo:hi] - base
            out[lo:hi] = (prefix[e] - prefix[s]) * powers(P, size + 1, xp)[xp.maximum(e - 1, 0)]
        return fmix64(out ^ ((ends - starts).astype(xp.uint64) * LENGTH_MIX))


# --- string buffers ---------------------------------------------------------------------------

def arrow_strings(values):
    """A pandas str column (or any Arrow string array) as one contiguous large_string Arrow array,
    missing values as ""."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values
    else:
        arr = pa.array(values.array) if hasattr(values.array, "__arrow_array__") else pa.array(values.tolist())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    return arr


def _arrow_buffers(arr) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    if pa.types.is_string(arr.type):
        width = np.int32
    elif pa.types.is_large_string(arr.type):
        width = np.int64
    else:
        raise TypeError(f"expected an Arrow string array, got {arr.type}")
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[arr.offset : arr.offset + len(arr) + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def string_buffers(values, xp=np):
    """(offsets int64[n+1], data uint8) of a string column, nulls as empty strings.

    ``values``: an Arrow string array, a pandas Series (host buffers) or a cuDF Series (device
    buffers, read in place; should this cuDF version lay them out differently, checked against
    its own per-string byte counts, the text goes through the host once). Offsets may start
    above 0 (a slice shares its parent's bytes): spans are read as data[offsets[i]:offsets[i+1]].
    """
    if type(values).__module__.startswith("cudf"):
        return _cudf_string_buffers(values, xp)
    offsets, data = _arrow_buffers(arrow_strings(values))
    return (offsets, data) if xp is np else (xp.asarray(offsets), xp.asarray(data))


def _cudf_string_buffers(series, cupy):
    try:
        offsets, data = _cudf_buffers(series, cupy)
        lengths = series.str.byte_count().fillna(0).values.astype(cupy.int64)
        if len(offsets) == len(series) + 1 and bool((cupy.diff(offsets) == lengths).all()) \
                and int(offsets[-1]) <= len(data):
            return offsets, data
        problem = "the offsets do not match the strings' byte counts"
    except Exception as err:  # an internal layout this version does not have
        problem = f"{type(err).__name__}: {err}"
    log.warning("curate: reading cuDF string buffers in place failed (%s); copying the text through the host",
                problem)
    offsets, data = _arrow_buffers(series.to_arrow())
    return cupy.asarray(offsets), cupy.asarray(data)


def _cudf_buffers(series, cupy):
    """The offsets child and the character bytes of the column's pylibcudf view, in place."""
    column = series.fillna("")._column
    view = column.plc_column if hasattr(column, "plc_column") else column.to_pylibcudf(mode="read")
    n = view.size()
    if n == 0:
        return cupy.zeros(1, dtype=cupy.int64), cupy.zeros(0, dtype=cupy.uint8)
    child = view.children()[0]
    width = cupy.int64 if "INT64" in str(child.type().id()) else cupy.int32
    start = child.offset() + view.offset()  # a slice shares its parent's offsets and bytes
    offsets = cupy.asarray(child.data()).view(width)[start : start + n + 1].astype(cupy.int64)
    chars = view.data()
    data = cupy.asarray(chars).view(cupy.uint8) if chars is not None else cupy.zeros(0, dtype=cupy.uint8)
    return offsets, data


def string_hashes(values) -> np.ndarray:
    """uint64 hash of each string of a string column (equal strings, equal hashes)."""
    offsets, data = string_buffers(values)
    return span_hashes(data, offsets[:-1], offsets[1:])

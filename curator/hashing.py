"""Vectorized 64-bit hashes of byte spans, straight from Arrow string buffers.

Filters and MinHash hash millions of words, lines and n-grams per partition. Turning each into a
Python ``str`` to hash it costs more than all the filter arithmetic, so spans are hashed from the
Arrow data buffer with a polynomial rolling hash whose prefix sums make every span O(1):

    H(s, e) = sum_{i=s}^{e-1} b_i * P^(e-1-i) = P^(e-1) * (G[e] - G[s]),   G[k] = sum_{i<k} b_i * P^-i

all modulo 2^64 (numpy uint64 arithmetic wraps), followed by a murmur3 finalizer mixed with the
span length. Not cryptographic: collisions need adversarially built inputs, which dedup tolerates.
"""

from __future__ import annotations

import numpy as np

_P = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime: odd, so invertible modulo 2^64
_P_INV = np.uint64(pow(int(_P), -1, 1 << 64))
_CHUNK = 1 << 22  # bytes hashed per prefix-sum pass: bounds the power tables to 64 MiB
_powers: dict = {}  # name -> power table (numpy, or on a device for cupy)


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
    key = f"base:{int(base)}" if xp is np else f"base:{int(base)}:{xp.__name__}"
    table = _powers.get(key)
    if table is None or len(table) < n:
        size = max(n, 2 * len(table) if table is not None else 1 << 16)
        table = _powers[key] = xp.asarray(power_table(base, size))
    return table[:n]


def _tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    if "pw" not in _powers or len(_powers["pw"]) < n:
        size = max(n, 1 << 16)
        with np.errstate(over="ignore"):
            _powers["pw"] = power_table(_P, size)
            _powers["ipw"] = power_table(_P_INV, size)
    return _powers["pw"], _powers["ipw"]


def fmix64(x: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finalizer: every input bit affects every output bit."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def span_hashes(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """uint64 hash of data[starts[i]:ends[i]] for every i; starts must be non-decreasing."""
    n = len(starts)
    out = np.empty(n, dtype=np.uint64)
    if n == 0:
        return out
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64)
    lengths = (ends - starts).astype(np.uint64)
    # Chunks of spans whose bytes fit one prefix-sum pass; the loop runs over chunks, not spans.
    reach = np.maximum.accumulate(ends)
    begin = 0
    with np.errstate(over="ignore"):
        while begin < n:
            base = starts[begin]
            stop = int(np.searchsorted(reach, base + _CHUNK, side="right"))
            stop = max(stop, begin + 1)  # a single span longer than a chunk still gets hashed
            top = int(reach[stop - 1])
            pw, ipw = _tables(top - base + 1)
            local = data[base:top].astype(np.uint64)
            prefix = np.zeros(top - base + 1, dtype=np.uint64)
            np.cumsum(local * ipw[: top - base], out=prefix[1:])
            s = starts[begin:stop] - base
            e = ends[begin:stop] - base
            h = (prefix[e] - prefix[s]) * pw[np.maximum(e - 1, 0)]
            out[begin:stop] = h
            begin = stop
        out = fmix64(out ^ (lengths * np.uint64(0x9E3779B97F4A7C15)))
    return out


def combine(hashes: list[np.ndarray]) -> np.ndarray:
    """Order-sensitive hash of aligned hash columns (n-grams from word hashes, LSH bands)."""
    with np.errstate(over="ignore"):
        acc = np.full(len(hashes[0]), 0x2545F4914F6CDD1D, dtype=np.uint64)
        for h in hashes:
            acc = fmix64(acc * np.uint64(0x100000001B3) ^ h)
    return acc


def string_buffers(arr) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64[n+1], data uint8) of an Arrow string/large_string array, nulls as empty."""
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


def string_hashes(arr) -> np.ndarray:
    """uint64 hash of each string of an Arrow string array (equal strings, equal hashes)."""
    offsets, data = string_buffers(arr)
    return span_hashes(data, offsets[:-1], offsets[1:])

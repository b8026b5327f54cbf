"""Frame kernels for the dedup steps on pandas (CPU) or cuDF (GPU) frames.

Each kernel takes one frame (a Dask partition, or the whole in-memory frame) of either library
and returns the same library's frame, so Dask runs the same graph on both backends. The array
work is the shared numpy/cupy kernel set (curator.shingles, curator.minhash); the GPU path may
instead use cuDF's own ``hash_values`` and ``str.minhash``. Both backends keep the same document
in every duplicate group (the smallest input ``ord``), so with no hash collision exact dedup
removes the same set; cuDF's MinHash uses different hash functions (MurmurHash3), so its
candidate pairs can differ slightly (the GPU test measures it), while
``curate.fuzzy.gpu_minhash=same_as_cpu`` runs our own kernels on the GPU: the same bits.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from curator.config import Backend, FuzzyDedupConfig, GpuMinHash, Shingle
from curator.errors import BackendUnavailable
from curator.hashing import string_buffers
from curator.minhash import band_keys, bucket_pairs, permutations, signatures
from curator.shingles import shingle_hashes


@lru_cache(maxsize=1)
def probe_cudf() -> str:
    """"" when cuDF runs a tiny GPU operation, else the reason it cannot (one line)."""
    try:
        import cudf
        import dask_cudf  # noqa: F401  (registers Dask's "cudf" DataFrame backend)

        if int(cudf.Series([1, 2, 3]).sum()) != 6:
            return "cuDF returned a wrong sum on a 3-element Series"
    except Exception as err:  # ImportError, CUDA driver errors, ...: all mean "not here"
        first = (str(err).strip().splitlines() or [""])[0][:200]
        return f"{type(err).__name__}: {first}"
    return ""


def require(backend: Backend) -> None:
    if Backend(backend) is Backend.cudf:
        problem = probe_cudf()
        if problem:
            raise BackendUnavailable(
                f"curate.backend=cudf needs cuDF + dask-cuDF and a working NVIDIA GPU, but a tiny cuDF "
                f"operation failed ({problem}); use curate.backend=pandas on this machine"
            )


def is_cudf(frame) -> bool:
    return type(frame).__module__.startswith("cudf")


def xp_of(frame):
    if is_cudf(frame):
        import cupy

        return cupy
    return np


def column(frame, name):
    values = frame[name]
    return values.values if is_cudf(frame) else values.to_numpy()


def meta_like(collection_meta, meta: pd.DataFrame):
    """``meta`` (pandas) in the library of a Dask collection's own meta, so Dask dispatches right."""
    if is_cudf(collection_meta):
        import cudf

        return cudf.from_pandas(meta)
    return meta


def _frame_like(frame, columns: dict):
    if is_cudf(frame):
        import cudf

        return cudf.DataFrame(columns)
    return pd.DataFrame(columns)


# --- exact dedup ------------------------------------------------------------------------------

def exact_hash_meta() -> pd.DataFrame:
    return pd.DataFrame({"ord": pd.Series([], dtype=np.int64), "h": pd.Series([], dtype=np.uint64), "n": pd.Series([], dtype=np.int64)})


def exact_hashes(frame):
    """(ord, h, n): a 64-bit hash and the length of each dedup key (length guards collisions)."""
    if is_cudf(frame):
        h = frame["key"].hash_values(method="xxhash64").astype("uint64")
    else:
        h = pd.util.hash_pandas_object(frame["key"], index=False).astype(np.uint64)
    n = frame["key"].str.len().astype("int64")
    out = frame[["ord"]].copy()
    out["h"] = h.values if not is_cudf(frame) else h
    out["n"] = n.values if not is_cudf(frame) else n
    return out


def exact_removed_meta() -> pd.DataFrame:
    return pd.DataFrame({"ord": pd.Series([], dtype=np.int64), "kept": pd.Series([], dtype=np.int64)})


def exact_removed(frame):
    """Rows of a hash-shuffled partition that repeat an earlier document's key: (ord, kept)."""
    if len(frame) == 0:
        return meta_like(frame, exact_removed_meta())
    first = frame.groupby(["h", "n"])["ord"].transform("min")
    out = frame[["ord"]].copy()
    out["kept"] = first
    return out[out["ord"] != out["kept"]]


# --- fuzzy dedup ------------------------------------------------------------------------------

def num_perm(cfg: FuzzyDedupConfig) -> int:
    return cfg.bands * cfg.rows


def signature_meta(cfg: FuzzyDedupConfig) -> pd.DataFrame:
    cols = {"ord": pd.Series([], dtype=np.int64)}
    cols.update({f"s{i}": pd.Series([], dtype=np.uint32) for i in range(num_perm(cfg))})
    return pd.DataFrame(cols)


def key_shingles(keys, cfg: FuzzyDedupConfig):
    """(document index, hash) of every shingle of a pandas (numpy) or cuDF (cupy) key Series."""
    xp = xp_of(keys)
    offsets, data = string_buffers(keys, xp)
    return shingle_hashes(offsets, data, Shingle(cfg.shingle).value, cfg.ngram, xp)


def _our_signatures(keys, cfg: FuzzyDedupConfig, shingles=None):
    """Our MinHash of the keys' shingle sets: the same bits on numpy and cupy."""
    xp = xp_of(keys)
    doc, hashes = shingles if shingles is not None else key_shingles(keys, cfg)
    a, b = permutations(num_perm(cfg), cfg.seed)
    return signatures(doc, hashes, len(keys), a, b, xp)


def _cudf_signatures(keys, cfg: FuzzyDedupConfig):
    """cuDF's own MinHash kernels (MurmurHash3 shingle hashes, permutations modulo 2^32)."""
    import cudf
    import cupy
    from cudf.core.column import as_column

    rng = np.random.default_rng(cfg.seed)
    a = as_column(rng.integers(1, 2**32, size=num_perm(cfg), dtype=np.uint64).astype(np.uint32) | np.uint32(1))
    b = as_column(rng.integers(0, 2**32, size=num_perm(cfg), dtype=np.uint64).astype(np.uint32))
    seed = np.uint32(cfg.seed)
    # Column-level kernels: the .str accessor rejects the Arrow-typed list that split() returns
    # for pandas-converted strings.
    if Shingle(cfg.shingle) is Shingle.word:
        lists = keys.str.split(" ")._column.minhash_ngrams(cfg.ngram, seed, a, b)
    else:
        lists = keys._column.minhash(seed, a, b, cfg.ngram)
    flat = cudf.Series._from_column(lists.leaves())
    return cupy.asarray(flat.values).reshape(len(keys), num_perm(cfg))


def signature_array(keys, cfg: FuzzyDedupConfig, shingles=None):
    """uint32[n, K] MinHash signatures of a pandas (numpy result) or cuDF (cupy result) key Series;
    ``shingles``: the keys' (doc, hash) when already made."""
    if is_cudf(keys) and GpuMinHash(cfg.gpu_minhash) is GpuMinHash.cudf:
        return _cudf_signatures(keys, cfg)
    return _our_signatures(keys, cfg, shingles)


def minhash_signatures(frame, cfg: FuzzyDedupConfig):
    """(ord, s0..sK-1) MinHash signature of each document's key."""
    if len(frame) == 0:
        return meta_like(frame, signature_meta(cfg))
    sig = signature_array(frame["key"], cfg)
    by_column = sig.T.copy()  # contiguous rows: one per permutation
    columns = {"ord": column(frame, "ord")}
    columns.update({f"s{i}": by_column[i] for i in range(by_column.shape[0])})
    return _frame_like(frame, columns)


def signature_matrix(frame, k: int):
    xp = xp_of(frame)
    return xp.stack([column(frame, f"s{i}") for i in range(k)], axis=1).astype(xp.uint32)


def band_meta() -> pd.DataFrame:
    return pd.DataFrame({"ord": pd.Series([], dtype=np.int64), "bucket": pd.Series([], dtype=np.uint64)})


def lsh_buckets(frame, cfg: FuzzyDedupConfig):
    """Long frame (ord, bucket): one row per document and band."""
    xp = xp_of(frame)
    if len(frame) == 0:
        return _frame_like(frame, {"ord": xp.zeros(0, xp.int64), "bucket": xp.zeros(0, xp.uint64)})
    keys = band_keys(signature_matrix(frame, num_perm(cfg)), cfg.bands, cfg.rows, xp)
    ords = column(frame, "ord")
    return _frame_like(frame, {"ord": xp.repeat(ords, cfg.bands), "bucket": keys.ravel()})


def pair_meta() -> pd.DataFrame:
    return pd.DataFrame({"u": pd.Series([], dtype=np.int64), "v": pd.Series([], dtype=np.int64)})


def candidate_pairs(frame, cfg: FuzzyDedupConfig):
    """(u, v) pairs sharing a bucket, from one bucket-shuffled partition, without repeats."""
    xp = xp_of(frame)
    u, v = bucket_pairs(column(frame, "bucket"), column(frame, "ord"), cfg.max_pairs_bucket, xp)
    out = _frame_like(frame, {"u": xp.minimum(u, v), "v": xp.maximum(u, v)})
    return out.drop_duplicates()


# --- document frequencies of shingles (curator.boilerplate), per partition ----------------------

def occurrence_sketch(frame, cfg: FuzzyDedupConfig, bits: int) -> np.ndarray:
    """Shingle occurrences of a partition counted by the hash's low bits (int32, host)."""
    from curator.boilerplate import occurrence_counts

    _, hashes = key_shingles(frame["key"], cfg) if len(frame) else (None, np.zeros(0, np.uint64))
    return occurrence_counts(hashes, bits, xp_of(frame) if len(frame) else np).astype(np.int32)


def heavy_document_counts(frame, cfg: FuzzyDedupConfig, heavy: np.ndarray, bits: int):
    """(hash, documents of this partition containing it) for the shingles in heavy counters."""
    from curator.boilerplate import document_counts

    if len(frame) == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    doc, hashes = key_shingles(frame["key"], cfg)
    return document_counts(doc, hashes, heavy, bits, xp_of(frame))

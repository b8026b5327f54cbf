"""FAISS indexes over normalised vectors: exact flat, HNSW graph or IVF-PQ, on CPU or GPU.

All three use inner product (= cosine on normalised vectors). Which to pick when is measured in
benchmarks/index_bench.py (docs/rag.md): flat is exact and fastest to build; HNSW answers in
well under a millisecond at millions of vectors at ~1.1x the flat memory; IVF-PQ needs ~12x less
memory for a small recall loss. On the GPU (``device="gpu"``, a FAISS GPU build), flat and
IVF-PQ are built and searched on the device and stored as their CPU form; HNSW has no FAISS GPU
form and stays on the CPU.
"""

from __future__ import annotations

import logging
import math
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from rag.config import FaissConfig, IndexKind

log = logging.getLogger("pipeline.index")


class VectorIndexError(Exception):
    """The index cannot be built or loaded with these settings."""


def gpu_available() -> bool:
    """A FAISS GPU build is importable and sees at least one GPU."""
    import faiss

    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def _require_gpu() -> None:
    import faiss

    if not hasattr(faiss, "StandardGpuResources"):
        raise VectorIndexError(
            f"index.device=gpu needs a FAISS GPU build (faiss-gpu-cuvs, CUDA 13; docs/rag.md); the installed faiss "
            f"{faiss.__version__} is CPU-only"
        )
    if faiss.get_num_gpus() == 0:
        raise VectorIndexError("index.device=gpu: the FAISS GPU build sees no GPU")


_GPU_RESOURCES = None


def _resources():
    import faiss

    global _GPU_RESOURCES
    if _GPU_RESOURCES is None:
        _GPU_RESOURCES = faiss.StandardGpuResources()
    return _GPU_RESOURCES


def to_gpu(index):
    """The GPU form of a flat or IVF index (HNSW is returned unchanged: no GPU form)."""
    import faiss

    _require_gpu()
    if isinstance(index, faiss.IndexHNSW):
        log.warning("index: HNSW has no FAISS GPU form; it searches on the CPU")
        return index
    options = faiss.GpuClonerOptions()
    options.useFloat16LookupTables = True  # IVF-PQ with 48+ sub-quantizers needs it on the GPU
    return faiss.index_cpu_to_gpu(_resources(), 0, index, options)


def to_cpu(index):
    import faiss

    return faiss.index_gpu_to_cpu(index) if hasattr(faiss, "index_gpu_to_cpu") and "Gpu" in type(index).__name__ else index


def ivf_lists(n: int, requested: int = 0) -> int:
    """Inverted lists for n vectors: ~4 sqrt(n) (FAISS guideline), each trained on >= 39 points."""
    wanted = requested or int(4 * math.sqrt(max(n, 1)))
    return max(1, min(wanted, n // 39))


def build(vectors: np.ndarray, cfg: FaissConfig, device: str = "cpu", train_size: int = 0):
    """A filled index of the configured kind (on the CPU, ready for ``faiss.write_index``)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    kind = IndexKind(cfg.kind)
    if kind == IndexKind.flat:
        index = faiss.IndexFlatIP(dim)
    elif kind == IndexKind.hnsw:
        index = faiss.IndexHNSWFlat(dim, cfg.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = cfg.hnsw_ef_construction
        index.hnsw.efSearch = cfg.hnsw_ef_search
    else:
        if dim % cfg.pq_m:
            raise VectorIndexError(f"index.faiss.pq_m={cfg.pq_m} must divide the embedding dimension {dim}")
        nlist = ivf_lists(n, cfg.ivf_nlist)
        if n < 39 * 4 or n < 2 ** cfg.pq_bits:
            raise VectorIndexError(
                f"index.faiss.kind=ivfpq needs at least {max(156, 2 ** cfg.pq_bits)} vectors to train, "
                f"got {n}; use kind=flat for a corpus this small"
            )
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFPQ(quantizer, dim, nlist, cfg.pq_m, cfg.pq_bits, faiss.METRIC_INNER_PRODUCT)
        index.nprobe = min(cfg.ivf_nprobe, nlist)
    work = to_gpu(index) if device == "gpu" else index
    if not work.is_trained:
        sample = vectors
        if train_size and n > train_size:
            pick = np.random.default_rng(0).choice(n, train_size, replace=False)
            sample = vectors[np.sort(pick)]
        work.train(sample)
    for start in range(0, n, 1 << 18):  # bounded temporary memory while adding millions
        work.add(vectors[start:start + (1 << 18)])
    return to_cpu(work)


def set_search_params(index, cfg: FaissConfig) -> None:
    import faiss

    inner = faiss.downcast_index(index)
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = cfg.hnsw_ef_search
    elif isinstance(inner, faiss.IndexIVF):
        inner.nprobe = min(cfg.ivf_nprobe, inner.nlist)


def write(index, path: Path) -> None:
    import faiss

    faiss.write_index(to_cpu(index), str(path))


@contextmanager
def omp_threads(threads: int | None) -> Iterator[None]:
    """FAISS's OpenMP threads for one call, then what they were. FAISS and torch load the same OpenMP runtime, so a
    setting left in place is process-wide: read() used to set it for good, and every later torch stage of the same
    DAG run trained on one thread (the demo's customize stage ran 1.6x slower after the index stage, 2026-12-07)."""
    if not threads:
        yield
        return
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def read(path: Path, device: str = "cpu"):
    import faiss

    if not Path(path).is_file():
        raise VectorIndexError(f"no FAISS index at {path}")
    index = faiss.read_index(str(path))
    inner = faiss.downcast_index(index)
    if isinstance(inner, faiss.IndexIVF):
        inner.make_direct_map()  # lets the retriever reconstruct vectors to report cosine scores
    return to_gpu(index) if device == "gpu" else index


def search(index, queries: np.ndarray, k: int, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of shape (len(queries), k); ids are -1 where fewer than k vectors exist; ``threads``: FAISS's
    OpenMP threads for this call (None: the process's)."""
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    if queries.ndim == 1:
        queries = queries[None, :]
    k = max(1, min(k, index.ntotal)) if index.ntotal else 1
    if index.ntotal == 0:
        return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
    with omp_threads(threads):
        return index.search(queries, k)

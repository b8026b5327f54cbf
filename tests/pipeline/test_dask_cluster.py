"""A local Dask cluster opened by a stage leaves the stage's own process as it found it."""

from __future__ import annotations

import os

from pipeline.dask_cluster import ClusterConfig, dask_client


def _worker_threads_env() -> str | None:
    return os.environ.get("OMP_NUM_THREADS")


def test_a_local_cluster_gives_its_workers_one_thread_but_leaves_this_process_environment_as_it_was(monkeypatch):
    # Dask's nanny writes OMP_NUM_THREADS=1 (and MKL / OpenBLAS) into the process that starts it; left there,
    # torch loaded by the next stage of the same DAG run trained with one thread (1.8x slower on 2 cores)
    for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PIPELINE_TEST_KEPT", "yes")
    before = dict(os.environ)
    with dask_client(ClusterConfig(n_workers=1)) as client:
        assert client.submit(_worker_threads_env).result() == "1"  # the workers keep Dask's one-thread setting
    assert dict(os.environ) == before

"""Where Dask work runs: a LocalCluster sized to the machine, an existing scheduler, or Slurm.

Stage logic receives a ``distributed.Client`` from ``dask_client`` and never creates clusters
itself, so the same curation code runs on a laptop, a shared scheduler or Slurm workers.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterator

from pipeline.errors import ConfigError

log = logging.getLogger("pipeline.dask")


class ClusterKind(str, Enum):
    local = "local"  # LocalCluster on this machine
    address = "address"  # join a running scheduler at `address`
    slurm = "slurm"  # dask-jobqueue SLURMCluster: workers are Slurm jobs


@dataclass
class ClusterConfig:
    kind: ClusterKind = ClusterKind.local
    address: str = ""  # tcp://host:8786 for kind=address
    n_workers: int = 0  # local: 0 = one worker process per core
    threads_per_worker: int = 1
    memory_limit: str = "auto"
    # kind=slurm (dask-jobqueue): one worker per job
    queue: str = ""
    jobs: int = 2
    cores: int = 1
    memory: str = "2GB"
    walltime: str = "01:00:00"
    interface: str = ""  # network interface workers bind to ("lo" on a one-node test cluster)
    death_timeout: int = 60


@contextmanager
def dask_client(cfg: ClusterConfig) -> Iterator[Any]:
    """A connected ``distributed.Client``; clusters this function started are closed on exit."""
    from distributed import Client, LocalCluster

    kind = ClusterKind(cfg.kind)
    if kind is ClusterKind.address:
        if not cfg.address:
            raise ConfigError("cluster.kind=address needs cluster.address=tcp://host:port")
        with Client(cfg.address) as client:
            log.info("dask: joined scheduler %s (%d workers)", cfg.address, len(client.scheduler_info()["workers"]))
            yield client
        return
    if kind is ClusterKind.slurm:
        raise ConfigError("cluster.kind=slurm is delivered by the Slurm issue and not available yet")
    workers = cfg.n_workers or (os.cpu_count() or 1)
    with LocalCluster(
        n_workers=workers, threads_per_worker=cfg.threads_per_worker, memory_limit=cfg.memory_limit,
        processes=True, dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        log.info("dask: LocalCluster with %d workers x %d threads", workers, cfg.threads_per_worker)
        yield client

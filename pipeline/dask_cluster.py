"""Where Dask work runs: a LocalCluster sized to the machine, an existing scheduler, or Slurm.

Stage logic receives a ``distributed.Client`` from ``dask_client`` and never creates clusters
itself, so the same curation code runs on a laptop, a shared scheduler or Slurm workers.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterator

from pipeline.errors import ConfigError, StageFailed

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
    # Worker jobs may wait in the queue: after this long the stage goes on with the workers that
    # came up, or fails naming the jobs when none did (never waits forever).
    start_timeout: int = 600
    log_directory: str = ""  # worker job logs; "" = Slurm's default (slurm-<id>.out in the working dir)
    job_extra: list[str] = field(default_factory=list)  # verbatim sbatch options: ["--account=proj"]


@contextmanager
def dask_client(cfg: ClusterConfig) -> Iterator[Any]:
    """A connected ``distributed.Client``; clusters this function started are closed on exit."""
    with _environ_restored():
        yield from _client(cfg)


@contextmanager
def _environ_restored() -> Iterator[None]:
    """Put os.environ back as it was. A LocalCluster's nanny runs in this process and writes Dask's
    ``distributed.nanny.pre-spawn-environ`` (OMP_NUM_THREADS=1, MKL/OPENBLAS too) into our own environment
    before spawning workers, and never takes it back: every stage after curate in the same process then
    loaded torch with one OpenMP thread (the demo's training ran 1.28 s per step instead of 0.70 on 2 cores,
    2026-12-07), and every subprocess it started inherited the limit."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        for key in set(os.environ) - set(saved):
            del os.environ[key]
        os.environ.update({k: v for k, v in saved.items() if os.environ.get(k) != v})


def _client(cfg: ClusterConfig) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    # distributed sets its loggers to INFO when imported; its lifecycle chatter would bury the
    # stage's own log lines (warnings still show).
    logging.getLogger("distributed").setLevel(logging.WARNING)
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)  # a WARNING per shuffle, by design

    kind = ClusterKind(cfg.kind)
    if kind is ClusterKind.address:
        if not cfg.address:
            raise ConfigError("cluster.kind=address needs cluster.address=tcp://host:port")
        with Client(cfg.address) as client:
            log.info("dask: joined scheduler %s (%d workers)", cfg.address, len(client.scheduler_info()["workers"]))
            yield client
        return
    if kind is ClusterKind.slurm:
        with _slurm_cluster(cfg) as cluster, Client(cluster) as client:
            _wait_for_slurm_workers(client, cluster, cfg)
            yield client
        return
    workers = cfg.n_workers or (os.cpu_count() or 1)
    with LocalCluster(
        n_workers=workers, threads_per_worker=cfg.threads_per_worker, memory_limit=cfg.memory_limit,
        processes=True, dashboard_address=None,
    ) as cluster, Client(cluster) as client:
        log.info("dask: LocalCluster with %d workers x %d threads", workers, cfg.threads_per_worker)
        yield client


@contextmanager
def _slurm_cluster(cfg: ClusterConfig) -> Iterator[Any]:
    """A SLURMCluster whose worker jobs are cancelled on exit, whatever happened inside."""
    from dask_jobqueue import SLURMCluster

    if cfg.jobs < 1 or cfg.cores < 1:
        raise ConfigError(
            f"cluster.kind=slurm needs cluster.jobs >= 1 and cluster.cores >= 1 (got {cfg.jobs}, {cfg.cores})"
        )
    cluster = SLURMCluster(
        queue=cfg.queue or None,
        cores=cfg.cores,
        processes=1,
        memory=cfg.memory,
        walltime=cfg.walltime,
        interface=cfg.interface or None,
        death_timeout=cfg.death_timeout,
        job_name="pipeline-dask",
        log_directory=cfg.log_directory or None,
        job_extra_directives=list(cfg.job_extra),
        scheduler_options={"dashboard_address": ":0"},  # any free port: two clusters on one host coexist
    )
    try:
        _check_worker_job(cluster.job_script())
        cluster.scale(jobs=cfg.jobs)
        yield cluster
    finally:
        jobs = _job_ids(cluster)
        try:
            cluster.close()  # scancels the worker jobs
        except Exception as err:  # noqa: BLE001 - never hide the error that brought us here
            log.warning(
                "dask: closing the SLURMCluster failed (%s: %s); worker jobs: %s",
                type(err).__name__,
                err,
                ", ".join(jobs) or "none",
            )
        else:
            log.info("dask: SLURMCluster closed; worker jobs %s cancelled", ", ".join(jobs) or "(none)")


def _check_worker_job(script: str) -> None:
    """``sbatch --test-only``: a request Slurm never grants fails now, in one line, not after a timeout."""
    import tempfile

    from pipeline.slurm.monitor import SlurmCommandError, slurm_command

    with tempfile.NamedTemporaryFile("w", suffix=".sh") as handle:
        handle.write(script)
        handle.flush()
        try:
            slurm_command(["sbatch", "--test-only", handle.name], timeout=60)
        except SlurmCommandError as err:
            raise StageFailed(
                f"dask: Slurm refuses the worker job ({err}); check cluster.queue/cores/memory/walltime"
            ) from None


def _wait_for_slurm_workers(client: Any, cluster: Any, cfg: ClusterConfig) -> None:
    try:
        client.wait_for_workers(cfg.jobs, timeout=cfg.start_timeout)
    except TimeoutError:
        up = len(client.scheduler_info()["workers"])
        jobs = ", ".join(_job_ids(cluster)) or "none submitted"
        if up == 0:
            raise StageFailed(
                f"dask: no Slurm worker came up within {cfg.start_timeout} s (cluster.start_timeout); "
                f"worker jobs: {jobs}; check cluster.queue/cores/memory against `sinfo` and the job logs "
                f"({cfg.log_directory or 'slurm-<id>.out in the working directory'})"
            ) from None
        log.warning(
            "dask: %d of %d Slurm workers up after %d s; going on with those (jobs %s)",
            up,
            cfg.jobs,
            cfg.start_timeout,
            jobs,
        )
    log.info(
        "dask: SLURMCluster with %d worker job(s) (%s) x %d core(s), %s each, queue %s",
        len(client.scheduler_info()["workers"]),
        ", ".join(_job_ids(cluster)),
        cfg.cores,
        cfg.memory,
        cfg.queue or "(default)",
    )


def _job_ids(cluster: Any) -> list[str]:
    return [str(job.job_id) for job in cluster.workers.values() if getattr(job, "job_id", None)]

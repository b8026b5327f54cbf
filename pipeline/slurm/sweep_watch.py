"""A watchdog for Hydra sweeps on Slurm (``hydra/launcher=submitit_slurm``): no sweep waits forever.

submitit learns that a job ended from its result file, or from ``sacct``. A job that dies before
it writes that file (cancelled while pending or running, its node lost, killed by a signal) on a
cluster without accounting leaves submitit waiting forever. This watchdog runs in the process
that launched the sweep: it finds the sweep's jobs in submitit's folder, asks ``squeue`` (then
``sacct``) for their states, and when a job has ended, or is no longer listed, without a result
file for ``slurm.sweep_grace_s``, it logs one line naming the job id, its last known state and its
log, and writes that line as the job's result in submitit's own format, ``("error", message)``
(what a failing job writes itself). submitit's normal wait then raises it and the sweep exits 1.

It is a Hydra callback (``hydra.callbacks.slurm_sweep_watch`` in configs/config.yaml) and only
acts for the submitit Slurm launcher.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hydra.experimental.callback import Callback

from pipeline.slurm.monitor import NEVER_STARTS, JobStatus, SlurmCommandError, cancel, slurm_states

log = logging.getLogger("pipeline.slurm")

SUBMITIT_SLURM_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"
_SUBMITTED = "_submitted.pkl"  # submitit's <job id>_submitted.pkl: the job exists and was submitted
_ID_TAGS = ("%j", "%t", "%A", "%a")  # submitit's placeholders in its folder pattern


@dataclass
class SweepJob:
    job_id: str  # "12_3": array job 12, task 3 (one sweep point)
    results: list[Path]  # one result file per Slurm task of the job
    log: Path
    last: JobStatus | None = None  # the last state squeue/sacct gave
    ended_at: float | None = None  # when it was first seen ended or gone, still without a result
    settled: bool = False  # has a result: submitit's own or the one written here

    def has_results(self) -> bool:
        return all(p.exists() for p in self.results)

    def last_state(self) -> str:
        return self.last.describe() if self.last else "never listed by squeue"


@dataclass
class SweepWatch:
    """Polls the jobs of one submitit folder until each has a result file (or is given one)."""

    folder: str  # submitit's folder pattern, e.g. <sweep dir>/.submitit/%j
    tasks_per_job: int  # Slurm tasks of each job (nodes x tasks_per_node): one result file each
    stderr_to_stdout: bool
    grace_s: float
    command_timeout_s: float
    clock: Callable[[], float] = time.monotonic
    jobs: dict[str, SweepJob] = field(default_factory=dict)

    def discover(self) -> None:
        """Jobs appear as submitit moves their submitted pickle into the job's folder."""
        from submitit.core.utils import JobPaths

        root = JobPaths.get_first_id_independent_folder(self.folder)
        pattern = str(Path(self.folder).expanduser().absolute().relative_to(root))
        for tag in _ID_TAGS:
            pattern = pattern.replace(tag, "*")
        for submitted in root.glob(f"{pattern}/*{_SUBMITTED}" if pattern != "." else f"*{_SUBMITTED}"):
            job_id = submitted.name[: -len(_SUBMITTED)]
            if job_id in self.jobs or not job_id.replace("_", "").isdigit():
                continue
            tasks = [JobPaths(self.folder, job_id, t) for t in range(self.tasks_per_job)]
            if tasks[0].submitted_pickle != submitted:
                continue  # a file of another shape that merely matches the glob
            first = tasks[0]
            job_log = first.stdout if self.stderr_to_stdout else first.stderr
            self.jobs[job_id] = SweepJob(job_id, [t.result_pickle for t in tasks], job_log)
            log.debug("slurm sweep: watching job %s (%s)", job_id, first.folder)

    def poll(self) -> list[str]:
        """One round: returns the messages of the jobs declared failed in it."""
        self.discover()
        open_jobs = [j for j in self.jobs.values() if not j.settled]
        if not open_jobs:
            return []
        try:
            states = slurm_states([j.job_id for j in open_jobs], self.command_timeout_s)
        except SlurmCommandError as err:  # a busy controller: ask again next round
            log.warning("slurm sweep: %s", err)
            return []
        now = self.clock()
        failed, stuck = [], []
        for job in open_jobs:
            if job.has_results():  # checked after squeue: a job that just finished is never failed
                job.settled = True
                continue
            status = states.get(job.job_id)
            if status is not None:
                job.last = status
                if status.state == "PENDING" and status.reason in NEVER_STARTS:
                    stuck.append(job.job_id)
            if status is not None and not status.done:
                job.ended_at = None
                continue
            job.ended_at = job.ended_at if job.ended_at is not None else now
            if now - job.ended_at >= self.grace_s:
                message = self._fail(job, gone=status is None)
                if message:
                    failed.append(message)
        if stuck:  # never starts: cancelled, then reported as CANCELLED [reason] on a later round
            cancel(stuck, self.command_timeout_s)
        return failed

    def _fail(self, job: SweepJob, gone: bool) -> str | None:
        state = f"last seen {job.last_state()}, then gone from squeue" if gone else job.last_state()
        never = "" if job.log.exists() else " (not written: the job never started)"
        message = (
            f"Slurm sweep job {job.job_id}: {state}, no result after {self.grace_s:g} s "
            f"(slurm.sweep_grace_s); log {job.log}{never}"
        )
        wrote = [p for p in job.results if _write_error_result(p, message)]
        job.settled = True
        if not wrote:
            return None  # the job's own results arrived meanwhile: nothing failed
        log.error("%s", message)
        return message


def _write_error_result(path: Path, message: str) -> bool:
    """submitit's result file of a failed job, unless the job wrote its own: False then."""
    tmp = path.with_name(f".{path.name}.watchdog-{os.getpid()}")
    with open(tmp, "wb") as handle:
        pickle.dump(("error", message), handle, pickle.HIGHEST_PROTOCOL)
    try:
        os.link(tmp, path)  # atomic and never over a result the job wrote itself
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


@dataclass
class _Running:
    watch: SweepWatch
    poll_s: float
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.watch.poll()
            except Exception as err:  # the watchdog must never take the sweep down itself
                log.warning("slurm sweep watchdog: %s: %s", type(err).__name__, err)
            self.stop.wait(self.poll_s)


class SlurmSweepWatch(Callback):
    """Hydra callback: runs a SweepWatch beside submitit's wait, for the Slurm launcher only.

    The launcher pickles Hydra's callbacks into every job, so the running thread is kept out of
    this object's pickled state.
    """

    def __init__(self) -> None:
        self._running: _Running | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._running = None

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        launcher = config.hydra.launcher
        if str(launcher.get("_target_", "")) != SUBMITIT_SLURM_LAUNCHER:
            return
        slurm = config.slurm
        watch = SweepWatch(
            folder=str(launcher.submitit_folder),
            tasks_per_job=int(launcher.nodes) * int(launcher.tasks_per_node),
            stderr_to_stdout=bool(launcher.stderr_to_stdout),
            grace_s=float(slurm.sweep_grace_s),
            command_timeout_s=float(slurm.command_timeout_s),
        )
        running = _Running(watch, float(slurm.poll_s))
        running.thread = threading.Thread(target=running.run, name="slurm-sweep-watch", daemon=True)
        running.thread.start()
        self._running = running
        log.info(
            "slurm sweep: watching the jobs in %s (one that ends without a result fails after %g s)",
            watch.folder,
            watch.grace_s,
        )

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        running, self._running = self._running, None
        if running is not None and running.thread is not None:
            running.stop.set()
            running.thread.join(timeout=running.watch.command_timeout_s + 5)

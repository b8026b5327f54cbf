"""Job states from Slurm, with our own fallbacks and timeouts so that a wait always ends.

Sources, best first: ``squeue`` (jobs the controller still remembers, finished ones for
MinJobAge), ``sacct`` (only where accounting is configured), then the exit record each job
script writes on exit. A job none of them knows for ``lost_after_s`` is declared LOST.
"""

from __future__ import annotations

import logging
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

log = logging.getLogger("pipeline.slurm")

SUCCEEDED = {"COMPLETED"}
FAILED = {
    "FAILED",
    "CANCELLED",
    "TIMEOUT",
    "OUT_OF_MEMORY",
    "NODE_FAIL",
    "PREEMPTED",
    "BOOT_FAIL",
    "DEADLINE",
    "REVOKED",
    "SPECIAL_EXIT",
    "LOST",
}
# Pending reasons that will never change by waiting: the job is cancelled and reported.
NEVER_STARTS = {
    "DependencyNeverSatisfied",
    "BadConstraints",
    "PartitionConfig",
    "InvalidQOS",
    "InvalidAccount",
}


class SlurmCommandError(RuntimeError):
    """A Slurm client command failed; the message holds its own error line."""


def slurm_command(args: list[str], timeout: float) -> str:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise SlurmCommandError(
            f"'{args[0]}' not found: is this a Slurm login node (slurm-client installed)?"
        ) from None
    except subprocess.TimeoutExpired:
        raise SlurmCommandError(f"'{' '.join(args[:2])}' gave no answer within {timeout:.0f} s") from None
    if proc.returncode != 0:
        first = (proc.stderr.strip() or proc.stdout.strip() or f"exit {proc.returncode}").splitlines()[0]
        raise SlurmCommandError(f"{args[0]} failed: {first}")
    return proc.stdout


@dataclass
class JobStatus:
    job_id: str
    state: str  # Slurm's state name (PENDING, RUNNING, COMPLETED, ...), UNKNOWN or LOST
    reason: str = ""  # pending reason, or how the state was learnt
    exit_code: int | None = None

    @property
    def done(self) -> bool:
        return self.state in SUCCEEDED or self.state in FAILED

    def describe(self) -> str:
        text = self.state
        if self.exit_code not in (None, 0):
            text += f" (exit {self.exit_code})"
        if self.reason and self.reason not in ("None", ""):
            text += f" [{self.reason}]"
        return text


def squeue_states(job_ids: list[str], timeout: float) -> dict[str, JobStatus]:
    """States of the jobs the controller still knows (running, pending and recently finished)."""
    try:
        out = slurm_command(
            # -r: one line per array task ("12_1"), also for tasks still pending as "12_[1-3]"
            ["squeue", "-h", "-r", "--states=all", "-j", ",".join(job_ids), "-o", "%i|%T|%r"], timeout
        )
    except SlurmCommandError as err:
        if "Invalid job id" in str(err):  # every id already purged from the controller
            return {}
        raise
    found: dict[str, JobStatus] = {}
    for line in out.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 3 and parts[0] in job_ids:
            found[parts[0]] = JobStatus(parts[0], parts[1].split()[0], parts[2])
    return found


def sacct_states(job_ids: list[str], timeout: float) -> dict[str, JobStatus]:
    """States from accounting; empty where accounting is not configured."""
    try:
        out = slurm_command(
            ["sacct", "-n", "-X", "-P", "-j", ",".join(job_ids), "-o", "JobID,State,ExitCode"], timeout
        )
    except SlurmCommandError:
        return {}
    found: dict[str, JobStatus] = {}
    for line in out.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 3 and parts[0] in job_ids:
            code = parts[2].split(":")[0]
            found[parts[0]] = JobStatus(
                parts[0], parts[1].split()[0], "sacct", int(code) if code.isdigit() else None
            )
    return found


def slurm_states(job_ids: list[str], timeout: float) -> dict[str, JobStatus]:
    """squeue's view, then sacct's for the jobs squeue no longer lists; raises when squeue fails."""
    states = squeue_states(job_ids, timeout)
    missing = [j for j in job_ids if j not in states]
    if missing:
        states.update(sacct_states(missing, timeout))
    return states


def exit_record(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.lstrip("-").isdigit() else None


def cancel(job_ids: list[str], timeout: float) -> None:
    if job_ids:
        try:
            slurm_command(["scancel", *job_ids], timeout)
        except SlurmCommandError as err:
            log.warning("slurm: could not cancel %s: %s", ", ".join(job_ids), err)


@dataclass
class JobWatch:
    """Polls a set of jobs until each ended, the deadline passed or a job got lost."""

    records: dict[str, Path]  # job id -> its exit record file
    poll_s: float
    timeout_s: float
    lost_after_s: float
    command_timeout_s: float
    on_change: Callable[[str, JobStatus | None, JobStatus], None] = lambda job, old, new: None
    clock: Callable[[], float] = time.monotonic

    def poll(self, last: dict[str, JobStatus], unseen_since: dict[str, float]) -> dict[str, JobStatus]:
        ids = list(self.records)
        try:
            states = slurm_states(ids, self.command_timeout_s)
        except SlurmCommandError as err:  # a busy controller: ask again next round
            log.warning("slurm: %s", err)
            return dict(last)
        now = self.clock()
        for job in ids:
            code = exit_record(self.records[job])
            status = states.get(job)
            if status is None:
                if code is not None:
                    status = JobStatus(job, "COMPLETED" if code == 0 else "FAILED", "exit record", code)
                else:
                    since = unseen_since.setdefault(job, now)
                    state = "LOST" if now - since > self.lost_after_s else "UNKNOWN"
                    status = JobStatus(job, state, f"unknown to squeue and sacct for {now - since:.0f} s")
            elif code is not None and status.exit_code is None:
                status.exit_code = code
            states[job] = status
        return states

    def wait(self) -> tuple[dict[str, JobStatus], bool]:
        """Final states and whether every job ended before the deadline."""
        deadline = self.clock() + self.timeout_s
        last: dict[str, JobStatus] = {}
        unseen_since: dict[str, float] = {}
        while True:
            states = self.poll(last, unseen_since)
            for job, status in states.items():
                old = last.get(job)
                if old is None or (old.state, old.reason) != (status.state, status.reason):
                    self.on_change(job, old, status)
            stuck = [j for j, s in states.items() if s.state == "PENDING" and s.reason in NEVER_STARTS]
            if stuck:
                cancel(stuck, self.command_timeout_s)
            last = states
            if all(s.done for s in states.values()) and len(states) == len(self.records):
                return states, True
            if self.clock() >= deadline:
                return states, False
            time.sleep(self.poll_s)

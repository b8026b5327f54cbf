"""Hydra sweeps through hydra-submitit-launcher: on the real Slurm (a job array) and locally.

Both sweep points need curate; the store's (stage, key) lock makes the parallel points share one
curate artifact instead of each making its own. A sweep job that dies without a result (cancelled
while pending or running, its process killed) fails the sweep through pipeline.slurm.sweep_watch
instead of leaving submitit waiting forever (this cluster has no accounting).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import submitit
from submitit.core.utils import FailedJobError

from pipeline.slurm.sweep_watch import SweepWatch, _write_error_result
from tests.support import REPO

SWEEP = ["-m", "stage=train", "train.optim.lr=0.001,0.0003"]
# The watchdog polls fast here; its default 10 s poll and 30 s grace are for busy clusters.
FAST_WATCH = ["slurm.poll_s=0.3", "slurm.sweep_grace_s=1"]


def assert_points_shared_one_curate(toy) -> None:
    assert sorted(toy.runs()) == ["curate", "train", "train"]
    curate_keys = [p for p in (toy.root / "artifacts" / "curate").iterdir() if not p.name.startswith(".")]
    assert len(curate_keys) == 1
    views = toy.root / "experiments" / "default"
    lrs = {}
    for point in ("train.optim.lr=0.001", "train.optim.lr=0.0003"):
        index = json.loads((views / point / "index.json").read_text())
        lrs[point] = index["train"]["metrics"]["lr"]
        assert index["curate"]["key"] == curate_keys[0].name
    assert lrs == {"train.optim.lr=0.001": 0.001, "train.optim.lr=0.0003": 0.0003}


def submitit_folder(toy):
    [folder] = (toy.root / "logs" / "multirun").glob("*/*/.submitit")
    return folder


@pytest.mark.slurm
def test_a_two_point_sweep_runs_as_a_slurm_job_array(toy, slurm_cluster):
    proc = toy.cli("run", *SWEEP, "hydra/launcher=submitit_slurm", "hydra.launcher.timeout_min=5")
    assert "Submitit 'slurm' sweep output dir" in proc.stdout + proc.stderr
    assert_points_shared_one_curate(toy)
    tasks = sorted(p.name for p in submitit_folder(toy).iterdir() if re.fullmatch(r"\d+_\d+", p.name))
    assert len(tasks) == 2 and len({t.split("_")[0] for t in tasks}) == 1, tasks  # one array, two tasks
    for task in tasks:
        log = (submitit_folder(toy) / task / f"{task}_0_log.err").read_text()
        assert "train: wrote" in log


@pytest.mark.slurm
def test_a_failing_sweep_point_on_slurm_fails_the_sweep(toy, slurm_cluster):
    proc = toy.cli(
        "run",
        *SWEEP,
        "hydra/launcher=submitit_slurm",
        "hydra.launcher.timeout_min=5",
        f"curate.input={toy.root / 'missing.jsonl'}",
        check=False,
    )
    assert proc.returncode == 1
    assert "No such file or directory" in proc.stderr and "missing.jsonl" in proc.stderr
    assert not (toy.root / "artifacts" / "train").exists()


def test_a_two_point_sweep_with_submitit_local_shares_upstream(toy):
    proc = toy.cli("run", *SWEEP, "hydra/launcher=submitit_local")
    assert "Submitit 'local' sweep output dir" in proc.stdout + proc.stderr
    assert_points_shared_one_curate(toy)


def start_sweep(toy, slurm_cluster, *args: str) -> subprocess.Popen:
    """The sweep in the background; each job's train stage sleeps 60 s (TOY_SLEEP_IN) to be killed."""
    env = {**slurm_cluster.env, "TOY_RUN_LOG": str(toy.run_log), "TOY_SLEEP_IN": "train"}
    command = [sys.executable, "-m", "pipeline", "run", *toy.base_overrides, *args]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_states(slurm_cluster, job: str, wanted: dict[str, str], timeout: float = 60) -> None:
    """Until squeue lists each task (e.g. "12_1") in its wanted state."""
    deadline = time.monotonic() + timeout
    states: dict[str, str] = {}
    while time.monotonic() < deadline:
        out = slurm_cluster.command("squeue", "-h", "-r", "-t", "all", "-j", job, "-o", "%i %T", check=False)
        states = dict(line.split() for line in out.stdout.splitlines() if line.strip())
        if all(states.get(task) == state for task, state in wanted.items()):
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job}: wanted {wanted}, squeue says {states}")


def wait_for_job_folder(toy, timeout: float = 60) -> str:
    """The Slurm job id, once submitit has moved the first job's files into its folder."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list((toy.root / "logs" / "multirun").glob("*/*/.submitit/*/*_submitted.pkl"))
        if found:
            return min(found).name.split("_submitted.pkl")[0].split("_")[0]
        time.sleep(0.2)
    raise AssertionError("no sweep job was submitted within the timeout")


def finish(runner: subprocess.Popen, slurm_cluster, job: str) -> tuple[str, str]:
    """The sweep's output; a sweep still waiting after 60 s fails the test (it would wait forever)."""
    try:
        return runner.communicate(timeout=60)
    finally:
        runner.kill()
        slurm_cluster.command("scancel", job, check=False)


@pytest.mark.slurm
def test_sweep_jobs_cancelled_while_running_or_pending_fail_the_sweep_naming_each(toy, slurm_cluster):
    runner = start_sweep(
        toy,
        slurm_cluster,
        "-m",
        "stage=train",
        "train.optim.lr=0.001,0.0003,0.0001",
        "hydra/launcher=submitit_slurm",
        "hydra.launcher.timeout_min=5",
        "hydra.launcher.array_parallelism=1",  # one point runs, the other two wait in the array
        *FAST_WATCH,
    )
    job = wait_for_job_folder(toy)
    try:
        states = {f"{job}_0": "RUNNING", f"{job}_1": "PENDING", f"{job}_2": "PENDING"}
        wait_for_states(slurm_cluster, job, states)
        deadline = time.monotonic() + 60
        while "train" not in toy.runs() and time.monotonic() < deadline:  # point 0 is inside its stage
            time.sleep(0.2)
        time.sleep(1)  # the watchdog has seen every task pending or running
        # A pending task cancelled out of the array's pending record vanishes from squeue at once
        # (no record, no log: only the watchdog notices); the running one ends after KillWait.
        for task in (2, 1, 0):
            slurm_cluster.command("scancel", f"{job}_{task}")
    finally:
        stdout, stderr = finish(runner, slurm_cluster, job)
    output = stdout + stderr
    assert runner.returncode == 1, output
    folder = submitit_folder(toy)
    logs = {t: folder / f"{job}_{t}" / f"{job}_{t}_0_log.err" for t in range(3)}
    assert logs[0].exists() and not logs[1].exists() and not logs[2].exists()
    lines = {t: f"Slurm sweep job {job}_{t}: " for t in range(3)}
    assert f"{lines[0]}CANCELLED, no result after 1 s (slurm.sweep_grace_s); log {logs[0]}\n" in output
    never = "no result after 1 s (slurm.sweep_grace_s); log {} (not written: the job never started)"
    gone = "last seen PENDING [JobArrayTaskLimit], then gone from squeue"
    assert f"{lines[2]}{gone}, {never.format(logs[2])}" in output
    # the last pending task keeps a CANCELLED record or vanishes too, as Slurm's timing has it
    assert any(
        f"{lines[1]}{state}, {never.format(logs[1])}" in output
        for state in (gone, "CANCELLED [JobArrayTaskLimit]")
    ), output
    # submitit's own wait raised the watchdog's line for the first point: the sweep exits 1
    assert "FailedJobError" in stderr and f"{lines[0]}CANCELLED" in stderr
    assert not list((toy.root / "artifacts" / "train").glob("*/manifest.json"))  # nothing looks made


@pytest.mark.slurm
def test_a_sweep_job_whose_process_is_killed_fails_the_sweep(toy, slurm_cluster):
    """As when a node dies or the OOM killer strikes: the point's Python is gone, no result written."""
    runner = start_sweep(
        toy,
        slurm_cluster,
        "-m",
        "stage=train",
        "train.optim.lr=0.001",  # one point: a plain job, not an array
        "hydra/launcher=submitit_slurm",
        "hydra.launcher.timeout_min=5",
        *FAST_WATCH,
    )
    job = wait_for_job_folder(toy)
    try:
        deadline = time.monotonic() + 60
        while "train" not in toy.runs() and time.monotonic() < deadline:
            time.sleep(0.2)
        pids = slurm_cluster.command("scontrol", "listpids", job).stdout.splitlines()[1:]
        step = [line.split()[0] for line in pids if line.split()[2] == "0"]  # step 0: srun's python
        assert step, pids
        subprocess.run(["kill", "-KILL", *step], check=True)
    finally:
        stdout, stderr = finish(runner, slurm_cluster, job)
    output = stdout + stderr
    assert runner.returncode == 1, output
    log = submitit_folder(toy) / job / f"{job}_0_log.err"
    line = f"Slurm sweep job {job}: FAILED [NonZeroExitCode], no result after 1 s (slurm.sweep_grace_s)"
    assert f"{line}; log {log}\n" in output


def test_the_watchdogs_result_is_what_submitits_own_wait_raises(tmp_path: Path):
    """The file protocol, without Slurm: submitit's real Job reads the result the watchdog writes."""
    folder = tmp_path / ".submitit" / "%j"
    job = submitit.SlurmJob(folder=folder, job_id="41_2")
    job.paths.folder.mkdir(parents=True)
    job.paths.submitted_pickle.write_bytes(b"")  # what submitit leaves once the job is submitted
    watch = SweepWatch(str(folder), tasks_per_job=1, stderr_to_stdout=False, grace_s=0, command_timeout_s=5)
    watch.discover()
    assert list(watch.jobs) == ["41_2"] and watch.jobs["41_2"].results == [job.paths.result_pickle]
    assert not job.done()
    assert _write_error_result(job.paths.result_pickle, "Slurm sweep job 41_2: CANCELLED; log x.err")
    assert job.done()
    with pytest.raises(FailedJobError, match=r"Slurm sweep job 41_2: CANCELLED; log x\.err"):
        job.results()
    # A result the job wrote itself is never replaced
    assert not _write_error_result(job.paths.result_pickle, "another message")
    assert "CANCELLED" in str(job.exception())
    assert sorted(p.name for p in job.paths.folder.iterdir()) == ["41_2_0_result.pkl", "41_2_submitted.pkl"]

"""``launcher=slurm`` against a real Slurm: stage jobs, afterok chains, failures, cancels, timeouts.

Stages come from the toy registry (tests/toy_stages.py); the broken registry below adds a train
stage that raises and a stage after it, to show that a failure stops exactly its dependents.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from pipeline.registry import Registry
from pipeline.slurm.monitor import JobWatch
from pipeline.stage import StageContext, StageResult
from tests.support import REPO
from tests.support.toy_project import IMPLEMENTED
from tests.support.toy_stages import _record, toy_spec

pytestmark = pytest.mark.slurm
FAST = ["slurm.poll_s=0.3"]  # the default 10 s poll is for busy production controllers


def broken_train(ctx: StageContext) -> StageResult:
    _record(ctx.name)
    raise RuntimeError("toy train broke on purpose")


def after_train(ctx: StageContext) -> StageResult:
    _record(ctx.name)
    (ctx.out_dir / "adapter.txt").write_text("made\n")
    return StageResult({"adapter": "adapter.txt"})


def broken_train_registry() -> Registry:
    from curator.spec import SPEC as CURATE
    from customize.spec import SPEC as CUSTOMIZE
    from rag.spec import SPEC as INDEX
    from train.spec import SPEC as TRAIN

    toy, here = "tests.support.toy_stages", __name__
    return Registry(
        [
            toy_spec(CURATE, f"{toy}:toy_curate", ("docs",), external_inputs=("curate.input",)),
            toy_spec(TRAIN, f"{here}:broken_train", ()),
            toy_spec(CUSTOMIZE, f"{here}:after_train", ("adapter",)),
            toy_spec(INDEX, f"{toy}:toy_index", ("index",), external_inputs=()),
        ]
    )


def submitted(stdout: str) -> dict[str, tuple[str, Path]]:
    """stage -> (job id, log path) from the launcher's submission table."""
    found = {}
    for match in re.finditer(r"^  (\w+)\s+job (\d+)\s+\S+\s+log (\S+)$", stdout, re.M):
        found[match.group(1)] = (match.group(2), Path(match.group(3)))
    return found


def job_times(cluster, job_id: str) -> tuple[datetime, datetime]:
    text = cluster.command("scontrol", "show", "job", job_id).stdout
    start, end = (re.search(rf"{key}=(\S+)", text).group(1) for key in ("StartTime", "EndTime"))
    return datetime.fromisoformat(start), datetime.fromisoformat(end)


def manifests(toy, stage: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in (toy.root / "artifacts" / stage).glob("*/manifest.json")]


def test_a_stage_job_runs_and_its_manifest_appears(toy, slurm_cluster):
    proc = toy.cli("run", "stage=curate", "launcher=slurm", "wait=true", *FAST)
    jobs = submitted(proc.stdout)
    assert list(jobs) == ["curate"], proc.stdout
    job_id, log = jobs["curate"]
    # a poll may also catch slurm's short COMPLETING state in between (seen on a busy machine)
    assert re.search(rf"curate job {job_id}: RUNNING -> (?:COMPLETING\n.*curate job {job_id}: COMPLETING -> )?COMPLETED",
                     proc.stderr), proc.stderr
    [manifest] = manifests(toy, "curate")
    assert manifest["metrics"]["docs_out"] == 2  # the toy corpus: one duplicate, one empty
    assert f"pipeline: stage curate, job {job_id}" in log.read_text()
    assert toy.runs() == ["curate"]
    again = toy.cli("run", "stage=curate", "launcher=slurm", "wait=true", *FAST)
    assert "nothing to submit: curate up to date" in again.stdout
    assert toy.runs() == ["curate"]


def test_a_two_stage_chain_respects_afterok(toy, slurm_cluster):
    proc = toy.cli("run", "stage=train", "launcher=slurm", "wait=true", *FAST)
    jobs = submitted(proc.stdout)
    (curate_id, _), (train_id, train_log) = jobs["curate"], jobs["train"]
    assert f"--dependency=afterok:{curate_id}" in (train_log.parent / "train.sbatch").read_text()
    assert f"train job {train_id}: PENDING [Dependency]" in proc.stderr
    _, curate_end = job_times(slurm_cluster, curate_id)
    train_start, _ = job_times(slurm_cluster, train_id)
    assert train_start >= curate_end, (train_start, curate_end)
    assert toy.runs() == ["curate", "train"]
    [curate], [train] = manifests(toy, "curate"), manifests(toy, "train")
    assert train["inputs"]["curate"]["key"] == curate["key"]
    assert re.search(r"train\s+│\s+up-to-date", toy.cli("status").stdout)


def test_submission_without_wait_prints_ids_and_skips_up_to_date_stages(toy, slurm_cluster):
    toy.cli("run", "stage=curate")  # made locally: the Slurm run must not redo it
    proc = toy.cli("run", IMPLEMENTED, "launcher=slurm", *FAST)
    jobs = submitted(proc.stdout)
    assert sorted(jobs) == ["index", "train"], proc.stdout
    assert "up to date, not submitted: curate" in proc.stdout
    assert f"follow: squeue -j {jobs['train'][0]},{jobs['index'][0]}" in proc.stdout
    assert slurm_cluster.wait_for([jobs["train"][0], jobs["index"][0]]) == {
        jobs["train"][0]: "COMPLETED",
        jobs["index"][0]: "COMPLETED",
    }
    assert sorted(toy.runs()) == ["curate", "index", "train"]
    assert manifests(toy, "train") and manifests(toy, "index")


def test_a_failing_stage_is_reported_and_its_dependents_do_not_run(toy, slurm_cluster):
    proc = toy.cli(
        "run",
        "registry=tests.slurm.test_slurm_jobs:broken_train_registry",
        "launcher=slurm",
        "wait=true",
        *FAST,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    jobs = submitted(proc.stdout)
    assert sorted(jobs) == ["curate", "customize", "index", "train"]
    (train_id, train_log), (after_id, after_log) = jobs["train"], jobs["customize"]
    assert "2 of 4 Slurm job(s) did not complete" in proc.stderr
    assert f"train job {train_id}: FAILED (exit 1) [NonZeroExitCode], log {train_log}\n" in proc.stderr
    assert (
        f"customize job {after_id}: CANCELLED [DependencyNeverSatisfied], log {after_log} "
        "(not written: the job never started)"
    ) in proc.stderr
    assert "RuntimeError: toy train broke on purpose" in train_log.read_text()
    assert sorted(toy.runs()) == ["curate", "index", "train"]  # customize never started
    assert not manifests(toy, "train") and not manifests(toy, "customize")
    assert manifests(toy, "index")  # the branch that did not depend on train completed


def test_an_unimplemented_stage_is_not_submitted_and_exits_3_like_a_local_run(toy, slurm_cluster):
    proc = toy.cli("run", "launcher=slurm", "wait=true", *FAST, check=False)  # toy customize has no impl
    assert proc.returncode == 3, proc.stderr
    assert sorted(submitted(proc.stdout)) == ["curate", "index", "train"]
    assert "not submitted: customize (not implemented yet; issue: Customize stage)" in proc.stderr
    assert "all 3 job(s) completed" in proc.stderr
    assert sorted(toy.runs()) == ["curate", "index", "train"]


def test_a_cancelled_job_is_reported_with_id_state_and_log(toy, slurm_cluster):
    args = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        *toy.base_overrides,
        "stage=train",
        "launcher=slurm",
        "wait=true",
        *FAST,
    ]
    env = {**slurm_cluster.env, "TOY_RUN_LOG": str(toy.run_log), "TOY_SLEEP_IN": "curate"}
    runner = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while "curate" not in toy.runs() and time.monotonic() < deadline:  # the job is inside the stage
            time.sleep(0.2)
        ids = slurm_cluster.command(
            "squeue", "-h", "-t", "RUNNING", "-n", "pipeline.default.curate", "-o", "%i"
        ).stdout.split()
        assert len(ids) == 1, ids
        slurm_cluster.command("scancel", ids[0])
        stdout, stderr = runner.communicate(timeout=60)
    finally:
        runner.kill()
    assert runner.returncode == 1, stderr
    jobs = submitted(stdout)
    assert f"curate job {ids[0]}: CANCELLED" in stderr and str(jobs["curate"][1]) in stderr
    assert re.search(rf"train job {jobs['train'][0]}: CANCELLED.*, log ", stderr), stderr
    assert toy.runs() == ["curate"]
    assert not manifests(toy, "curate")


def test_waiting_gives_up_after_its_own_timeout(toy, slurm_cluster):
    t0 = time.monotonic()
    proc = toy.cli(
        "run",
        "stage=curate",
        "launcher=slurm",
        "wait=true",
        "slurm.wait_timeout_min=0.05",
        *FAST,
        env={"TOY_SLEEP_IN": "curate"},
        check=False,
    )
    waited = time.monotonic() - t0
    job_id, log = submitted(proc.stdout)["curate"]
    try:
        assert proc.returncode == 1, proc.stderr
        assert "gave up waiting after 0.05 min (slurm.wait_timeout_min)" in proc.stderr
        assert f"(scancel {job_id} stops them)" in proc.stderr and f"log {log}" in proc.stderr
        assert waited < 40  # the stage sleeps 60 s: the wait ended on its own deadline
        state = slurm_cluster.command("squeue", "-h", "-j", job_id, "-o", "%T").stdout.strip()
        assert state in ("RUNNING", "PENDING", "CONFIGURING")  # left alone, as the message says
    finally:
        slurm_cluster.command("scancel", job_id, check=False)


def test_sbatch_refusal_fails_in_one_line_and_leaves_nothing_queued(toy, slurm_cluster):
    too_much = f"slurm.stages.train.mem={slurm_cluster.real_memory_mb * 4}M"
    proc = toy.cli("run", "stage=train", "launcher=slurm", too_much, *FAST, check=False)
    assert proc.returncode == 1
    assert "sbatch refused the job of stage 'train': sbatch failed:" in proc.stderr
    assert re.search(r"cancelled the jobs already submitted: \d+", proc.stderr)
    assert slurm_cluster.job_ids() == []
    assert "train" not in toy.runs()


def test_a_job_unknown_to_slurm_is_declared_lost_not_waited_on(tmp_path, slurm_cluster):
    # 999999 was never submitted: squeue does not know it, sacct has no accounting, no exit record.
    watch = JobWatch(
        records={"999999": tmp_path / "never.exit"},
        poll_s=0.2,
        timeout_s=30,
        lost_after_s=1,
        command_timeout_s=10,
    )
    t0 = time.monotonic()
    states, finished = watch.wait()
    assert finished and states["999999"].state == "LOST"
    assert time.monotonic() - t0 < 10

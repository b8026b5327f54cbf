"""torchrun: 2 DDP processes (gloo, CPU) reproduce 1 process with the same global batch; the runner's
rules for multi-process runs (one commit, shared decision, upstream must be up to date)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.test_train_stage import artifact, command, losses
from tests.train_support import REPO


def run(cmd: list[str], env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def test_two_processes_match_one_process_with_the_same_global_batch(tmp_path):
    common = ["train.steps=12", "train.eval_every=6", "train.checkpoint_every=6", "train.micro_batch_size=4"]
    run(command(tmp_path / "one", *common, "train.grad_accum=2"))
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    run(command(tmp_path / "two", stage="curate"))  # upstream first, without torchrun
    proc = run(torchrun + command(tmp_path / "two", *common, "train.grad_accum=1")[1:])
    one, two = artifact(tmp_path / "one"), artifact(tmp_path / "two")
    metrics = json.loads((two / "manifest.json").read_text())["metrics"]
    assert metrics["world_size"] == 2 and metrics["global_batch"] == 8
    names = [p.name for p in (tmp_path / "two" / "artifacts" / "train").iterdir()]
    assert [n for n in names if not n.startswith(".")] == [two.name]  # one artifact, committed once
    assert not [n for n in names if n.startswith((".tmp-", ".work-"))]  # no temp or work folder left
    a, b = losses(one / "metrics.jsonl"), losses(two / "metrics.jsonl")
    assert [r[:2] for r in a] == [r[:2] for r in b]
    assert max(abs(x[2] - y[2]) for x, y in zip(a, b)) < 1e-5, list(zip(a, b))
    assert "running as rank 1 of 2" in proc.stderr


def test_upstream_must_be_up_to_date_under_torchrun(tmp_path):
    proc = run(command(tmp_path), env={"WORLD_SIZE": "2", "RANK": "0"}, check=False)
    assert proc.returncode == 1
    assert ("under torchrun (WORLD_SIZE=2) upstream stage 'curate' must be up to date first (missing: never made); "
            "run `python -m pipeline run stage=curate` once without torchrun") in proc.stderr
    assert not (tmp_path / "artifacts" / "train").exists()


def test_fp8_amax_all_reduce_runs_inside_ddp_without_deadlock(tmp_path):
    run(command(tmp_path, stage="curate"))
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    run(torchrun + command(tmp_path, "train.steps=3", "train.eval_every=3", "train.precision=fp8",
                           "train.fp8.amax_history_len=4")[1:])
    out = artifact(tmp_path)
    metrics = json.loads((out / "manifest.json").read_text())["metrics"]
    assert metrics["world_size"] == 2 and metrics["fp8_backend"] == "emulated" and metrics["fp8_recipe"]["reduce_amax"]

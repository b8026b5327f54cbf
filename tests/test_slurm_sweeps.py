"""Hydra sweeps through hydra-submitit-launcher: on the real Slurm (a job array) and locally.

Both sweep points need curate; the store's (stage, key) lock makes the parallel points share one
curate artifact instead of each making its own.
"""

from __future__ import annotations

import json
import re

import pytest

SWEEP = ["-m", "stage=train", "train.optim.lr=0.001,0.0003"]


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

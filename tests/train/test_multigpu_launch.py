"""The multi-GPU launch scripts (benchmarks/multigpu/, docs/train.md) on CPU: lm_run.py alone and
under torchrun (2 gloo processes) gives the same losses and the same exported model, compare.py
reads them, and the Slurm launcher renders the srun + torchrun job of a two-GPU megatron run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.config import to_typed
from pipeline.slurm.config import stage_resources
from pipeline.slurm.script import JobSpec, render, uses_torchrun
from tests.support import REPO

RUN = [
    str(REPO / "benchmarks" / "multigpu" / "lm_run.py"),
    "--engine",
    "native",
    "--precision",
    "fp32",
    "--preset",
    "tiny",
    "--steps",
    "4",
    "--seq-len",
    "64",
    "--micro",
    "2",
    "--device",
    "cpu",
]
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *argv], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300, check=True
    )


def test_lm_run_alone_and_under_torchrun_agree_and_compare_reads_them(tmp_path):
    run(*RUN, "--accum", "2", "--out", str(tmp_path / "native-fp32-1gpu"))
    run(
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        *RUN,
        "--accum",
        "1",
        "--out",
        str(tmp_path / "native-fp32-ddp2"),
    )
    one, two = (
        json.loads((tmp_path / name / "result.json").read_text())
        for name in ("native-fp32-1gpu", "native-fp32-ddp2")
    )
    assert (one["world_size"], two["world_size"]) == (1, 2) and one["global_batch"] == two[
        "global_batch"
    ] == 4
    assert max(abs(a - b) for a, b in zip(one["losses"], two["losses"])) < 1e-5
    assert (
        len(two["peak_mem_GiB_per_rank"]) == 2
        and (tmp_path / "native-fp32-ddp2" / "hf" / "config.json").is_file()
    )
    proc = run(
        str(REPO / "benchmarks" / "multigpu" / "compare.py"),
        str(tmp_path),
        "--json",
        str(tmp_path / "c.json"),
    )
    table = {row["name"]: row for row in json.loads((tmp_path / "c.json").read_text())}
    ddp = table["native-fp32-ddp2"]
    assert ddp["baseline"] == "native-fp32-1gpu" and ddp["max_abs_loss_diff"] < 1e-5
    assert ddp["hf_same_shapes"] and ddp["hf_logits_max_rel_err"] < 1e-5 and ddp["hf_argmax_agreement"] == 1.0
    assert "native-fp32-ddp2" in proc.stdout


def test_two_gpu_script_parts_and_usage():
    script = REPO / "benchmarks" / "multigpu" / "run_2gpu.sh"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    proc = subprocess.run(["bash", str(script), "nonsense"], capture_output=True, text=True)
    assert proc.returncode == 2 and "usage: " in proc.stderr


def test_slurm_job_for_a_two_gpu_megatron_run_uses_srun_and_torchrun(compose_cfg, tmp_path):
    cfg = compose_cfg(
        ["launcher=slurm", "slurm=gpu", "slurm.stages.train.gpus=2", "slurm.stages.train.nodes=1"]
    )
    resources = stage_resources(to_typed(cfg.slurm), "train")
    assert (resources.gpus, resources.nodes) == (2, 1) and uses_torchrun(resources)
    overrides = ["stage=train", "model=1b", "train.engine=megatron", "train.parallel.tp=2"]
    script = render(
        JobSpec(
            stage="train",
            name="pipeline.mg.train",
            command=["-m", "pipeline", "run", *overrides],
            workdir=Path("/proj"),
            log=Path("/logs/train-%j.log"),
            exit_record=Path("/logs/train.exit"),
            resources=resources,
        ),
        "/venv/bin/python",
    )
    assert "#SBATCH --gpus-per-node=2" in script and "#SBATCH --nodes=1" in script
    assert (
        "srun --ntasks-per-node=1 --kill-on-bad-exit=1 /venv/bin/python -m torch.distributed.run "
        '"--nnodes=${SLURM_JOB_NUM_NODES}" --nproc-per-node=2 '
    ) in script
    assert "-m pipeline run stage=train model=1b train.engine=megatron train.parallel.tp=2" in script
    path = tmp_path / "job.sbatch"
    path.write_text(script)
    assert subprocess.run(["bash", "-n", str(path)]).returncode == 0
    (tmp_path / "rendered-2gpu.sbatch").write_text(script)  # kept for a look: pytest's tmp folder

"""sbatch scripts: what the launcher renders from config, and the hand-written templates in scripts/slurm/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import to_typed
from pipeline.registry import Registry
from pipeline.slurm.config import SlurmConfig, SlurmResources, stage_resources
from pipeline.slurm.launcher import job_overrides
from pipeline.slurm.script import JobSpec, render, sbatch_options, uses_torchrun
from pipeline.stage import StageContext, StageResult
from tests.support import REPO
from tests.support.toy_stages import _record, toy_spec


def rank_aware_train(ctx: StageContext) -> StageResult:
    """A train stage as the runner wants them under torchrun: every rank works, rank 0 writes."""
    import torch
    import torch.distributed as dist

    dist.init_process_group("gloo")  # MASTER_ADDR/PORT, RANK, WORLD_SIZE come from torchrun
    try:
        ranks = torch.tensor([float(dist.get_rank())])
        dist.all_reduce(ranks)  # a real collective: every rank must be there
        _record(f"train-rank{dist.get_rank()}-of-{dist.get_world_size()}")
        if dist.get_rank() == 0:
            (ctx.out_dir / "weights.txt").write_text(ctx.inputs["curate"].output("docs").read_text())
        dist.barrier()
        return StageResult(
            {"weights": "weights.txt"}, {"world_size": dist.get_world_size(), "rank_sum": ranks.item()}
        )
    finally:
        dist.destroy_process_group()


def distributed_registry() -> Registry:
    from curator.spec import SPEC as CURATE
    from train.spec import SPEC as TRAIN

    return Registry(
        [
            toy_spec(CURATE, "tests.support.toy_stages:toy_curate", ("docs",), external_inputs=("curate.input",)),
            toy_spec(TRAIN, f"{__name__}:rank_aware_train", ("weights",)),
        ]
    )


def job(resources: SlurmResources, after: list[str] | None = None) -> JobSpec:
    return JobSpec(
        stage="train",
        name="pipeline.default.train",
        command=["-m", "pipeline", "run", "stage=train", "model=1b"],
        workdir=Path("/proj"),
        log=Path("/logs/train-%j.log"),
        exit_record=Path("/logs/train.exit"),
        resources=resources,
        after=after or [],
    )


def bash_syntax_ok(script: str, tmp_path: Path) -> None:
    path = tmp_path / "job.sbatch"
    path.write_text(script)
    proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_stage_values_override_the_cluster_wide_resources():
    cfg = SlurmConfig(
        resources=SlurmResources(partition="cpu", time="01:00:00", cpus=2, mem="4G", nodes=1),
        stages={"train": SlurmResources(partition="gpu", gpus=8, nodes=2, cpus=None)},
    )
    train = stage_resources(cfg, "train")
    assert (train.partition, train.gpus, train.nodes, train.cpus, train.time) == ("gpu", 8, 2, 2, "01:00:00")
    assert stage_resources(cfg, "index") == cfg.resources
    assert stage_resources(cfg, "index") is not cfg.resources  # a copy: callers may not alter the config


def test_single_process_job_script(tmp_path):
    spec = job(SlurmResources(cpus=4, mem="8G", time="00:30:00"), after=["11", "12"])
    options = sbatch_options(spec)
    assert "--dependency=afterok:11:12" in options and "--kill-on-invalid-dep=yes" in options
    assert "--cpus-per-task=4" in options and "--mem=8G" in options and "--time=00:30:00" in options
    assert not [
        o for o in options if o.startswith(("--partition", "--gpus", "--nodes"))
    ]  # None: cluster default
    script = render(spec, "/venv/bin/python")
    assert "\n/venv/bin/python -m pipeline run stage=train model=1b\n" in script
    assert "srun" not in script and not uses_torchrun(spec.resources)
    assert "trap 'echo $? > /logs/train.exit' EXIT" in script
    bash_syntax_ok(script, tmp_path)


def test_multi_node_gpu_job_uses_srun_and_torchrun_with_rendezvous_from_slurm(tmp_path):
    spec = job(SlurmResources(gpus=8, nodes=4, extra=["--account=proj"]))
    assert uses_torchrun(spec.resources)
    options = sbatch_options(spec)
    assert {"--gpus-per-node=8", "--nodes=4", "--ntasks-per-node=1", "--account=proj"} <= set(options)
    script = render(spec, "/venv/bin/python")
    assert 'MASTER_ADDR=$(scontrol show hostnames "${SLURM_JOB_NODELIST}" | head -n 1)' in script
    assert (
        "srun --ntasks-per-node=1 --kill-on-bad-exit=1 /venv/bin/python -m torch.distributed.run "
        '"--nnodes=${SLURM_JOB_NUM_NODES}" --nproc-per-node=8 "--rdzv-id=${SLURM_JOB_ID}" '
        "--rdzv-backend=c10d "
        '"--rdzv-endpoint=${MASTER_ADDR}:${MASTER_PORT}" -m pipeline run stage=train model=1b'
    ) in script
    bash_syntax_ok(script, tmp_path)
    assert not uses_torchrun(SlurmResources(gpus=1, nodes=1))
    assert uses_torchrun(SlurmResources(gpus=1, launch="torchrun"))


def test_jobs_get_the_callers_overrides_but_decide_stage_launcher_and_wait():
    given = ["stage=all", "launcher=slurm", "wait=true", "train.optim.lr=1e-3", "+x.y=1", "experiment=e1"]
    assert job_overrides(given) == ["train.optim.lr=1e-3", "+x.y=1", "experiment=e1"]


def test_gpu_resources_compose_from_config_group(compose_cfg):
    cfg = compose_cfg(
        ["launcher=slurm", "slurm=gpu", "slurm.stages.train.nodes=4", "slurm.resources.partition=p1"]
    )
    train = stage_resources(to_typed(cfg.slurm), "train")
    assert (train.gpus, train.nodes, train.partition) == (8, 4, "p1")
    assert uses_torchrun(train)
    cpu = stage_resources(to_typed(compose_cfg([]).slurm), "train")
    assert cpu.gpus is None and not uses_torchrun(cpu)


def test_slurm_config_mistakes_fail_in_one_line(toy):
    cases = {
        "slurm.resources.gpu=1": (
            "unknown config key 'slurm.resources.gpu'; valid keys under slurm.resources: partition,"
        ),
        "launcher=slurmm": "Invalid value 'slurmm', expected one of [local, slurm]",
        "slurm=tpu": "unknown choice 'slurm=tpu'; valid choices for 'slurm': cpu, gpu",
    }
    for override, message in cases.items():
        proc = toy.cli("run", override, check=False)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and len(lines) == 1 and message in lines[0], (override, proc.stderr)


def run_job(cluster, *args: str, env: dict[str, str]) -> str:
    """Submit a script and return its final Slurm state."""
    proc = subprocess.run(
        ["sbatch", "--parsable", *args],
        cwd=REPO,
        env={**cluster.env, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    job_id = proc.stdout.strip().split(";")[0]
    return cluster.wait_for([job_id], timeout=120)[job_id]


@pytest.mark.slurm
def test_stage_template_runs_a_stage_in_an_allocation(toy, slurm_cluster):
    log = toy.root / "stage.log"
    state = run_job(
        slurm_cluster,
        f"--output={log}",
        "scripts/slurm/stage.sbatch",
        "stage=curate",
        *toy.base_overrides,
        env={"PIPELINE_PYTHON": sys.executable, "TOY_RUN_LOG": str(toy.run_log)},
    )
    assert state == "COMPLETED", log.read_text() if log.exists() else "no log"
    assert "curate: wrote 1 files" in log.read_text()
    [manifest] = (toy.root / "artifacts" / "curate").glob("*/manifest.json")
    assert json.loads(manifest.read_text())["stage"] == "curate"


@pytest.mark.slurm
def test_multinode_template_starts_torchrun_ranks_with_rendezvous_from_slurm(toy, slurm_cluster):
    registry = f"registry={__name__}:distributed_registry"
    toy.cli("run", "stage=curate", registry)  # upstream first, as the template's header says
    log = toy.root / "train.log"
    state = run_job(
        slurm_cluster,
        "--nodes=1",
        "--gpus-per-node=0",
        "--cpus-per-task=2",
        "--mem=2G",
        "--time=5",
        f"--output={log}",
        "scripts/slurm/train_multinode.sbatch",
        *toy.base_overrides,
        registry,
        env={
            "PIPELINE_PYTHON": sys.executable,
            "PIPELINE_PROCS_PER_NODE": "2",
            "LOGLEVEL": "INFO",
            "TOY_RUN_LOG": str(toy.run_log),
        },
    )
    text = log.read_text() if log.exists() else ""
    assert state == "COMPLETED", text
    assert "1 node(s) x 2 rank(s), rendezvous localhost:" in text
    assert "Rendezvous complete for workers" in text and "global_world_sizes=[2, 2]" in text
    assert sorted(toy.runs()) == ["curate", "train-rank0-of-2", "train-rank1-of-2"]
    [manifest] = (toy.root / "artifacts" / "train").glob("*/manifest.json")
    assert json.loads(manifest.read_text())["metrics"] == {"world_size": 2, "rank_sum": 1.0}


@pytest.mark.slurm
def test_launcher_renders_torchrun_jobs_that_run(toy, slurm_cluster):
    proc = toy.cli(
        "run",
        "stage=train",
        "launcher=slurm",
        "wait=true",
        "slurm.poll_s=0.3",
        "slurm.stages.train.launch=torchrun",
        env={"LOGLEVEL": "INFO"},
    )
    log = next((toy.root / "logs").glob("*/*/slurm/train-*.log"))
    text = log.read_text()
    assert "Rendezvous complete for workers" in text and "global_world_sizes=[1]" in text, text
    assert "train: wrote 1 files" in text
    assert "srun" not in (log.parent / "curate.sbatch").read_text()  # only the stage that asked for it
    assert "all 2 job(s) completed" in proc.stderr

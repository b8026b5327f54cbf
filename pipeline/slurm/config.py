"""Typed config of running stages as Slurm jobs (``launcher=slurm``). Plain dataclasses, no Slurm calls.

Values live in configs/slurm/*.yaml; pipeline/config.py puts this schema under the ``slurm`` key.
None means "leave it to the cluster's default" (no ``#SBATCH`` line is written for it).
"""

from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Optional


class LauncherKind(str, Enum):
    local = "local"  # run the stages in this process
    slurm = "slurm"  # submit each stage that is not up to date as its own Slurm job


class LaunchMode(str, Enum):
    auto = "auto"  # torchrun when the job spans several nodes or GPUs, plain python otherwise
    python = "python"  # one process: `python -m pipeline run ...`
    torchrun = "torchrun"  # srun starts one torchrun per node; rendezvous from Slurm's environment


@dataclass
class SlurmResources:
    partition: Optional[str] = None
    time: Optional[str] = None  # walltime, Slurm syntax: "30", "04:00:00", "2-00:00:00"
    cpus: Optional[int] = None  # --cpus-per-task (one task per node)
    mem: Optional[str] = None  # per node: "16G"
    gpus: Optional[int] = None  # per node (--gpus-per-node); also torchrun's processes per node
    nodes: Optional[int] = None
    launch: Optional[LaunchMode] = None
    # Further sbatch options, verbatim: ["--account=proj", "--qos=high", "--constraint=h100"]
    extra: Optional[list[str]] = None


@dataclass
class SlurmConfig:
    resources: SlurmResources = field(default_factory=SlurmResources)  # every stage's job
    stages: dict[str, SlurmResources] = field(default_factory=dict)  # per stage, over `resources`
    job_name: str = "pipeline"  # jobs are named <job_name>.<experiment>.<stage>
    poll_s: float = 10.0  # wait=true and Slurm sweeps: how often squeue is asked
    # wait=true gives up (leaving the jobs alone, with a message naming them) after this long:
    # Slurm accounting may be absent, so nothing else guarantees that a wait ends.
    wait_timeout_min: float = 24 * 60.0
    # A job neither squeue nor sacct knows and that left no exit record is declared lost after this.
    lost_after_s: float = 300.0
    # Sweeps (hydra/launcher=submitit_slurm): a job that Slurm reports ended, or no longer lists,
    # and that left no result file after this long is reported failed (submitit would wait forever
    # without Slurm accounting). The grace covers result files that a shared file system shows late.
    sweep_grace_s: float = 30.0
    command_timeout_s: float = 60.0  # one sbatch/squeue/scancel call


def stage_resources(cfg: SlurmConfig, stage: str) -> SlurmResources:
    """The cluster-wide resources with the stage's own values (those not None) on top."""
    base = cfg.resources
    override = cfg.stages.get(stage)
    if override is None:
        return replace(base)
    values = {
        f.name: getattr(override, f.name)
        for f in fields(SlurmResources)
        if getattr(override, f.name) is not None
    }
    return replace(base, **values)

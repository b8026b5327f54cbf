"""Render the sbatch script of one stage job.

The script is a plain file kept next to the job's log, so a user can read exactly what ran and
resubmit it by hand. The job runs the ordinary CLI (``python -m pipeline run stage=<name> ...
launcher=local``), so cache checks, locking and manifests are the same code as a local run.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.slurm.config import LaunchMode, SlurmResources

EXIT_RECORD_SUFFIX = ".exit"


@dataclass
class JobSpec:
    stage: str
    name: str  # Slurm job name
    command: list[str]  # argv of the stage run
    workdir: Path
    log: Path  # may contain %j (the job id)
    exit_record: Path  # the job writes its exit status here (our accounting when Slurm has none)
    resources: SlurmResources
    after: list[str] = field(default_factory=list)  # job ids that must complete successfully first


def uses_torchrun(resources: SlurmResources) -> bool:
    mode = LaunchMode(resources.launch or LaunchMode.auto)
    if mode is LaunchMode.auto:
        return (resources.nodes or 1) > 1 or (resources.gpus or 0) > 1
    return mode is LaunchMode.torchrun


def sbatch_options(job: JobSpec) -> list[str]:
    r = job.resources
    options = [f"--job-name={job.name}", f"--output={job.log}", f"--chdir={job.workdir}"]
    wanted = {
        "--partition": r.partition,
        "--time": r.time,
        "--nodes": r.nodes,
        "--cpus-per-task": r.cpus,
        "--mem": r.mem,
        "--gpus-per-node": r.gpus or None,
    }
    options += [f"{flag}={value}" for flag, value in wanted.items() if value not in (None, "")]
    options.append("--ntasks-per-node=1")  # torchrun (or python) is the one task; it starts the ranks
    if job.after:
        # kill-on-invalid-dep: a job whose upstream failed is cancelled, instead of pending forever.
        options += [f"--dependency=afterok:{':'.join(job.after)}", "--kill-on-invalid-dep=yes"]
    options += list(r.extra or [])
    return options


def render(job: JobSpec, python: str) -> str:
    header = "\n".join(f"#SBATCH {option}" for option in sbatch_options(job))
    run = (
        _torchrun_lines(job, python)
        if uses_torchrun(job.resources)
        else f"{_quote([python, *job.command])}\n"
    )
    return f"""#!/bin/bash
{header}
# Stage '{job.stage}', written by `python -m pipeline run launcher=slurm`. To rerun it by hand,
# drop the --dependency line and `sbatch` this file.
set -uo pipefail
# Our own record of how the job ended: squeue forgets finished jobs and sacct may be absent.
trap 'echo $? > {shlex.quote(str(job.exit_record))}' EXIT
echo "pipeline: stage {job.stage}, job ${{SLURM_JOB_ID}} on $(hostname)," \\
  "nodes ${{SLURM_JOB_NODELIST}}, $(date -Is)"
{run}"""


def _torchrun_lines(job: JobSpec, python: str) -> str:
    """One torchrun per node via srun; rank 0's node is the rendezvous host."""
    per_node = max(job.resources.gpus or 0, 1)
    launcher = [
        python,
        "-m",
        "torch.distributed.run",
        "--nnodes=${SLURM_JOB_NUM_NODES}",
        f"--nproc-per-node={per_node}",
        "--rdzv-id=${SLURM_JOB_ID}",
        "--rdzv-backend=c10d",
        "--rdzv-endpoint=${MASTER_ADDR}:${MASTER_PORT}",
    ]
    # python -m pipeline becomes torchrun's -m pipeline
    stage_args = job.command[2:] if job.command[:2] == ["-m", "pipeline"] else job.command
    return f"""MASTER_ADDR=$(scontrol show hostnames "${{SLURM_JOB_NODELIST}}" | head -n 1)
# A port derived from the job id: two jobs sharing a node do not collide.
MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))
export MASTER_ADDR MASTER_PORT
srun --ntasks-per-node=1 --kill-on-bad-exit=1 {_quote(launcher, expand=True)} -m pipeline {_quote(stage_args)}
"""


def _quote(argv: list[str], expand: bool = False) -> str:
    """Shell-quote; with expand, arguments holding ${VAR} are double-quoted so the shell fills them."""
    if expand:
        return " ".join(f'"{a}"' if "${" in a else shlex.quote(a) for a in argv)
    return " ".join(shlex.quote(a) for a in argv)

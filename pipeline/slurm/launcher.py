"""``launcher=slurm``: each stage that is not up to date becomes its own Slurm job, chained by afterok.

Every job runs the ordinary CLI for its one stage with the caller's overrides and
``launcher=local``: the job re-checks the cache under the store's (stage, key) lock, so a stage
made meanwhile by someone else is skipped rather than redone, and a job never trusts this
process's view of what is up to date.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import to_typed, verify_mode
from pipeline.dag import select
from pipeline.errors import StageFailed, StageNotImplemented
from pipeline.plan import evaluate
from pipeline.registry import Registry, load_registry
from pipeline.runner import experiment_reference, forced_stages, section_values
from pipeline.slurm.config import SlurmConfig, stage_resources
from pipeline.slurm.monitor import JobStatus, JobWatch, SlurmCommandError, cancel, slurm_command
from pipeline.slurm.script import EXIT_RECORD_SUFFIX, JobSpec, render
from pipeline.stage import Artifact
from pipeline.store import ArtifactStore, write_experiment_view

log = logging.getLogger("pipeline.slurm")

# Keys the launcher decides for each job itself.
_JOB_DECIDES = {"stage", "launcher", "wait"}


@dataclass
class Plan:
    jobs: dict[str, list[str]] = field(default_factory=dict)  # stage -> upstream stages that also get jobs
    up_to_date: dict[str, Artifact] = field(default_factory=dict)
    not_implemented: list[str] = field(default_factory=list)  # and so not submitted, nor anything after them


@dataclass
class SubmittedJob:
    stage: str
    job_id: str
    after: list[str]  # job ids
    script: Path
    log: Path
    exit_record: Path


def plan_jobs(cfg: Any, registry: Registry) -> Plan:
    """Which stages need a job, in dependency order, and which upstream jobs each must wait for."""
    requested, order = select(registry, cfg.stage)
    force = forced_stages(cfg.force, requested)
    store = ArtifactStore(Path(cfg.paths.artifacts))
    root, verify = Path(cfg.paths.root), verify_mode(cfg)
    plan = Plan()
    blocked: set[str] = set()
    for name in order:
        spec = registry[name]
        state = evaluate(
            spec,
            section_values(cfg, spec),
            dict(plan.up_to_date),
            store,
            root,
            verify,
            experiment_reference(Path(cfg.paths.experiments), str(cfg.experiment), name),
        )
        if state.state == "up-to-date" and name not in force:
            plan.up_to_date[name] = state.artifact  # type: ignore[assignment]
            log.info("slurm: %s is up to date (%s): not submitted", name, plan.up_to_date[name].path)
            continue
        if not spec.implemented or blocked & set(spec.upstream):
            blocked.add(name)
            if not spec.implemented:
                plan.not_implemented.append(name)
            continue
        plan.jobs[name] = [up for up in spec.upstream if up in plan.jobs]
        why = "forced" if state.state == "up-to-date" else f"{state.state}: {state.reason}"
        log.info("slurm: %s needs a job (%s)", name, why)
    return plan


def job_overrides(overrides: list[str]) -> list[str]:
    """The caller's overrides minus the keys each job sets for itself."""
    return [o for o in overrides if o.split("=", 1)[0].lstrip("+~") not in _JOB_DECIDES]


def submit_pipeline(cfg: Any, view_name: str, overrides: list[str], run_dir: Path) -> list[SubmittedJob]:
    """Submit the plan's jobs; with ``wait=true`` also follow them to the end (raising on failure)."""
    registry = load_registry(cfg.registry)
    slurm: SlurmConfig = to_typed(cfg.slurm)
    plan = plan_jobs(cfg, registry)
    jobs_dir = run_dir / "slurm"
    jobs_dir.mkdir(parents=True, exist_ok=True)
    submitted: dict[str, SubmittedJob] = {}
    try:
        for stage, upstream in plan.jobs.items():
            submitted[stage] = _submit_one(
                cfg, slurm, stage, [submitted[u].job_id for u in upstream], job_overrides(overrides), jobs_dir
            )
    except SlurmCommandError as err:
        done = [j.job_id for j in submitted.values()]
        cancel(done, slurm.command_timeout_s)  # half a chain is worse than none: the user resubmits
        raise StageFailed(
            f"sbatch refused the job of stage '{stage}': {err}"
            + (f" (cancelled the jobs already submitted: {', '.join(done)})" if done else "")
        ) from None
    record = jobs_dir / "jobs.json"
    record.write_text(
        json.dumps(
            [
                {**asdict(j), "script": str(j.script), "log": str(j.log), "exit_record": str(j.exit_record)}
                for j in submitted.values()
            ],
            indent=2,
        )
        + "\n"
    )
    _print_submission(submitted, plan, record)
    if submitted and bool(cfg.wait):
        final = _wait(submitted, slurm)
        _report(final, submitted, slurm)
        _write_view(cfg, registry, view_name)
    if plan.not_implemented:
        tracked = registry[plan.not_implemented[0]].tracked_by
        raise StageNotImplemented(
            f"not submitted: {', '.join(plan.not_implemented)} "
            f"(not implemented yet{'; ' + tracked if tracked else ''})"
            " and the stages after them"
        )
    return list(submitted.values())


def _submit_one(
    cfg: Any, slurm: SlurmConfig, stage: str, after: list[str], overrides: list[str], jobs_dir: Path
) -> SubmittedJob:
    spec = JobSpec(
        stage=stage,
        name=f"{slurm.job_name}.{cfg.experiment}.{stage}",
        command=["-m", "pipeline", "run", f"stage={stage}", *overrides, "launcher=local", "wait=false"],
        workdir=Path.cwd(),  # the caller's: relative paths and `-m pipeline` resolve as they did here
        log=jobs_dir / f"{stage}-%j.log",
        exit_record=jobs_dir / f"{stage}{EXIT_RECORD_SUFFIX}",
        resources=stage_resources(slurm, stage),
        after=after,
    )
    script = jobs_dir / f"{stage}.sbatch"
    script.write_text(render(spec, sys.executable))
    out = slurm_command(["sbatch", "--parsable", str(script)], slurm.command_timeout_s)
    job_id = out.strip().split(";")[0]  # "id" or "id;cluster"
    if not job_id.isdigit():
        raise SlurmCommandError(f"sbatch printed no job id: {out.strip()!r}")
    return SubmittedJob(
        stage, job_id, after, script, Path(str(spec.log).replace("%j", job_id)), spec.exit_record
    )


def _print_submission(submitted: dict[str, SubmittedJob], plan: Plan, record: Path) -> None:
    if not submitted:
        if plan.up_to_date:
            print(f"nothing to submit: {', '.join(plan.up_to_date)} up to date")
        return
    print(f"submitted {len(submitted)} Slurm job(s); record: {record}")
    width = max(len(s) for s in submitted)
    for job in submitted.values():
        after = f"afterok:{':'.join(job.after)}" if job.after else "-"
        print(f"  {job.stage:<{width}}  job {job.job_id:<8} {after:<20} log {job.log}")
    if plan.up_to_date:
        print(f"up to date, not submitted: {', '.join(plan.up_to_date)}")
    print(f"follow: squeue -j {','.join(j.job_id for j in submitted.values())}")
    sys.stdout.flush()


def _wait(submitted: dict[str, SubmittedJob], slurm: SlurmConfig) -> tuple[dict[str, JobStatus], bool]:
    stage_of = {j.job_id: j.stage for j in submitted.values()}

    def show(job_id: str, old: JobStatus | None, new: JobStatus) -> None:
        before = f"{old.describe()} -> " if old else ""
        log.info("slurm: %s job %s: %s%s", stage_of[job_id], job_id, before, new.describe())

    watch = JobWatch(
        records={j.job_id: j.exit_record for j in submitted.values()},
        poll_s=slurm.poll_s,
        timeout_s=slurm.wait_timeout_min * 60,
        lost_after_s=slurm.lost_after_s,
        command_timeout_s=slurm.command_timeout_s,
        on_change=show,
    )
    return watch.wait()


def _report(
    final: tuple[dict[str, JobStatus], bool], submitted: dict[str, SubmittedJob], slurm: SlurmConfig
) -> None:
    states, finished = final
    lines = []
    for job in submitted.values():
        status = states.get(job.job_id) or JobStatus(job.job_id, "UNKNOWN")
        if status.state != "COMPLETED":
            never = "" if job.log.exists() else " (not written: the job never started)"
            lines.append(f"{job.stage} job {job.job_id}: {status.describe()}, log {job.log}{never}")
    if not finished:
        running = [
            j.job_id for j in submitted.values() if not (states.get(j.job_id) and states[j.job_id].done)
        ]
        raise StageFailed(
            f"gave up waiting after {slurm.wait_timeout_min:g} min (slurm.wait_timeout_min); "
            "the jobs keep running "
            f"(scancel {' '.join(running)} stops them):\n  " + "\n  ".join(lines)
        )
    if lines:
        raise StageFailed(
            f"{len(lines)} of {len(submitted)} Slurm job(s) did not complete:\n  " + "\n  ".join(lines)
        )
    log.info(
        "slurm: all %d job(s) completed: %s",
        len(submitted),
        ", ".join(f"{j.stage} ({j.job_id})" for j in submitted.values()),
    )


def _write_view(cfg: Any, registry: Registry, view_name: str) -> None:
    """Each job updated the experiment view for its own stage; parallel jobs may have raced on it."""
    from pipeline.runner import plan_states

    store = ArtifactStore(Path(cfg.paths.artifacts))
    _, order = select(registry, cfg.stage)
    states = {s.name: s for s in plan_states(cfg, registry, store, str(cfg.experiment))}
    made = {n: states[n].artifact for n in order if states[n].state == "up-to-date" and states[n].artifact}
    if made:
        view = write_experiment_view(Path(cfg.paths.experiments), view_name, made)  # type: ignore[arg-type]
        log.info("experiment view: %s", view)

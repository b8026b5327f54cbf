"""The contract every registered stage keeps, checked on the real stages with the smoke preset.

One run of the whole DAG (``preset=smoke``; its curate artifact is the session's, see ``dag``),
then for each implemented stage: the outputs its spec declares exist and are hashed in a complete
manifest; and a ``kill -9`` of the process group in the middle of the stage, followed by a plain
re-run, completes with the same content digest (the stage resumes or redoes its work; nothing
partial is mistaken for an artifact).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pipeline.dag import upstream_closure
from pipeline.manifest import MANIFEST_NAME, read_manifest, verify_files
from pipeline.registry import default_registry
from pipeline.stage import Artifact
from pipeline.store import HOLD_BEFORE_COMMIT_ENV
from tests.support import REPO
from tests.support.cli import pipeline_command, project_paths, run_cli
from tests.support.curate import copy_into

REGISTRY = default_registry()
SMOKE = ["preset=smoke"]
EXIT_NOT_IMPLEMENTED = 3


def _artifact(root: Path, stage: str) -> Artifact | None:
    # published artifacts only: a killed run's temp folder (".tmp-...") may already hold its manifest, which is
    # written just before the folder is renamed into place (pipeline/store.py)
    found = [p for p in (root / "artifacts" / stage).glob("*")
             if not p.name.startswith(".") and (p / MANIFEST_NAME).is_file()]
    assert len(found) <= 1, found
    return Artifact(found[0], read_manifest(found[0])) if found else None


@pytest.fixture(scope="module")
def dag(tmp_path_factory, default_curate) -> Path:
    root = tmp_path_factory.mktemp("dag")
    # curate's smoke settings are its volatile cluster only: the session's default-crawl artifact
    # (made by the real CLI with the same 2 workers, tests/support/curate.py) is this DAG's curate
    copy_into(default_curate, root / "artifacts")
    proc = run_cli("run", *SMOKE, *project_paths(root), check=False, timeout=1800)
    assert proc.returncode in (0, EXIT_NOT_IMPLEMENTED), proc.stderr[-6000:]
    assert "curate: up to date" in proc.stderr, "the smoke DAG remade curate: its key is not the default's"
    return root


def _implemented():
    return [pytest.param(spec.name, marks=() if spec.implemented else pytest.mark.skip(
        reason=f"stage '{spec.name}' is not implemented yet ({spec.tracked_by})")) for spec in REGISTRY.specs()]


@pytest.mark.slow
@pytest.mark.parametrize("stage", _implemented())
def test_declared_outputs_exist_in_a_complete_manifest(dag, stage):
    spec = REGISTRY[stage]
    artifact = _artifact(dag, stage)
    assert artifact is not None, f"the smoke DAG made no {stage} artifact"
    m = artifact.manifest
    assert set(spec.outputs) <= set(m.outputs), (spec.outputs, m.outputs)
    for name in spec.outputs:
        assert artifact.output(name).exists()
        rel = m.outputs[name]
        assert any(f == rel or f.startswith(rel.rstrip("/") + "/") for f in m.files), f"output {name} has no hashed file"
    assert verify_files(artifact.path, m, "full") == []
    assert set(m.inputs) == set(spec.upstream)
    assert set(m.config) == set(spec.sections)
    assert set(m.volatile_files) <= set(m.files)
    assert m.metrics, "a stage reports what it measured"
    assert m.finished_at >= m.started_at and m.packages.get("python")
    leftovers = [p.name for p in (dag / "artifacts" / stage).iterdir() if p.name.startswith((".tmp-", ".work-"))]
    assert leftovers == []


# Stages whose own test already kills them mid-run (SIGKILL), checks that no artifact appears and that the re-run
# resumes and publishes the same content digest, on a longer run where the kill lands deeper in the work: repeating
# it here on the smoke preset cost ~55 s of the suite on a 2-core machine.
OWN_KILL_TEST = {
    "train": "tests/train/test_train_stage.py::test_killed_run_resumes_and_reproduces_the_uninterrupted_losses",
    "customize": "tests/customize/test_customize_stage.py::test_kill_during_the_second_adapter_resumes_there",
}


def _killable():
    return [p for p in _implemented() if p.values[0] not in OWN_KILL_TEST]


def test_stages_left_out_of_the_kill_test_have_their_own():
    for stage, nodeid in OWN_KILL_TEST.items():
        path, name = nodeid.split("::")
        source = (REPO / path).read_text(encoding="utf-8")
        assert f"def {name}(" in source and "SIGKILL" in source and "digest" in source, (stage, nodeid)
        assert REGISTRY[stage].implemented


@pytest.mark.slow
@pytest.mark.parametrize("stage", _killable())
def test_kill_9_mid_stage_then_rerun_completes_with_the_same_content(dag, tmp_path, stage):
    reference = _artifact(dag, stage)
    assert reference is not None
    # The upstream artifacts, as they are: the stage itself is the only thing left to make.
    for up in upstream_closure(REGISTRY, [stage]) - {stage}:
        made = _artifact(dag, up)
        shutil.copytree(made.path, tmp_path / "artifacts" / up / made.path.name, symlinks=True)
    command = pipeline_command("run", f"stage={stage}", *SMOKE, *project_paths(tmp_path))
    # the killed run holds its finished folder unpublished, so the kill always lands before publishing,
    # however fast this run is next to the reference one (a loaded machine made it publish first)
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, HOLD_BEFORE_COMMIT_ENV: "600"})
    stage_dir = tmp_path / "artifacts" / stage
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None and not list(stage_dir.glob(".tmp-*")):
        time.sleep(0.05)
    time.sleep(max(0.2, 0.4 * reference.manifest.duration_s))  # well inside the stage's own work
    finished_early = proc.poll() is not None
    if not finished_early:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not finished_early, f"{stage} finished before it could be killed: {proc.stderr.read()[-2000:]}"
    assert _artifact(tmp_path, stage) is None, "a killed stage must leave no artifact"
    run_cli("run", f"stage={stage}", *SMOKE, *project_paths(tmp_path), timeout=1800)
    again = _artifact(tmp_path, stage)
    assert again is not None and again.manifest.key == reference.manifest.key
    skip = set(reference.manifest.volatile_files)
    changed = sorted(f for f, meta in again.manifest.files.items()
                     if f not in skip and reference.manifest.files.get(f, {}).get("sha256") != meta["sha256"])
    assert again.manifest.digest == reference.manifest.digest, f"the re-run made different content: {changed[:10]}"
    assert [p.name for p in stage_dir.iterdir() if p.name.startswith((".tmp-", ".work-"))] == []

"""Atomic artifacts: complete or absent; corruption detected and re-made; kills leave no manifest."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.errors import StageFailed
from pipeline.manifest import MANIFEST_NAME
from pipeline.runner import run_pipeline
from pipeline.store import ArtifactStore
from tests.support import REPO
from tests.support.toy_project import IMPLEMENTED
from tests.support.toy_project import states as _states


def test_manifest_lists_hashes_config_inputs_and_versions(toy, compose_cfg):
    done = run_pipeline(compose_cfg(toy.base_overrides + ["stage=train"]), "default")
    train = done["train"]
    m = train.manifest
    assert (train.path / MANIFEST_NAME).is_file()
    assert set(m.files) == {"model/weights.json"}
    assert m.files["model/weights.json"]["bytes"] == (train.path / "model/weights.json").stat().st_size
    assert m.config["train"]["optim"]["lr"] == 6e-4 and m.config["model"]["name"] == "tiny"
    assert m.inputs["curate"]["digest"] == done["curate"].manifest.digest
    assert m.metrics["vocab"] == 8 and "python" in m.packages and "hydra-core" in m.packages
    assert m.started_at <= m.finished_at
    assert not list((train.path.parent).glob(".tmp-*")), "temp folder must be renamed away"
    assert not ArtifactStore(train.path.parent.parent).work_dir("train", m.key).exists()


def test_a_failing_stage_leaves_no_artifact(tmp_path, toy, compose_cfg, monkeypatch):
    cfg = compose_cfg(toy.base_overrides + ["stage=curate"])
    monkeypatch.setattr("tests.support.toy_stages.toy_curate", lambda ctx: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        run_pipeline(cfg, "default")
    stage_dir = Path(cfg.paths.artifacts) / "curate"
    assert [p.name for p in stage_dir.iterdir() if not p.name.startswith(".")] == []
    assert not list(stage_dir.glob(".tmp-*"))


def test_declared_but_missing_output_is_a_contract_error(toy, compose_cfg, monkeypatch):
    from pipeline.stage import StageResult

    monkeypatch.setattr("tests.support.toy_stages.toy_curate", lambda ctx: StageResult({"docs": "nope.txt"}))
    with pytest.raises(StageFailed, match="declared outputs it did not write: docs=nope.txt"):
        run_pipeline(compose_cfg(toy.base_overrides + ["stage=curate"]), "default")


def test_corruption_is_detected_by_status_and_remade_by_run(toy, compose_cfg):
    cfg = compose_cfg(toy.base_overrides + [IMPLEMENTED])
    curate = run_pipeline(cfg, "default")["curate"]
    docs = curate.path / "docs.txt"
    docs.write_text(docs.read_text().replace("charge", "chxrge"))  # same size, different bytes
    state = _states(cfg)["curate"]
    assert state.state == "corrupt" and "hash mismatch: docs.txt" in state.reason
    fast = _states(compose_cfg(toy.base_overrides + ["verify=fast"]))["curate"]
    assert fast.state == "up-to-date"  # documented trade-off of verify=fast
    run_pipeline(cfg, "default")
    assert toy.runs().count("curate") == 2
    assert "charge the car" in docs.read_text()
    assert _states(cfg)["curate"].state == "up-to-date"


def test_killed_stage_leaves_no_manifest_and_is_redone(toy):
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *toy.base_overrides, IMPLEMENTED],
        cwd=REPO, env={**os.environ, "TOY_SLEEP_IN": "train", "TOY_RUN_LOG": str(toy.run_log)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.time() + 300
    while "train" not in toy.runs() and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    train_dir = toy.root / "artifacts" / "train"
    assert list(train_dir.glob(".tmp-*/partial.txt")), "the killed attempt's temp folder is still there"
    assert not list(train_dir.glob("*/" + MANIFEST_NAME)), "a killed stage must leave no manifest"
    assert list(train_dir.glob(".work-*/checkpoint.txt")), "resumable state survives the kill"
    toy.cli("run", IMPLEMENTED)
    assert toy.runs() == ["curate", "train", "train", "index"]
    assert list(train_dir.glob("*/" + MANIFEST_NAME))
    assert not list(train_dir.glob(".tmp-*")), "stale temp folders of dead processes are cleaned"
    status = toy.cli("status").stdout
    assert "train" in status and "up-to-date" in status


def test_lock_serialises_parallel_makers(tmp_path):
    store = ArtifactStore(tmp_path)
    order = []
    script = (
        "import sys,time; from pipeline.store import ArtifactStore;"
        f"s=ArtifactStore({str(tmp_path)!r});"
        "ctx=s.lock('curate','k'*16); ctx.__enter__(); print('in',flush=True); time.sleep(1.5); ctx.__exit__(None,None,None)"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "in"
    t0 = time.perf_counter()
    with store.lock("curate", "k" * 16):
        order.append(time.perf_counter() - t0)
    holder.wait()
    assert order[0] > 0.8, "second maker must wait for the first to release the lock"


def test_registry_with_no_implementation_stops_before_it(toy, compose_cfg):
    from pipeline.errors import StageNotImplemented

    cfg = compose_cfg(toy.base_overrides + ["stage=customize"])
    with pytest.raises(StageNotImplemented, match="customize"):
        run_pipeline(cfg, "default")
    assert {"curate", "train"} <= set(toy.runs())

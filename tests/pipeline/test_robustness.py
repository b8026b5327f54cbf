"""What a newcomer runs into: bad values and paths fail in one line before any work, unchanged
artifacts do not invalidate downstream stages, waits say whom they wait for, leftovers are cleaned."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time

import pytest

from pipeline.runner import run_pipeline
from pipeline.store import ArtifactStore
from tests.support import REPO
from tests.support.toy_project import IMPLEMENTED
from tests.support.toy_project import states as plan


def test_bad_values_fail_before_any_stage_runs(toy):
    proc = toy.cli("run", "stage=train", "train.steps=-5", check=False)
    assert proc.returncode == 2
    assert "error: train.steps=-5 must be positive" in proc.stderr
    assert "Traceback" not in proc.stderr and toy.runs() == []  # curate never started
    proc = toy.cli("run", "stage=train", "model.num_kv_heads=3", check=False)
    assert proc.returncode == 2 and "num_heads by model.num_kv_heads=3" in proc.stderr and toy.runs() == []


def test_a_required_value_left_unset_names_its_key(toy):
    proc = toy.cli("run", "stage=train", "model.hidden_size=???", check=False)
    assert proc.returncode == 2 and "missing value for 'model.hidden_size'" in proc.stderr
    assert "Traceback" not in proc.stderr and toy.runs() == []


@pytest.mark.parametrize("key", ["artifacts", "experiments", "logs"])
def test_unusable_paths_fail_in_one_line(toy, tmp_path, key):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    proc = toy.cli("run", IMPLEMENTED, f"paths.{key}={blocker / 'sub'}", check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"error: paths.{key}={blocker / 'sub'} cannot be used: Not a directory" in proc.stderr
    assert "Traceback" not in proc.stderr and toy.runs() == []
    status = toy.cli("status", f"paths.artifacts={blocker}", check=False)
    assert status.returncode == 2 and "cannot be read: not a folder" in status.stderr


def curate_with_timings(ctx):
    """The toy curate plus a report holding this run's timing (different on every run)."""
    from tests.support.toy_stages import toy_curate

    result = toy_curate(ctx)
    (ctx.out_dir / "report").mkdir()
    (ctx.out_dir / "report" / "timings.json").write_text(f'{{"seconds": {time.perf_counter()}}}\n')
    result.outputs["report"] = "report"
    return result


def volatile_registry():
    from dataclasses import replace

    from curator.spec import SPEC
    from pipeline.registry import Registry
    from tests.support import toy_stages

    curate = replace(toy_stages.toy_spec(SPEC, f"{__name__}:curate_with_timings", ("docs", "report"),
                                         external_inputs=("curate.input",)), volatile_outputs=("report/*",))
    return Registry([curate, *[s for s in toy_stages.registry().specs() if s.name != "curate"]])


def test_volatile_report_files_do_not_invalidate_downstream(toy, compose_cfg):
    """A re-made curate artifact whose data is unchanged but whose report timings differ keeps
    train up to date: the spec's volatile outputs stay out of the content digest."""
    overrides = toy.base_overrides + [f"registry={__name__}:volatile_registry", "stage=train"]
    cfg = compose_cfg(overrides)
    first = run_pipeline(cfg, "default")
    again = run_pipeline(compose_cfg(overrides + ["force=[curate]"]), "default")
    assert first["curate"].manifest.files["report/timings.json"] != again["curate"].manifest.files["report/timings.json"]
    assert again["curate"].manifest.volatile_files == ["report/timings.json"]
    assert first["curate"].manifest.digest == again["curate"].manifest.digest
    assert plan(cfg)["train"].state == "up-to-date" and toy.runs() == ["curate", "train", "curate"]


def test_waiting_for_another_runs_lock_says_so(toy, tmp_path):
    store = ArtifactStore(tmp_path / "artifacts")
    lines: list[str] = []
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from pathlib import Path; from pipeline.store import ArtifactStore\n"
            f"with ArtifactStore(Path({str(tmp_path / 'artifacts')!r})).lock('curate', 'k' * 16):\n"
            "    print('held', flush=True); time.sleep(1.5)\n")],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with store.lock("curate", "k" * 16, waiting=lines.append):
        pass
    holder.wait()
    assert len(lines) == 1 and f"waiting for pid {holder.pid} on " in lines[0] and "to finish curate" in lines[0]


def test_leftovers_of_killed_runs_are_cleaned(tmp_path):
    store = ArtifactStore(tmp_path)
    stage = tmp_path / "curate"
    (stage / ("a" * 16)).mkdir(parents=True)
    (stage / ("a" * 16) / "manifest.json").write_text("{}")
    (stage / f".work-{'a' * 16}").mkdir()  # its artifact is complete: nothing will resume it
    (stage / f".work-{'b' * 16}").mkdir()  # unfinished: a re-run resumes from it, keep it
    (stage / f".{'a' * 16}.lock").write_text("pid 1\n")
    held = stage / f".{'c' * 16}.lock"
    held.write_text("")
    with open(held) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert store.clean_stale_temps("curate") == 2
    assert sorted(p.name for p in stage.iterdir()) == sorted(
        ["a" * 16, f".work-{'b' * 16}", f".{'c' * 16}.lock"]
    )


def test_a_completed_run_leaves_no_lock_or_work_files(toy):
    toy.cli("run", IMPLEMENTED)
    leftovers = [p.name for p in (toy.root / "artifacts").rglob(".*") if p.name != ".input-hashes.json"]
    assert leftovers == [], leftovers
    assert os.listdir(toy.root / "artifacts" / "curate")


def curate_that_leaves_process_state(ctx):
    """The toy curate, plus what Dask's nanny and a stage's ``threads`` do to the process."""
    import torch

    from tests.support.toy_stages import toy_curate

    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ.pop("TOY_REMOVED_BY_CURATE", None)
    torch.set_num_threads(1)
    return toy_curate(ctx)


def train_that_reports_process_state(ctx):
    import torch

    from tests.support.toy_stages import toy_train

    result = toy_train(ctx)
    result.metrics.update(omp=os.environ.get("OMP_NUM_THREADS"), removed=os.environ.get("TOY_REMOVED_BY_CURATE"),
                          torch_threads=torch.get_num_threads())
    return result


def leaky_registry():
    from curator.spec import SPEC
    from pipeline.registry import Registry
    from tests.support import toy_stages
    from train.spec import SPEC as TRAIN

    curate = toy_stages.toy_spec(SPEC, f"{__name__}:curate_that_leaves_process_state", ("docs",),
                                 external_inputs=("curate.input",))
    train = toy_stages.toy_spec(TRAIN, f"{__name__}:train_that_reports_process_state", ("model",))
    return Registry([curate, train, *[s for s in toy_stages.registry().specs() if s.name not in ("curate", "train")]])


def test_a_stage_does_not_leave_its_threads_or_environment_to_the_next(toy, compose_cfg, monkeypatch):
    import torch

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("TOY_REMOVED_BY_CURATE", "kept")
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        done = run_pipeline(compose_cfg(toy.base_overrides + [f"registry={__name__}:leaky_registry", "stage=train"]),
                            "default")
        assert done["train"].manifest.metrics["torch_threads"] == 2 and torch.get_num_threads() == 2
        assert done["train"].manifest.metrics["omp"] is None and "OMP_NUM_THREADS" not in os.environ
        assert done["train"].manifest.metrics["removed"] == "kept"
    finally:
        torch.set_num_threads(threads)


def test_torch_threads_holds_only_inside_its_block():
    import torch

    from pipeline.kit import torch_threads

    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(0):  # 0: torch's own count
        assert torch.get_num_threads() == before

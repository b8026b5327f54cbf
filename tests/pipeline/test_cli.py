"""The CLI end to end: run / status / show, sweeps, experiment views, one-line config errors."""

import json
import re

from tests.support.toy_project import IMPLEMENTED


def test_second_run_skips_up_to_date_stages(toy):
    first = toy.cli("run", IMPLEMENTED)
    assert "curate: running (missing: never made)" in first.stderr
    second = toy.cli("run", IMPLEMENTED)
    assert re.search(r"curate: up to date \(.*\), skipped in 0\.\d+ s", second.stderr)
    assert toy.runs() == ["curate", "train", "index"]


def test_status_reports_each_state_and_why(toy):
    status = toy.cli("status").stdout
    assert re.search(r"curate\s+│\s+missing", status)
    toy.cli("run", IMPLEMENTED)
    status = toy.cli("status", "train.optim.lr=0.001").stdout
    assert re.search(r"curate\s+│\s+up-to-date", status)
    assert re.search(r"train\s+│\s+stale\s+│.*config changed: train\.optim\.lr \(0\.0006 -> 0\.001\)", status)
    assert re.search(r"index\s+│\s+up-to-date", status)
    assert re.search(r"customize\s+│\s+missing.*not implemented yet", status)


def test_show_prints_a_summary_and_the_manifest_with_json(toy):
    toy.cli("run", IMPLEMENTED)
    summary = toy.cli("show", "stage=train").stdout
    assert re.search(r"^stage\s+train \(up-to-date\)$", summary, re.M)
    assert re.search(r"^  curate\s+[0-9a-f]{16}\s+/", summary, re.M)
    assert re.search(r"^  model\s+model\s+\(1 file, \d+ B\)$", summary, re.M)
    assert re.search(r"^  vocab\s+8$", summary, re.M) and re.search(r"^  lr\s+0.0006$", summary, re.M)
    manifest = json.loads(toy.cli("show", "stage=train", "--json").stdout)
    assert manifest["stage"] == "train"
    assert manifest["outputs"] == {"model": "model"}
    assert manifest["inputs"]["curate"]["path"].endswith(manifest["inputs"]["curate"]["key"][:16])
    assert manifest["metrics"]["vocab"] == 8
    missing = toy.cli("show", "stage=index", "index.chunk.words=5", check=False)
    assert missing.returncode == 1 and "no artifact for this config (stale" in missing.stderr


def test_sweep_over_a_train_key_runs_curate_once(toy):
    proc = toy.cli("run", "-m", "stage=train", "train.optim.lr=0.001,0.0003")
    assert toy.runs() == ["curate", "train", "train"], proc.stderr
    views = toy.root / "experiments" / "default"
    lrs = {}
    for point in ("train.optim.lr=0.001", "train.optim.lr=0.0003"):
        index = json.loads((views / point / "index.json").read_text())
        lrs[point] = index["train"]["metrics"]["lr"]
        assert (views / point / "curate" / "manifest.json").is_file()  # symlink into the store
    assert lrs == {"train.optim.lr=0.001": 0.001, "train.optim.lr=0.0003": 0.0003}
    curate_keys = {p.name for p in (toy.root / "artifacts" / "curate").iterdir() if not p.name.startswith(".")}
    assert len(curate_keys) == 1


def test_experiment_view_points_at_the_artifacts_used(toy):
    toy.cli("run", IMPLEMENTED, "experiment=baseline")
    view = toy.root / "experiments" / "baseline"
    index = json.loads((view / "index.json").read_text())
    assert set(index) == {"curate", "train", "index"}
    assert (view / "train").resolve() == (toy.root / "artifacts" / "train" / index["train"]["key"]).resolve()
    assert json.loads((view / "train" / "manifest.json").read_text())["stage"] == "train"


def test_cfg_job_prints_the_composed_config(toy):
    out = toy.cli("run", "--cfg", "job", "train.optim.lr=0.01").stdout
    assert "lr: 0.01" in out and "curate:" in out and "hydra:" not in out
    assert toy.runs() == []


def test_config_errors_are_one_line_naming_the_key_and_choices(toy):
    cases = {
        ("run", "train.optim.lrr=1"): "unknown config key 'train.optim.lrr'; valid keys under train.optim: lr,",
        ("run", "model=tinny"): "unknown choice 'model=tinny'; valid choices for 'model': 1b, small, tiny",
        ("status", "trian.steps=3"): "unknown config key 'trian.steps'; valid keys under the top level: stage,",
        ("run", "train.precision=fp16"): "Invalid value 'fp16', expected one of [fp32, bf16, fp8]",
        ("run", "-m", "train.optim.lr=1,2", "train.bad=1"): "unknown config key 'train.bad'",
    }
    for args, message in cases.items():
        proc = toy.cli(*args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and message in lines[0], (args, proc.stderr)
    assert toy.runs() == []


def test_unknown_stage_and_command_fail_with_valid_names(toy):
    proc = toy.cli("run", "stage=trian", check=False)
    assert proc.returncode == 2 and "unknown stage 'trian'; valid stages: curate, train, index" in proc.stderr
    proc = toy.cli("rnu", check=False)
    assert proc.returncode == 2 and "valid commands: run, status, show" in proc.stderr


def test_unimplemented_stage_stops_the_run_with_exit_3(toy):
    proc = toy.cli("run", check=False)  # the toy registry's customize has no implementation
    assert proc.returncode == 3
    assert "stage 'customize' is not implemented yet (issue: Customize stage)" in proc.stderr
    assert toy.runs() == ["curate", "train", "index"]

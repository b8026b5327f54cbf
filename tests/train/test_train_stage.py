"""The train stage through the real CLI on the manual's text: outputs, HF reload, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch

from pipeline.manifest import read_manifest
from tests.support import REPO
from tests.support.cli import pipeline_command
from tests.support.train import artifact, cli, command, losses


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("train")
    cli(root, "train.steps=60", "train.eval_every=20", "train.checkpoint_every=20")
    return artifact(root)


def test_outputs_metrics_and_falling_validation_loss(trained):
    manifest = json.loads((trained / "manifest.json").read_text())
    assert set(manifest["outputs"]) == {"model", "tokenizer", "data", "metrics", "loss_curve", "state", "quarantine"}
    metrics = manifest["metrics"]
    assert metrics["steps"] == 60 and metrics["tokens_seen"] == 60 * 4 * 64
    assert metrics["val_loss_last"] < 0.85 * metrics["val_loss_first"], metrics["val_curve"]
    assert [s for s, _ in metrics["val_curve"]] == [0, 20, 40, 60]
    assert metrics["quarantined"] == 1 and "empty text" in (trained / "quarantine.jsonl").read_text()
    records = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    step = next(r for r in records if r["kind"] == "train")
    assert {"loss", "lr", "grad_norm", "tokens_per_s", "step_s"} <= set(step)
    assert (trained / "loss_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (trained / "state").iterdir()) == ["model.pt", "optimizer.pt", "rng-0.pt", "trainer.pt"]


def test_hf_folder_reloads_with_identical_logits(trained):
    from transformers import AutoTokenizer, LlamaForCausalLM

    reloaded = LlamaForCausalLM.from_pretrained(str(trained / "model"))
    trained_model = LlamaForCausalLM(reloaded.config)
    trained_model.load_state_dict(torch.load(trained / "state" / "model.pt", weights_only=True))
    tokenizer = AutoTokenizer.from_pretrained(str(trained / "model"))
    ids = torch.tensor([tokenizer.encode("Charge the battery to 80 % before a long trip.")])
    with torch.no_grad():
        assert torch.equal(reloaded.eval()(ids).logits, trained_model.eval()(ids).logits)
    assert reloaded.config.eos_token_id == tokenizer.eos_token_id == 1
    assert (trained / "model" / "model.safetensors").is_file()


def test_killed_run_resumes_and_reproduces_the_uninterrupted_losses(trained, tmp_path):
    args = ["train.steps=60", "train.eval_every=20", "train.checkpoint_every=20"]
    proc = subprocess.Popen(pipeline_command(*command(tmp_path, *args)), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 900
    killed_at = None
    while time.time() < deadline and proc.poll() is None:
        logs = list((tmp_path / "artifacts" / "train").glob(".work-*/metrics.jsonl"))
        steps = [r[1] for r in losses(logs[0]) if r[0] == "train"] if logs and logs[0].stat().st_size else []
        if steps and steps[-1] >= 25:  # past the checkpoint at step 20
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = steps[-1]
            break
        time.sleep(0.005)
    proc.wait()
    assert killed_at is not None and killed_at < 60, "the run ended before it could be killed"
    assert not list((tmp_path / "artifacts" / "train").glob("*/manifest.json"))
    cli(tmp_path, *args)
    resumed = artifact(tmp_path)
    assert json.loads((resumed / "manifest.json").read_text())["metrics"]["resumed_from_step"] in (20, 40)
    assert losses(resumed / "metrics.jsonl") == losses(trained / "metrics.jsonl")  # bit-exact
    # and the same content as the uninterrupted run (the stage contract's kill -9 check for train is this test)
    assert read_manifest(resumed).digest == read_manifest(trained).digest
    assert [p.name for p in (tmp_path / "artifacts" / "train").iterdir() if p.name.startswith((".tmp-", ".work-"))] == []


def test_init_from_and_tokenizer_from_reuse_the_trained_files(trained, tmp_path):
    cli(tmp_path / "a", "train.steps=4", "train.eval_every=4", f"train.init_from={trained / 'model'}")
    continued = artifact(tmp_path / "a")
    first = json.loads((continued / "manifest.json").read_text())["metrics"]
    before = json.loads((trained / "manifest.json").read_text())["metrics"]
    assert first["val_loss_first"] == pytest.approx(before["val_loss_last"], abs=1e-4)  # starts where it ended
    assert (continued / "tokenizer" / "tokenizer.json").read_bytes() == (trained / "tokenizer" / "tokenizer.json").read_bytes()
    cli(tmp_path / "b", "train.steps=2", "train.eval_every=2", f"train.tokenizer.from={trained / 'tokenizer'}")
    reused = artifact(tmp_path / "b")
    assert (reused / "model" / "tokenizer.json").read_bytes() == (trained / "tokenizer" / "tokenizer.json").read_bytes()


def test_bad_values_fail_in_one_line(tmp_path):
    proc = cli(tmp_path, "train.steps=2", "train.precision=fp8", "train.fp8.backend=te", check=False)
    assert proc.returncode == 2 and "train.fp8.backend=te: device is cpu, TE needs a CUDA GPU" in proc.stderr
    proc = cli(tmp_path, "train.steps=2", "train.precision=fp8", "train.fp8.fp8_format=E5M2", check=False)
    assert proc.returncode == 2 and "train.fp8.fp8_format=E5M2: valid values are HYBRID, E4M3" in proc.stderr
    proc = cli(tmp_path, "train.steps=2", "train.fp8.amax_history=16", check=False)  # TE would ignore it silently
    assert proc.returncode == 2 and "unknown config key 'train.fp8.amax_history'" in proc.stderr
    proc = cli(tmp_path, "train.steps=2", "train.tokenizer.form=x", check=False)
    assert proc.returncode == 2 and "unknown config key 'train.tokenizer.form'" in proc.stderr
    proc = cli(tmp_path, "train.steps=2", "train.seq_len=512", check=False)
    assert proc.returncode == 2 and "exceeds the model's max_seq_len=128" in proc.stderr
    # all before any stage ran (train/preflight.py): no curation or data preparation was paid for them
    assert "curate: running" not in proc.stderr and not list((tmp_path / "artifacts").glob("*/*/manifest.json"))

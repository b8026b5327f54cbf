"""FP8 (emulated backend) training on CPU: converges like bf16, resumes exactly with its FP8 state,
runs through the stage, and exports plain HF weights."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from tests.support.train import artifact, cli
from tests.support.train import manual_sections
from train import model as llama
from train import tokenizer as tok
from train.config import FP8Config, ModelConfig, TrainConfig
from train.core.distributed import World
from train.core.loop import LoopInputs, TrainLoop
from train.core.metrics import MetricsLog, read
from train.packing import PackedRows

MODEL = ModelConfig(name="t", vocab_size=384, hidden_size=64, intermediate_size=128, num_layers=2, num_heads=4,
                    num_kv_heads=2, max_seq_len=64)


def rows() -> PackedRows:
    texts = [t for _, t in manual_sections()[:40]]
    tokenizer = tok.train_bpe(texts, MODEL.vocab_size)
    stream = np.concatenate([np.asarray(e.ids + [1]) for e in tokenizer.encode_batch(texts)])
    n = (len(stream) - 1) // 32
    return PackedRows([np.lib.stride_tricks.sliding_window_view(stream, 33)[::32][:n].copy()], 32)


def make_loop(tmp: Path, precision: str, steps: int, data: PackedRows, **fp8) -> TrainLoop:
    cfg = TrainConfig(steps=steps, seq_len=32, micro_batch_size=4, precision=precision, eval_every=10**6,
                      checkpoint_every=10, eval_rows=8, threads=1)
    cfg.optim = replace(cfg.optim, lr=3e-3, warmup_steps=2)
    cfg.fp8 = FP8Config(backend="emulated", amax_history_len=8, **fp8)
    config = llama.llama_config(MODEL, MODEL.vocab_size, 0, 1, 2)
    tmp.mkdir(parents=True, exist_ok=True)
    return TrainLoop(cfg, LoopInputs(llama.create(config, 3), data, data, World(0, 1, 0, torch.device("cpu")),
                                     tmp / "ckpt", MetricsLog(tmp / "m.jsonl"), 1.0, None))


def train_losses(path: Path) -> list[float]:
    return [r["loss"] for r in read(path) if r["kind"] == "train"]


def test_fp8_converges_like_bf16_and_resumes_exactly(tmp_path):
    torch.set_num_threads(1)
    data = rows()
    for precision in ("bf16", "fp8"):
        loop = make_loop(tmp_path / precision, precision, 30, data)
        loop.run()
    bf16, fp8 = train_losses(tmp_path / "bf16" / "m.jsonl"), train_losses(tmp_path / "fp8" / "m.jsonl")
    assert np.mean(fp8[-5:]) < 0.87 * fp8[0]  # it learns (5.98 -> ~4.95 in 30 steps)
    # Stated tolerance: mean loss of the last 10 steps within 3% of bf16's.
    assert abs(np.mean(fp8[-10:]) - np.mean(bf16[-10:])) < 0.03 * np.mean(bf16[-10:]), (fp8, bf16)
    assert len(loop.fp8.layers) == 14 and loop.fp8.backend == "emulated"  # 7 projections x 2 layers

    # Resume: a fresh loop continues from the checkpoint at step 20 and reproduces steps 21-30,
    # which needs the FP8 histories and scales restored (they change every step).
    resumed = tmp_path / "resumed"
    (resumed / "ckpt").mkdir(parents=True)
    source = tmp_path / "fp8" / "ckpt" / "step-0000020"
    (resumed / "ckpt" / source.name).mkdir()
    for item in source.iterdir():
        (resumed / "ckpt" / source.name / item.name).write_bytes(item.read_bytes())
    (resumed / "m.jsonl").write_text("".join(
        json.dumps(r) + "\n" for r in read(tmp_path / "fp8" / "m.jsonl") if r["step"] <= 20))
    again = make_loop(resumed, "fp8", 30, data)
    assert again.resume() and again.step == 20
    state = torch.load(source / "model.pt", weights_only=True)
    assert any(k.endswith("fp8_fwd_history") for k in state)
    again.run()
    assert train_losses(resumed / "m.jsonl") == fp8
    final = dict(loop.model.named_buffers())
    for name, buffer in again.model.named_buffers():
        if "fp8" in name:
            assert torch.equal(buffer, final[name]), name


def test_stage_trains_in_fp8_on_cpu_and_exports_plain_weights(tmp_path):
    from transformers import LlamaForCausalLM

    cli(tmp_path, "train.steps=6", "train.eval_every=3", "train.precision=fp8", "train.fp8.amax_history_len=4")
    out = artifact(tmp_path)
    metrics = json.loads((out / "manifest.json").read_text())["metrics"]
    assert metrics["fp8_backend"] == "emulated" and len(metrics["fp8_layers"]) == 14
    assert metrics["fp8_layers"][0] == "model.layers.0.self_attn.q_proj"
    assert set(metrics["fp8_high_precision_layers"]) == {"lm_head"}
    assert metrics["fp8_recipe"]["amax_history_len"] == 4
    state = torch.load(out / "state" / "model.pt", weights_only=True)
    assert state["model.layers.0.mlp.down_proj.fp8_bwd_scale"].item() != 1.0  # the recipe really ran
    model = LlamaForCausalLM.from_pretrained(str(out / "model"))
    assert not [k for k in model.state_dict() if "fp8" in k]
    torch.testing.assert_close(model.state_dict()["model.layers.0.mlp.down_proj.weight"],
                               state["model.layers.0.mlp.down_proj.weight"])

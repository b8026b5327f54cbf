"""FP8 on the GPU with Transformer Engine: TE's recipe state equals our plain-torch recomputation,
our emulated FP8 linear matches te.Linear, and the TE backend trains and exports plain weights."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from train.fp8 import te_status
from train.fp8_recipe import FP8_MAX, Recipe, update

TE_OK, WHY = te_status(torch.device("cuda")) if torch.cuda.is_available() else (False, "no CUDA GPU")
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not TE_OK, reason=f"needs Transformer Engine on an FP8 GPU: {WHY}")]


def te_state(layer, direction: str):
    """(amax_history, scale) of a te.Linear's forward or backward FP8 meta."""
    meta = layer.fp8_meta["scaling_fwd" if direction == "fwd" else "scaling_bwd"]
    return meta.amax_history, meta.scale


def make_te(recipe: Recipe, seed: int = 0):
    import transformer_engine.pytorch as te

    torch.manual_seed(seed)
    return te.Linear(256, 128, bias=False, params_dtype=torch.float32, device="cuda")


@pytest.mark.parametrize("algo", ["max", "most_recent"])
def test_te_histories_and_scales_equal_our_recomputation(algo):
    from train.fp8_te import te_autocast

    recipe = Recipe(amax_history_len=4, amax_compute_algo=algo, margin=1)
    layer = make_te(recipe)
    ours = {slot: (torch.zeros(4, 1, device="cuda"), torch.ones(1, device="cuda")) for slot in ("in", "w", "g")}
    for step in range(6):
        x = torch.randn(64, 256, device="cuda") * (step + 1)
        grad = torch.randn(64, 128, device="cuda") * 2.0 ** -step
        with te_autocast(recipe):
            out = layer(x)
        out.backward(grad)
        for slot, tensor, fmt in (("in", x, "E4M3"), ("w", layer.weight.detach(), "E4M3"), ("g", grad, "E5M2")):
            history, scale = ours[slot]
            history[0, 0] = tensor.abs().max()
            update(history, scale, FP8_MAX[fmt], recipe.margin, algo)
        fwd_history, fwd_scale = te_state(layer, "fwd")
        bwd_history, bwd_scale = te_state(layer, "bwd")
        torch.testing.assert_close(fwd_history[:, 0:1], ours["in"][0], rtol=0, atol=0)
        torch.testing.assert_close(fwd_history[:, 1:2], ours["w"][0], rtol=0, atol=0)
        # Scales: within 1 ulp (TE's CUDA update kernel divides with fast math); histories: exact.
        torch.testing.assert_close(fwd_scale[:2], torch.cat([ours["in"][1], ours["w"][1]]), rtol=1.3e-6, atol=0)
        torch.testing.assert_close(bwd_history[:, 0:1], ours["g"][0], rtol=0, atol=0)
        torch.testing.assert_close(bwd_scale[:1], ours["g"][1], rtol=1.3e-6, atol=0)


def test_emulated_linear_matches_te_linear_within_fp8_rounding():
    from train.fp8_emulated import FP8Linear, FP8State
    from train.fp8_te import te_autocast

    recipe = Recipe(amax_history_len=4)
    te_layer = make_te(recipe)
    plain = torch.nn.Linear(256, 128, bias=False, device="cuda")
    with torch.no_grad():
        plain.weight.copy_(te_layer.weight)
    state = FP8State(recipe)
    emu = FP8Linear(plain, state)
    worst = {"out": 0.0, "dgrad": 0.0, "wgrad": 0.0}
    for step in range(4):  # the same inputs drive both recipes through the same scale updates
        x = torch.randn(128, 256, device="cuda") * (step + 1)
        grad = torch.randn(128, 128, device="cuda")
        results = []
        for layer, ctx in ((te_layer, lambda: te_autocast(recipe)), (emu, state.autocast)):
            xi = x.clone().requires_grad_(True)
            layer.weight.grad = None
            with ctx():
                out = layer(xi)
            out.backward(grad)
            results.append((out.detach(), xi.grad, layer.weight.grad))
        for key, a, b in zip(worst, results[0], results[1]):
            worst[key] = max(worst[key], ((a - b).abs().max() / b.abs().max()).item())
    print("max |TE - emulated| / max |emulated|:", worst)
    assert worst["out"] < 1e-3 and worst["dgrad"] < 1e-3 and worst["wgrad"] < 1e-3, worst
    torch.testing.assert_close(te_state(te_layer, "fwd")[1][:2], emu.fp8_fwd_scale, rtol=1.3e-6, atol=0)


def test_te_backend_trains_and_exports_plain_llama_weights(tmp_path):
    import numpy as np
    import transformer_engine.pytorch as te

    from train import model as llama
    from train.config import FP8Config, ModelConfig, TrainConfig
    from train.distributed import World
    from train.loop import LoopInputs, TrainLoop
    from train.metrics import MetricsLog, read
    from train.packing import PackedRows

    model_cfg = ModelConfig(name="t", vocab_size=512, hidden_size=128, intermediate_size=256, num_layers=2,
                            num_heads=4, num_kv_heads=2, max_seq_len=128)
    cfg = TrainConfig(steps=30, seq_len=64, micro_batch_size=8, precision="fp8", eval_every=10**6,
                      checkpoint_every=30, eval_rows=8)
    cfg.fp8 = FP8Config(backend="te", amax_history_len=16)
    cfg.optim = replace(cfg.optim, lr=3e-3, warmup_steps=3)
    rng = np.random.default_rng(0)
    base = rng.integers(0, 512, 65)  # rows are rotations of one sequence: quickly learnable
    data = PackedRows([np.stack([np.roll(base, i) for i in range(256)])[:, :65].astype(np.int64)], 64)
    loop = TrainLoop(cfg, LoopInputs(llama.create(llama.llama_config(model_cfg, 512, 0, 1, 2), 1), data, data,
                                     World(0, 1, 0, torch.device("cuda")), tmp_path / "ckpt",
                                     MetricsLog(tmp_path / "m.jsonl"), 1.0, None))
    assert loop.fp8.backend == "te" and isinstance(loop.model.model.layers[0].mlp.down_proj, te.Linear)
    loop.run()
    losses = [r["loss"] for r in read(tmp_path / "m.jsonl") if r["kind"] == "train"]
    assert losses[-1] < 0.5 * losses[0]
    loop.fp8.restore(loop.model)
    assert type(loop.model.model.layers[0].mlp.down_proj) is torch.nn.Linear
    loop.model.save_pretrained(str(tmp_path / "hf"))
    from transformers import LlamaForCausalLM

    reloaded = LlamaForCausalLM.from_pretrained(str(tmp_path / "hf")).cuda()
    ids = torch.tensor([base[:32].tolist()], device="cuda")
    with torch.no_grad():
        torch.testing.assert_close(reloaded(ids).logits, loop.model(ids).logits)

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


def small_llama(seed: int = 1, hidden: int = 128, ffn: int = 256):
    from train import model as llama
    from train.config import ModelConfig

    model_cfg = ModelConfig(name="t", vocab_size=512, hidden_size=hidden, intermediate_size=ffn, num_layers=2,
                            num_heads=4, num_kv_heads=2, max_seq_len=128)
    return llama.create(llama.llama_config(model_cfg, 512, 0, 1, 2), seed)


def rotations(seq: int = 64, rows: int = 256):
    """Rows that are rotations of one random sequence: quickly learnable."""
    import numpy as np

    from train.packing import PackedRows

    base = np.random.default_rng(0).integers(0, 512, seq + 1)
    return base, PackedRows([np.stack([np.roll(base, i) for i in range(rows)]).astype(np.int64)], seq)


def make_loop(tmp_path, modules: str, steps: int, model=None, checkpoint_every: int = 10**6):
    from train.config import FP8Config, TrainConfig
    from train.core.distributed import World
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog

    cfg = TrainConfig(steps=steps, seq_len=64, micro_batch_size=8, precision="fp8", eval_every=10**6,
                      checkpoint_every=checkpoint_every, eval_rows=8)
    cfg.fp8 = FP8Config(backend="te", amax_history_len=16, te_modules=modules)
    cfg.optim = replace(cfg.optim, lr=3e-3, warmup_steps=3)
    _, data = rotations()
    tmp_path.mkdir(parents=True, exist_ok=True)
    return TrainLoop(cfg, LoopInputs(model if model is not None else small_llama(), data, data,
                                     World(0, 1, 0, torch.device("cuda")), tmp_path / "ckpt",
                                     MetricsLog(tmp_path / "m.jsonl"), 1.0, None))


def first_fp8_module(loop, modules: str):
    layer = loop.model.model.layers[0]
    return layer.layer.self_attention.layernorm_qkv if modules == "layer" else layer.self_attn.q_proj


def test_te_layer_swap_computes_the_same_model_and_maps_weights_back_exactly():
    """Whole te.TransformerLayers with mapped weights give HF's logits (no FP8: the mapping, RoPE,
    GQA and SwiGLU conventions alone), and restore() gives back the very same HF weights."""
    import copy

    from train import fp8
    from train.config import FP8Config
    from train.fp8_te_layer import TELlamaLayer

    model = small_llama(hidden=256, ffn=512).cuda()
    reference = copy.deepcopy(model)
    handle = fp8.prepare(model, FP8Config(backend="te", te_modules="layer"), torch.device("cuda"))
    assert all(isinstance(layer, TELlamaLayer) for layer in model.model.layers)
    assert len(handle.layers) == 14 and handle.modules == "layer"
    base, _ = rotations()
    ids = torch.tensor([base[:64].tolist()] * 2, device="cuda")
    errors = {}
    with torch.no_grad():
        for name, dtype in (("fp32", None), ("bf16", torch.bfloat16)):
            with torch.autocast("cuda", dtype=dtype or torch.float32, enabled=dtype is not None):
                ours, theirs = model(ids).logits.float(), reference(ids).logits.float()
            errors[name] = ((ours - theirs).abs().max() / theirs.abs().max()).item()
    print("max |TE layer - HF| / max |HF| logits:", errors)
    assert errors["fp32"] < 5e-3 and errors["bf16"] < 5e-2, errors
    handle.restore(model)
    for (name, mine), (_, ref) in zip(model.state_dict().items(), reference.state_dict().items()):
        torch.testing.assert_close(mine, ref, rtol=0, atol=0, msg=name)


@pytest.mark.parametrize("modules", ["layer", "linear"])
def test_te_backend_trains_and_exports_plain_llama_weights(tmp_path, modules):
    import transformer_engine.pytorch as te

    from train.fp8_te_layer import TELlamaLayer
    from train.core.metrics import read

    loop = make_loop(tmp_path, modules, steps=30)
    swapped = TELlamaLayer if modules == "layer" else te.Linear
    probe = loop.model.model.layers[0] if modules == "layer" else loop.model.model.layers[0].mlp.down_proj
    assert loop.fp8.backend == "te" and isinstance(probe, swapped)
    loop.run()
    losses = [r["loss"] for r in read(tmp_path / "m.jsonl") if r["kind"] == "train"]
    print(modules, "loss", losses[0], "->", losses[-1])
    assert losses[-1] < 0.5 * losses[0]
    loop.fp8.restore(loop.model)
    assert type(loop.model.model.layers[0].mlp.down_proj) is torch.nn.Linear
    loop.model.save_pretrained(str(tmp_path / "hf"))
    from transformers import LlamaForCausalLM

    reloaded = LlamaForCausalLM.from_pretrained(str(tmp_path / "hf")).cuda()
    base, _ = rotations()
    ids = torch.tensor([base[:32].tolist()], device="cuda")
    with torch.no_grad():
        torch.testing.assert_close(reloaded(ids).logits, loop.model(ids).logits)


@pytest.mark.parametrize("modules", ["layer", "linear"])
def test_te_checkpoint_resume_restores_fp8_state_and_continues_the_run(tmp_path, monkeypatch, modules):
    monkeypatch.setenv("NVTE_ALLOW_NONDETERMINISTIC_ALGO", "0")  # so an uninterrupted rerun is comparable
    straight = make_loop(tmp_path / "a", modules, steps=12, checkpoint_every=6)
    module = straight.step_module()
    losses = []
    for _ in range(12):
        losses.append(straight.train_step(module)["loss"])
        straight.step += 1
        if straight.step == 6:
            straight.evaluate()  # a high-precision forward right before the save, as the loop does
            straight.save()
            meta = first_fp8_module(straight, modules).fp8_meta
            saved = {k: (meta[k].amax_history.clone(), meta[k].scale.clone()) for k in ("scaling_fwd", "scaling_bwd")}
    resumed = make_loop(tmp_path / "a", modules, steps=12, model=small_llama(seed=7))  # other init: all comes from the checkpoint
    assert resumed.resume() and resumed.step == 6
    meta = first_fp8_module(resumed, modules).fp8_meta
    for key, (history, scale) in saved.items():
        torch.testing.assert_close(meta[key].amax_history, history, rtol=0, atol=0, msg=key)
        torch.testing.assert_close(meta[key].scale, scale, rtol=0, atol=0, msg=key)
    module = resumed.step_module()
    after = []
    for _ in range(6):
        after.append(resumed.train_step(module)["loss"])
        resumed.step += 1
    print(modules, "straight", losses[6:], "resumed", after)
    assert after == pytest.approx(losses[6:], rel=1e-3)

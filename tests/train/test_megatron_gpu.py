"""train.engine=megatron on a GPU: the GPTModel equals the HF model it was converted from, trains,
exports an HF model with matching logits, runs FP8 for real with Transformer Engine, resumes a
killed run exactly, and round-trips ``init_from``; plus the whole stage through the CLI."""

from __future__ import annotations

import contextlib
import copy
import json
import shutil

import numpy as np
import pytest
import torch

from train import megatron_model


def _why_not() -> str:
    usable, why = megatron_model.megatron_status()
    return "" if usable else why


WHY = _why_not()
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(bool(WHY), reason=f"needs megatron-core on a CUDA GPU: {WHY}"),
]
SEQ = 256


def te_fp8_ok() -> tuple[bool, str]:
    from train.fp8 import te_status

    return te_status(torch.device("cuda")) if torch.cuda.is_available() else (False, "no CUDA GPU")


def small_like(tie: bool = False, layers: int = 12):
    """The ``small`` preset's shape (hidden 768, ffn 2048, 12 / 4 heads, vocab 32000)."""
    from train import model as llama
    from train.config import ModelConfig

    cfg = ModelConfig(
        name="small",
        vocab_size=32000,
        hidden_size=768,
        intermediate_size=2048,
        num_layers=layers,
        num_heads=12,
        num_kv_heads=4,
        max_seq_len=2048,
        tie_embeddings=tie,
    )
    return llama.create(llama.llama_config(cfg, 32000, 0, 1, 2), 1234)


def rotations(rows: int = 512):
    """Rows that are rotations of one random sequence: quickly learnable."""
    from train.packing import PackedRows

    base = np.random.default_rng(0).integers(0, 32000, SEQ + 1)
    return base, PackedRows([np.stack([np.roll(base, i) for i in range(rows)]).astype(np.int64)], SEQ)


@contextlib.contextmanager
def megatron(
    tmp_path,
    hf_model,
    precision: str = "bf16",
    steps: int = 20,
    distributed_optimizer: bool = True,
    checkpoint_every: int = 10**6,
    name: str = "run",
):
    """A MegatronTrainer on one GPU (tp = pp = dp = 1), torn down (process group included) on exit."""
    from train import megatron_engine as engine
    from train.config import FP8Config, ParallelConfig, TrainConfig

    cfg = TrainConfig(
        steps=steps,
        seq_len=SEQ,
        micro_batch_size=8,
        grad_accum=2,
        precision=precision,
        eval_every=10**6,
        eval_rows=16,
        checkpoint_every=checkpoint_every,
        engine="megatron",
        parallel=ParallelConfig(distributed_optimizer=distributed_optimizer),
    )
    cfg.fp8 = FP8Config(backend="te", amax_history_len=16, amax_compute_algo="max")
    cfg.optim.lr, cfg.optim.warmup_steps = 1e-3, 3
    _, data = rotations()
    with engine.single_run(cfg, hf_model, data, data, tmp_path / name) as trainer:
        yield trainer


def megatron_logits(trainer, ids: torch.Tensor) -> torch.Tensor:
    trainer.ddp.eval()
    positions = torch.arange(ids.shape[1], device="cuda").unsqueeze(0).expand_as(ids)
    with torch.no_grad(), trainer._high_precision():
        out = trainer.ddp(ids, positions, None).float()
    trainer.ddp.train()
    return out


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a.float() - b.float()).abs().max() / b.float().abs().max()).item()


def exported(trainer, hf_config):
    from train.core import checkpoint
    from train.megatron_engine import hf_state_from_checkpoint, to_hf_model

    trainer.save()
    folder = checkpoint.latest(trainer.checkpoint_dir)
    return to_hf_model(hf_config, hf_state_from_checkpoint(folder, trainer.plan.shape)).cuda().eval()


def test_fp32_gptmodel_equals_the_hf_model_it_was_converted_from(tmp_path):
    """No training: the mapping, RoPE, GQA, SwiGLU and RMSNorm conventions alone (fp32 weights)."""
    hf = small_like()
    base, _ = rotations()
    ids = torch.tensor([base[:SEQ].tolist()] * 2, device="cuda")
    with torch.no_grad():
        reference = hf.cuda().eval()(ids).logits.float()
    with megatron(tmp_path, hf.cpu(), precision="fp32") as trainer:
        error = relative_error(megatron_logits(trainer, ids), reference)
        print(f"fp32 megatron ({trainer.plan.layout} layers) vs HF logits, max rel error {error:.2e}")
        assert error < 5e-3, error


@pytest.mark.parametrize("tie", [False, True])
def test_bf16_trains_and_the_converted_hf_model_gives_the_same_logits(tmp_path, tie):
    from train.core.metrics import read

    hf = small_like(tie=tie)
    with megatron(tmp_path, hf, precision="bf16", steps=30) as trainer:
        trainer.run()
        losses = [r["loss"] for r in read(trainer.metrics.path) if r["kind"] == "train"]
        print(f"bf16 (tie={tie}) loss {losses[0]:.3f} -> {losses[-1]:.3f}")
        assert losses[-1] < 0.5 * losses[0]
        base, _ = rotations()
        ids = torch.tensor([base[:SEQ].tolist(), np.roll(base, 7)[:SEQ].tolist()], device="cuda")
        theirs = megatron_logits(trainer, ids)
        model = exported(trainer, hf.config)
    with torch.no_grad():
        ours = model(ids).logits.float()  # fp32 compute on the exported (bf16-valued) weights
    error = relative_error(ours, theirs)
    agree = (ours.argmax(-1) == theirs.argmax(-1)).float().mean().item()
    print(f"exported HF vs megatron bf16 logits: max rel error {error:.2e}, argmax agreement {agree:.3f}")
    assert error < 5e-2 and agree > 0.95, (error, agree)
    assert model.config.tie_word_embeddings is tie


def test_fp8_runs_through_transformer_engine_and_trains(tmp_path):
    ok, why = te_fp8_ok()
    if not ok:
        pytest.skip(f"FP8 needs Transformer Engine on an FP8 GPU: {why}")
    from train.core.metrics import read

    hf = small_like()
    with megatron(tmp_path, hf, precision="bf16", steps=1, name="bf16") as trainer:
        trainer.train_step()
        assert megatron_model.fp8_probe(trainer.gpt)["fp8_active"] == 0  # the probe can say no
    with megatron(tmp_path, hf, precision="fp8", steps=30, name="fp8") as trainer:
        assert trainer.plan.layout == "te" and trainer.config.fp8 == "hybrid"
        trainer.run()
        state = trainer.fp8_state
        print("FP8 probe after the first step:", state)
        assert state and state["fp8_active"] >= 2 * 12  # qkv + proj + fc1 + fc2 of every layer, at least
        module = trainer.gpt.decoder.layers[0].mlp.linear_fc1
        scaling = module.fp8_meta["scaling_fwd"]
        # forward slots 0 and 1: the GEMM's input and weight (TE's fp8_meta layout)
        assert (scaling.scale[:2] != 1.0).all() and scaling.amax_history[:, :2].abs().sum() > 0
        losses = [r["loss"] for r in read(trainer.metrics.path) if r["kind"] == "train"]
        print(f"fp8 loss {losses[0]:.3f} -> {losses[-1]:.3f}")
        assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("distributed_optimizer", [True, False])
def test_killed_run_resumes_with_the_same_losses(tmp_path, monkeypatch, distributed_optimizer):
    from train.core.metrics import read

    monkeypatch.setenv("NVTE_ALLOW_NONDETERMINISTIC_ALGO", "0")
    hf = small_like(layers=4)
    with megatron(
        tmp_path, hf, steps=10, distributed_optimizer=distributed_optimizer, checkpoint_every=5, name="a"
    ) as trainer:
        trainer.run()
    straight = [r for r in read(tmp_path / "a" / "metrics.jsonl") if r["kind"] == "train"]
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    shutil.rmtree(tmp_path / "b" / "ckpt" / "step-0000010")  # "killed" after the step-5 checkpoint
    other = copy.deepcopy(hf)
    torch.nn.init.normal_(other.model.embed_tokens.weight)  # everything must come from the checkpoint
    with megatron(
        tmp_path, other, steps=10, distributed_optimizer=distributed_optimizer, checkpoint_every=5, name="b"
    ) as trainer:
        assert trainer.resume() and trainer.step == 5
        trainer.run()
    resumed = [r for r in read(tmp_path / "b" / "metrics.jsonl") if r["kind"] == "train"]
    print(
        "straight", [round(r["loss"], 4) for r in straight], "resumed", [round(r["loss"], 4) for r in resumed]
    )
    assert [r["step"] for r in resumed] == list(range(1, 11))
    assert [r["loss"] for r in resumed[5:]] == pytest.approx([r["loss"] for r in straight[5:]], rel=1e-3)


def test_init_from_an_hf_folder_round_trips_exactly(tmp_path):
    """HF folder -> megatron (fp32) -> checkpoint -> HF: the very same weights."""
    from train import model as llama

    folder = tmp_path / "hf"
    llama.save_hf(small_like(layers=4), folder)
    source = llama.load_pretrained(folder)
    # Saved before any step: the plain optimizer (megatron's distributed one without TE or Apex asserts that
    # Adam has taken a step when it writes its state).
    with megatron(tmp_path, source, precision="fp32", steps=1, distributed_optimizer=False) as trainer:
        back = exported(trainer, source.config)
    for name, tensor in source.state_dict().items():
        torch.testing.assert_close(back.state_dict()[name].cpu(), tensor, rtol=0, atol=0, msg=name)


def test_the_stage_trains_and_exports_through_the_cli(tmp_path):
    from transformers import LlamaForCausalLM

    from tests.support.train import artifact, cli

    cli(
        tmp_path,
        "train.engine=megatron",
        "train.precision=bf16",
        "train.steps=12",
        "train.eval_every=6",
        "train.checkpoint_every=6",
    )
    out = artifact(tmp_path)
    metrics = json.loads((out / "manifest.json").read_text())["metrics"]
    print(
        "megatron stage metrics:", {k: metrics[k] for k in ("engine", "megatron_layers", "parallel", "steps")}
    )
    assert metrics["engine"] == "megatron" and metrics["steps"] == 12 and metrics["world_size"] == 1
    assert metrics["val_loss_last"] < metrics["val_loss_first"]
    model = LlamaForCausalLM.from_pretrained(str(out / "model"))
    assert sorted(p.name for p in (out / "state").iterdir())[:2] == ["model-tp0-pp0.pt", "optim-rank00000.pt"]
    with torch.no_grad():
        assert torch.isfinite(model(torch.tensor([[0, 5, 9, 11]])).logits).all()

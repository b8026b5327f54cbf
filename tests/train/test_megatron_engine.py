"""The megatron engine's CPU-checkable parts: config validation, the one-line error where it cannot
run (no CUDA here), and the HF export from a checkpoint folder's model shards (no megatron needed)."""

from __future__ import annotations

import itertools

import pytest
import torch

from tests.support.train import cli
from train import megatron_map as mmap
from train.config import ParallelConfig, TrainConfig


def config(**values) -> TrainConfig:
    cfg = TrainConfig(steps=10)
    for key, value in values.items():
        target = cfg
        *path, last = key.split(".")
        for part in path:
            target = getattr(target, part)
        setattr(target, last, value)
    return cfg


@pytest.mark.parametrize(
    "values,message",
    [
        ({"engine": "deepspeed"}, "train.engine=deepspeed: valid values are native, megatron"),
        ({"parallel": ParallelConfig(tp=2)}, "tensor and pipeline parallelism need train.engine=megatron"),
        ({"parallel": ParallelConfig(tp=0)}, "train.parallel.tp=0 must be positive"),
        ({"parallel": ParallelConfig(dp=-1)}, "train.parallel.dp=-1 must be >= 0"),
        (
            {"engine": "megatron", "parallel": ParallelConfig(sequence_parallel=True)},
            "sequence_parallel=true needs train.parallel.tp > 1",
        ),
        ({"engine": "megatron", "device": "cpu"}, "train.engine=megatron needs a CUDA GPU"),
        (
            {"engine": "megatron", "precision": "fp8", "fp8.backend": "emulated"},
            "runs FP8 through Transformer Engine only",
        ),
        (
            {"engine": "megatron", "precision": "fp8", "fp8.reduce_amax": False},
            "megatron-core always all-reduces amaxes",
        ),
        ({"engine": "megatron", "compile": True}, "train.compile=true is the native engine's"),
    ],
)
def test_invalid_engine_settings_fail_validation_naming_the_key(values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        config(**values).validate()


def test_valid_engine_settings_pass():
    config().validate()
    config(engine="megatron", parallel=ParallelConfig(tp=2, pp=2, dp=2, sequence_parallel=True)).validate()
    config(engine="megatron", precision="fp8").validate()


def test_megatron_without_cuda_is_one_clear_line_and_native_parallel_fails_before_any_stage(tmp_path):
    cli(tmp_path, stage="curate")
    proc = cli(tmp_path, "train.steps=2", "train.engine=megatron", check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert (
        "train.engine=megatron needs a CUDA GPU, and torch sees none (use train.engine=native)" in proc.stderr
    )
    assert "Traceback" not in proc.stderr
    proc = cli(tmp_path / "other", "train.steps=2", "train.parallel.pp=2", check=False)
    assert (
        proc.returncode == 2
        and "need train.engine=megatron (the native engine is data parallel only)" in proc.stderr
    )
    assert not list((tmp_path / "other" / "artifacts").rglob("manifest.json"))  # validated before curate ran


@pytest.mark.parametrize("tp,pp,layout", [(1, 1, "te"), (2, 2, "local"), (2, 1, "te")])
def test_hf_export_from_checkpoint_shards_gives_the_same_model(tmp_path, tp, pp, layout):
    from transformers import LlamaConfig, LlamaForCausalLM

    from train.megatron_engine import hf_state_from_checkpoint, to_hf_model

    torch.manual_seed(0)
    config_hf = LlamaConfig(
        vocab_size=256,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=4,
        num_attention_heads=8,
        num_key_value_heads=4,
        max_position_embeddings=64,
        tie_word_embeddings=pp == 2,
    )
    model = LlamaForCausalLM(config_hf).float().eval()
    shape = mmap.LlamaShape.from_hf(config_hf)
    full = mmap.hf_to_megatron(model.state_dict(), shape, layout)
    for t, p in itertools.product(range(tp), range(pp)):
        part = mmap.shard(full, shape, layout, tp, t, pp, p)
        part = {k: v.bfloat16() for k, v in part.items()}  # bf16 parameters, as megatron trains them
        part[f"decoder.layers.0.{mmap.LAYER_NAMES[layout]['qkv'].rsplit('.', 1)[0]}._extra_state"] = None
        torch.save(part, tmp_path / f"model-tp{t}-pp{p}.pt")
    torch.save({"tp": tp, "pp": pp, "layer_layout": layout}, tmp_path / "trainer.pt")
    exported = to_hf_model(config_hf, hf_state_from_checkpoint(tmp_path, shape)).eval()
    ids = torch.randint(0, 256, (2, 16))
    with torch.no_grad():
        bf16_model = LlamaForCausalLM(config_hf).float().eval()
        bf16_model.load_state_dict({k: v.bfloat16().float() for k, v in model.state_dict().items()})
        torch.testing.assert_close(exported(ids).logits, bf16_model(ids).logits, rtol=0, atol=0)
    assert all(p.dtype == torch.float32 for p in exported.parameters())
    (tmp_path / "model-tp0-pp0.pt").unlink()
    with pytest.raises(FileNotFoundError, match="model shard model-tp0-pp0.pt is missing"):
        hf_state_from_checkpoint(tmp_path, shape)

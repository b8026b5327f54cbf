"""HF Llama models from the ``model`` presets, the training wrapper, FLOP counts and export.

Plain ``LlamaForCausalLM``, so PEFT, ONNX / onnxruntime-genai, TensorRT-LLM and modelopt all
read our checkpoints natively.
"""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch import nn

from train.config import ModelConfig

log = logging.getLogger("pipeline.train")

# Dense bf16 tensor-core peaks (FLOP/s) used for MFU; matched against torch.cuda.get_device_name().
PEAK_BF16_FLOPS = (
    ("H100 PCIe", 756e12), ("H100", 989.4e12), ("H200", 989.4e12), ("GH200", 989.4e12),
    ("B200", 2250e12), ("A100", 312e12), ("L40S", 362e12), ("A10", 125e12),
)


def vocab_for(model_cfg: ModelConfig, tokenizer_size: int) -> int:
    """The preset's vocabulary, grown (to a multiple of 128) only if the tokenizer needs more."""
    if tokenizer_size <= model_cfg.vocab_size:
        return model_cfg.vocab_size
    grown = -(-tokenizer_size // 128) * 128
    log.warning("tokenizer has %d tokens > model.vocab_size=%d: using vocab %d", tokenizer_size,
                model_cfg.vocab_size, grown)
    return grown


def llama_config(model_cfg: ModelConfig, vocab_size: int, bos: int | None, eos: int | None, pad: int | None):
    from transformers import LlamaConfig

    for name in ("hidden_size", "intermediate_size"):
        if getattr(model_cfg, name) % 16:
            log.warning("model.%s=%d is not a multiple of 16: FP8 GEMMs cannot use it", name,
                        getattr(model_cfg, name))
    if model_cfg.hidden_size % model_cfg.num_heads or model_cfg.num_heads % model_cfg.num_kv_heads:
        raise ValueError(
            f"model.hidden_size={model_cfg.hidden_size} must divide by model.num_heads={model_cfg.num_heads}, "
            f"and num_heads by model.num_kv_heads={model_cfg.num_kv_heads}"
        )
    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=model_cfg.hidden_size,
        intermediate_size=model_cfg.intermediate_size,
        num_hidden_layers=model_cfg.num_layers,
        num_attention_heads=model_cfg.num_heads,
        num_key_value_heads=model_cfg.num_kv_heads,
        max_position_embeddings=model_cfg.max_seq_len,
        rope_parameters={"rope_type": "default", "rope_theta": float(model_cfg.rope_theta)},
        tie_word_embeddings=model_cfg.tie_embeddings,
        bos_token_id=bos, eos_token_id=eos, pad_token_id=pad,
        rms_norm_eps=1e-5,
        use_cache=False,
    )


def create(config, seed: int) -> nn.Module:
    """A freshly initialised fp32 model; the same seed gives the same weights."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    config._attn_implementation = "sdpa"
    return LlamaForCausalLM(config).float()


def load_pretrained(folder: str | Path) -> nn.Module:
    from transformers import LlamaForCausalLM

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"train.init_from={folder}: no config.json (need an HF Llama folder)")
    model = LlamaForCausalLM.from_pretrained(str(folder), dtype=torch.float32, attn_implementation="sdpa")
    model.config.use_cache = False
    return model


def parameter_count(model: nn.Module) -> dict[str, int]:
    total = sum(p.numel() for p in model.parameters())
    embedding = model.get_input_embeddings().weight.numel()
    return {"params": total, "params_non_embedding": total - embedding}


def flops_per_token(config, seq_len: int, params_non_embedding: int) -> float:
    """Training FLOPs per token: 6 N for the GEMMs plus 12 L H T for attention (PaLM, appendix B)."""
    return 6.0 * params_non_embedding + 12.0 * config.num_hidden_layers * config.hidden_size * seq_len


def peak_flops(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, peak in PEAK_BF16_FLOPS:
        if key in name:
            return peak
    return None


def save_hf(model: nn.Module, folder: Path) -> None:
    """safetensors weights + config.json, loadable with ``LlamaForCausalLM.from_pretrained``."""
    folder.mkdir(parents=True, exist_ok=True)
    model.config.use_cache = True  # for the consumers (generation); training keeps it off
    model.save_pretrained(str(folder), safe_serialization=True)
    model.config.use_cache = False

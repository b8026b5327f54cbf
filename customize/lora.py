"""LoRA adapters with HF PEFT: wrap a base, save/load PEFT folders, merge, TensorRT-LLM names.

TensorRT-LLM names LoRA targets by its own module names. Its mapping to HF names
(tensorrt_llm/lora_helper.py, ``get_default_trtllm_modules_to_hf_modules``; the same table in
``load_hf_lora`` of lora_manager.py) is NOT the intuitive one for the MLP: HF ``gate_proj`` is
``mlp_h_to_4h`` and HF ``up_proj`` is ``mlp_gate``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

# One table for the whole project: the export stage reads the adapters by the same names.
from infer.lora import TRTLLM_NAMES as HF_TO_TRTLLM
from infer.lora import trtllm_modules  # noqa: F401  (customize.run names the targets with it)


def peft_config(rank: int, alpha: int, dropout: float, targets: list[str]):
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(targets), bias="none",
                      task_type="CAUSAL_LM")


# Up to this many tokens per example, plain matmul attention ("eager") trains faster on CPU than
# SDPA's flash kernel, whose CPU backward is slow; beyond it the T x T scores cost more (measured
# bf16, tiny preset: eager 0.78x the step time at 120 tokens, 0.9x at 240, 1.4x at 460).
EAGER_MAX_TOKENS = 256


def attention_for(setting: str, device_type: str, mean_tokens: float, bf16: bool = True) -> str:
    if setting != "auto":
        return setting
    # in fp32 the two measured the same; eager pays off with bf16 GEMMs
    return "eager" if device_type == "cpu" and bf16 and mean_tokens <= EAGER_MAX_TOKENS else "sdpa"


def load_base(folder: str | Path, dtype: torch.dtype = torch.float32) -> nn.Module:
    from transformers import LlamaForCausalLM

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder}: no config.json (need an HF Llama folder)")
    model = LlamaForCausalLM.from_pretrained(str(folder), dtype=dtype, attn_implementation="sdpa",
                                             local_files_only=True)
    model.config.use_cache = False
    return model


def wrap(base: nn.Module, name: str, rank: int, alpha: int, dropout: float, targets: list[str], seed: int,
         autocast: bool = False):
    """The PeftModel training adapter ``name``; its LoRA A matrices are initialised from ``seed``
    (B starts at zero, so the wrapped model equals the base before any step). ``autocast``: the
    model always runs under autocast, so PEFT need not copy each LoRA input to the fp32 of the
    LoRA weights first (autocast casts both to bf16 for the GEMM anyway)."""
    from peft import get_peft_model

    for parameter in base.parameters():
        parameter.requires_grad_(False)
    torch.manual_seed(seed)
    model = get_peft_model(base, peft_config(rank, alpha, dropout, targets), adapter_name=name)
    # PEFT keeps LoRA weights in the base's dtype; they train in fp32 even on a bf16 base.
    for parameter in model.parameters():
        if parameter.requires_grad:
            parameter.data = parameter.data.float()
    if autocast:
        from peft.tuners.tuners_utils import BaseTunerLayer

        for module in model.modules():
            if isinstance(module, BaseTunerLayer):
                module.cast_input_dtype_enabled = False
    return model


def trainable_count(model: nn.Module) -> dict[str, int]:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return {"trainable_params": trainable, "total_params": sum(p.numel() for p in model.parameters())}


def save_adapter(model, name: str, folder: Path, base_reference: str = "base") -> Path:
    """``folder`` gets adapter_config.json + adapter_model.safetensors of adapter ``name``.

    ``base_model_name_or_path`` is set to ``base_reference`` (the customize artifact's ``base``
    output), not the absolute path of the folder it was trained from: the adapter's bytes then
    do not depend on where the artifacts happen to live.
    """
    folder.mkdir(parents=True, exist_ok=True)
    model.peft_config[name].base_model_name_or_path = base_reference
    # save_embedding_layers=False: the embeddings are never adapted, and "auto" would look the base up
    model.save_pretrained(str(folder), selected_adapters=[name], safe_serialization=True, save_embedding_layers=False)
    # PEFT writes a non-default adapter into a subfolder of its name; flatten it so
    # PeftModel.from_pretrained(base, folder) loads it directly.
    nested = folder / name
    if nested.is_dir():
        for item in nested.iterdir():
            item.replace(folder / item.name)
        nested.rmdir()
    _make_reproducible(folder, base_reference)
    return folder


def _make_reproducible(folder: Path, base_reference: str) -> None:
    """Same adapter, same bytes: PEFT writes target_modules from a set (its order changes with
    Python's hash seed) and a model card naming the absolute base path; fix the order, and
    replace the card with one that names only what is in the folder."""
    import json

    config_path = folder / "adapter_config.json"
    config = json.loads(config_path.read_text())
    targets = config.get("target_modules")
    if isinstance(targets, list):
        order = list(HF_TO_TRTLLM)
        config["target_modules"] = sorted(targets, key=lambda t: (order.index(t) if t in order else len(order), t))
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True))
    (folder / "README.md").write_text(
        f"# LoRA adapter\n\nPEFT LoRA adapter (rank {config.get('r')}, alpha {config.get('lora_alpha')}, targets "
        f"{', '.join(config.get('target_modules') or [])}) for the Llama base `{base_reference}` of the customize "
        "artifact. Load it with `PeftModel.from_pretrained(base_model, this_folder)`; the prompt format is in "
        "customize.json and docs/customize.md.\n")


def load_adapters(base: nn.Module, folders: dict[str, Path]):
    """One PeftModel holding every adapter in ``folders`` (name -> PEFT folder), in eval mode."""
    from peft import PeftModel

    names = list(folders)
    model = PeftModel.from_pretrained(base, str(folders[names[0]]), adapter_name=names[0], is_trainable=False)
    for name in names[1:]:
        model.load_adapter(str(folders[name]), adapter_name=name, is_trainable=False)
    model.eval()
    return model


def merge(base_folder: Path, adapter_folder: Path, out: Path, stop_ids: list[int] | None = None) -> Path:
    """The base with the adapter folded into its weights, saved as a plain HF Llama folder.

    ``stop_ids`` (the chat template's end-of-turn tokens) become the generation config's EOS, so
    runtimes that read generation_config.json (HF, onnxruntime-genai) stop where training did.
    """
    from peft import PeftModel

    model = PeftModel.from_pretrained(load_base(base_folder), str(adapter_folder), is_trainable=False)
    merged = model.merge_and_unload()
    merged.config.use_cache = True
    merged.generation_config.use_cache = True
    if stop_ids:
        merged.generation_config.eos_token_id = list(stop_ids)
    merged.save_pretrained(str(out), safe_serialization=True)
    return out


def manifest_entry(rank: int, alpha: int, dropout: float, targets: list[str]) -> dict[str, Any]:
    return {"rank": rank, "alpha": alpha, "dropout": dropout, "target_modules": list(targets),
            "trtllm_target_modules": trtllm_modules(targets)}

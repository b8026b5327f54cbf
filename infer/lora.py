"""PEFT LoRA adapters read as plain arrays: what every runtime and converter here needs.

A PEFT adapter folder holds ``adapter_config.json`` and ``adapter_model.safetensors`` with keys
like ``base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight`` ([r, in]) and
``...lora_B.weight`` ([out, r]). The update of a target linear is ``y += scale * x A^T B^T``
with ``scale = alpha / r`` (``alpha / sqrt(r)`` with rsLoRA). Here each adapter becomes a map
``(layer, module) -> (A [in, r], B [r, out] with the scale folded in)``, so the torch runtime,
the ONNX edge converter and the parity checks all apply exactly the same numbers.

Features that change the math beyond that (DoRA, trained biases, extra saved modules, layers
other than the Llama projections) are refused with a clear error instead of served wrongly.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
MODULES = ATTENTION + MLP
# TensorRT-LLM's LoRA module names for the HF Llama projections (its lora_manager's default
# trtllm_modules_to_hf_modules). Note the crossed MLP names: HF gate_proj is TRT-LLM's
# "mlp_h_to_4h" (its fc) and HF up_proj is "mlp_gate" - the easy trap of its checkpoint format.
TRTLLM_NAMES = {
    "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_dense",
    "gate_proj": "mlp_h_to_4h", "up_proj": "mlp_gate", "down_proj": "mlp_4h_to_h",
}
_KEY = re.compile(r"(?:^|\.)layers\.(\d+)\.(?:self_attn|mlp)\.(\w+)\.lora_([AB])\.weight$")


class AdapterError(ValueError):
    """An adapter folder that is missing, malformed or uses a LoRA variant we cannot serve."""


@dataclass
class LoraAdapter:
    name: str
    rank: int
    alpha: float
    target_modules: list[str]
    # (layer, module) -> (A [in, r], B [r, out] * scale), float32
    weights: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = field(repr=False, default_factory=dict)

    @property
    def max_rank(self) -> int:
        return max((a.shape[1] for a, _ in self.weights.values()), default=0)

    def delta(self, layer: int, module: str) -> np.ndarray | None:
        """The dense weight update ``A B`` ([in, out]) of one module, or None if not targeted."""
        pair = self.weights.get((layer, module))
        return None if pair is None else pair[0] @ pair[1]


def read_adapter(folder: Path, name: str | None = None) -> LoraAdapter:
    folder = Path(folder)
    config_path, weights_path = folder / "adapter_config.json", folder / "adapter_model.safetensors"
    for path in (config_path, weights_path):
        if not path.is_file():
            raise AdapterError(f"{folder}: not a PEFT adapter folder (missing {path.name})")
    try:
        config = json.loads(config_path.read_text())
    except ValueError as err:
        raise AdapterError(f"{config_path}: invalid JSON ({err})") from None
    _check_supported(config, config_path)
    from safetensors.numpy import load_file

    try:
        tensors = load_file(str(weights_path))
    except Exception as err:  # safetensors raises its own SafetensorError on truncated files
        raise AdapterError(f"{weights_path}: unreadable safetensors ({err})") from None
    rank, alpha = int(config.get("r", 8)), float(config.get("lora_alpha", 8))
    pattern_rank, pattern_alpha = config.get("rank_pattern") or {}, config.get("alpha_pattern") or {}
    halves: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for key, value in tensors.items():
        match = _KEY.search(key)
        if match is None:
            raise AdapterError(f"{weights_path}: tensor '{key}' is not a LoRA weight of a Llama projection")
        layer, module, half = int(match[1]), match[2], match[3]
        if module not in MODULES:
            raise AdapterError(f"{weights_path}: LoRA on '{module}' is not supported (only {', '.join(MODULES)})")
        halves.setdefault((layer, module), {})[half] = value.astype(np.float32)
    weights = {}
    for (layer, module), pair in sorted(halves.items()):
        if set(pair) != {"A", "B"}:
            raise AdapterError(f"{weights_path}: layer {layer} {module} has only lora_{''.join(pair)}")
        a, b = pair["A"], pair["B"]
        r = a.shape[0]
        if b.shape[1] != r:
            raise AdapterError(f"{weights_path}: layer {layer} {module}: lora_A rank {r} != lora_B rank {b.shape[1]}")
        module_alpha = _pattern_value(pattern_alpha, layer, module, alpha)
        _pattern_value(pattern_rank, layer, module, rank)  # validated via the tensor shape below
        scale = module_alpha / (math.sqrt(r) if config.get("use_rslora") else r)
        weights[(layer, module)] = (np.ascontiguousarray(a.T), np.ascontiguousarray(b.T * scale))
    if not weights:
        raise AdapterError(f"{weights_path}: no LoRA weights found")
    targets = sorted({module for _, module in weights}, key=MODULES.index)
    return LoraAdapter(name or folder.name, rank, alpha, targets, weights)


def _pattern_value(pattern: dict, layer: int, module: str, default):
    """PEFT's rank_pattern / alpha_pattern: keys are module-path suffixes or regexes."""
    for key, value in pattern.items():
        if re.search(rf"(^|\.){key}$", f"model.layers.{layer}.{module}") or key == module:
            return value
    return default


def _check_supported(config: dict, path: Path) -> None:
    if config.get("peft_type", "LORA") != "LORA":
        raise AdapterError(f"{path}: peft_type={config.get('peft_type')} is not LoRA")
    if config.get("use_dora"):
        raise AdapterError(f"{path}: DoRA adapters (use_dora=true) are not supported")
    if config.get("bias", "none") != "none":
        raise AdapterError(f"{path}: LoRA with trained biases (bias={config['bias']}) is not supported")
    if config.get("modules_to_save"):
        raise AdapterError(f"{path}: modules_to_save={config['modules_to_save']} is not supported")
    if config.get("fan_in_fan_out"):
        raise AdapterError(f"{path}: fan_in_fan_out=true is not a Llama adapter")


def read_adapters(folders: dict[str, Path]) -> dict[str, LoraAdapter]:
    return {name: read_adapter(path, name) for name, path in folders.items()}


def adapter_folders(root: Path) -> dict[str, Path]:
    """Every PEFT adapter folder directly under ``root``, by folder name."""
    root = Path(root)
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if (p / "adapter_config.json").is_file()}


def trtllm_modules(modules: list[str]) -> list[str]:
    return [TRTLLM_NAMES[m] for m in modules]

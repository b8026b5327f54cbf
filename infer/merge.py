"""Merged variants: the base weights with one adapter folded in (``W' = W + (A B)^T``).

For servers that cannot apply LoRA at run time. Exact up to float rounding; a test compares the
merged model's logits with the base + adapter ones.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from infer.lora import LoraAdapter

_PARENT = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn", "o_proj": "self_attn",
           "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}


def merge_adapter(base: Path, adapter: LoraAdapter, out: Path) -> None:
    from safetensors.numpy import load_file, save_file

    out.mkdir(parents=True, exist_ok=True)
    pending = {f"model.layers.{layer}.{_PARENT[module]}.{module}.weight": (layer, module)
               for layer, module in adapter.weights}
    for item in sorted(base.iterdir()):
        if item.suffix != ".safetensors":
            if item.is_file():
                shutil.copy2(item, out / item.name)
            continue
        tensors = load_file(str(item))
        for key in list(tensors):
            if key in pending:
                weight = tensors[key]
                delta = adapter.delta(*pending.pop(key)).T  # [out, in], like the weight
                tensors[key] = (weight.astype(np.float32) + delta).astype(weight.dtype)
        save_file(tensors, str(out / item.name), metadata={"format": "pt"})
    if pending:
        raise ValueError(f"adapter '{adapter.name}': the base has no weight {min(pending)}")

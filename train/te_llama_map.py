"""Weights of one HF ``LlamaDecoderLayer`` <-> one Transformer Engine ``TransformerLayer``.

Pure tensor bookkeeping (no TE import), so the mapping is tested on any machine. TE's layer is
built with ``fuse_qkv_params=False`` (separate query / key / value weights in one
``LayerNormLinear``, so GQA needs no interleaving) and ``activation="swiglu"``, whose fused
``fc1`` applies SiLU to its *first* half: the gate rows come first, then the up rows
(transformer_engine/pytorch/ops/basic/swiglu.py; PyTorch's GLU uses the opposite order).
"""

from __future__ import annotations

import torch

# HF name (relative to the decoder layer) -> TE name (relative to the TransformerLayer).
DIRECT = {
    "input_layernorm.weight": "self_attention.layernorm_qkv.layer_norm_weight",
    "self_attn.q_proj.weight": "self_attention.layernorm_qkv.query_weight",
    "self_attn.k_proj.weight": "self_attention.layernorm_qkv.key_weight",
    "self_attn.v_proj.weight": "self_attention.layernorm_qkv.value_weight",
    "self_attn.o_proj.weight": "self_attention.proj.weight",
    "post_attention_layernorm.weight": "layernorm_mlp.layer_norm_weight",
    "mlp.down_proj.weight": "layernorm_mlp.fc2_weight",
}
FUSED_FC1 = "layernorm_mlp.fc1_weight"
GATE, UP = "mlp.gate_proj.weight", "mlp.up_proj.weight"
# The HF projections whose GEMMs the TE layer runs (in FP8 under te.autocast).
PROJECTIONS = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
               "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj")


class MappingError(ValueError):
    pass


def hf_to_te(hf: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """TE weights from an HF decoder layer's state dict (biases are not part of Llama)."""
    expected = set(DIRECT) | {GATE, UP}
    unknown, missing = sorted(set(hf) - expected), sorted(expected - set(hf))
    if unknown or missing:
        raise MappingError(f"not a bias-free Llama decoder layer: unknown {unknown}, missing {missing}")
    if hf[GATE].shape != hf[UP].shape:
        raise MappingError(f"gate {tuple(hf[GATE].shape)} and up {tuple(hf[UP].shape)} projections differ")
    te = {DIRECT[name]: tensor for name, tensor in hf.items() if name in DIRECT}
    te[FUSED_FC1] = torch.cat([hf[GATE], hf[UP]], dim=0)
    return te


def te_to_hf(te: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """HF weights from a TE layer's state dict; TE's FP8 metadata (``*_extra_state``) is dropped:
    the exported model holds plain high-precision weights only."""
    weights = {k: v for k, v in te.items() if not k.endswith("_extra_state")}
    expected = set(DIRECT.values()) | {FUSED_FC1}
    unknown, missing = sorted(set(weights) - expected), sorted(expected - set(weights))
    if unknown or missing:
        raise MappingError(f"unexpected TE TransformerLayer weights: unknown {unknown}, missing {missing}")
    back = {te_name: hf_name for hf_name, te_name in DIRECT.items()}
    hf = {back[name]: tensor for name, tensor in weights.items() if name in back}
    fc1 = weights[FUSED_FC1]
    if fc1.shape[0] % 2:
        raise MappingError(f"{FUSED_FC1} has an odd number of rows ({fc1.shape[0]}): not a SwiGLU fc1")
    hf[GATE], hf[UP] = (half.clone() for half in fc1.chunk(2, dim=0))
    return hf

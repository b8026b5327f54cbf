"""The Transformer Engine backend with whole decoder layers: ``te.TransformerLayer`` per Llama layer.

One TE layer fuses RMSNorm into the QKV and MLP GEMMs (no bf16 round trip between a norm and
an FP8 GEMM), runs SwiGLU as one kernel and attention through TE's fused kernels; this is what
measured 1.49x over bf16 at hidden 4096 in ../shared/notes/gpu.md, where swapping only the
linears reached 1.14x (docs/benchmarks.md). Embeddings, the final norm and the LM head stay HF
modules in bf16 autocast. Weights map both ways (train/te_llama_map.py), so ``init_from`` and
the HF export see plain Llama weights.

Training rows are packed and causal with positions 0..S-1 (train/packing.py): the TE layer uses
its causal mask and its own rotary table and ignores HF's attention mask and position ids, so it
is for training only; ``restore`` puts HF layers back before export.
"""

from __future__ import annotations

import os

import torch
from torch import nn

from train.fp8_recipe import Recipe, RecipeError
from train.te_llama_map import PROJECTIONS, hf_to_te, te_to_hf


def _rope_theta(config) -> float:
    params = getattr(config, "rope_parameters", None) or {}
    if params.get("rope_type", "default") != "default":
        raise RecipeError(f"train.fp8.te_modules=layer supports plain RoPE only, not {params['rope_type']!r}: "
                          "use train.fp8.te_modules=linear")
    return float(params.get("rope_theta", getattr(config, "rope_theta", 10000.0)))


class TELlamaLayer(nn.Module):
    """A drop-in for ``LlamaDecoderLayer`` in ``LlamaModel.layers`` (same call, returns the tensor)."""

    def __init__(self, config, layer_idx: int, device: torch.device, dtype: torch.dtype):
        super().__init__()
        import transformer_engine.pytorch as te
        from transformer_engine.pytorch.attention import RotaryPositionEmbedding

        head_dim = config.hidden_size // config.num_attention_heads
        self.layer = te.TransformerLayer(
            hidden_size=config.hidden_size, ffn_hidden_size=config.intermediate_size,
            num_attention_heads=config.num_attention_heads, num_gqa_groups=config.num_key_value_heads,
            kv_channels=head_dim, layernorm_epsilon=config.rms_norm_eps,
            hidden_dropout=0.0, attention_dropout=0.0, bias=False,
            normalization="RMSNorm", activation="swiglu", self_attn_mask_type="causal",
            attn_input_format="bshd", fuse_qkv_params=False, layer_number=layer_idx + 1,
            params_dtype=dtype, device=device,
        )
        self.rope = RotaryPositionEmbedding(head_dim, rotary_base=_rope_theta(config))
        self._freqs: torch.Tensor | None = None

    def forward(self, hidden_states: torch.Tensor, attention_mask=None, **_ignored) -> torch.Tensor:
        seq = hidden_states.shape[1]
        if self._freqs is None or self._freqs.shape[0] < seq:
            self._freqs = self.rope(seq)  # fp32 (TE computes it outside autocast)
        return self.layer(hidden_states, rotary_pos_emb=self._freqs[:seq])


def swap_layers_to_te(model: nn.Module, recipe: Recipe, group):
    from train.fp8 import FP8Handle
    from train.fp8_te import keep_fp8_state_in_checkpoint, te_autocast

    # TE >= 2.18 refuses to unpickle its FP8 metadata from a checkpoint unless allowed; our
    # checkpoints are our own files.
    os.environ.setdefault("NVTE_ALLOW_UNSAFE_PICKLE_EXTRA_STATE", "1")
    config = model.config
    layers = model.model.layers
    for i, hf_layer in enumerate(layers):
        weight = hf_layer.self_attn.q_proj.weight
        te_layer = TELlamaLayer(config, i, weight.device, weight.dtype)
        missing, unexpected = te_layer.layer.load_state_dict(hf_to_te(hf_layer.state_dict()), strict=False)
        missing = [k for k in missing if not k.endswith("_extra_state")]
        if missing or unexpected:
            raise RecipeError(f"layer {i}: TE TransformerLayer weights do not map (missing {missing}, "
                              f"unexpected {unexpected})")
        layers[i] = te_layer
    names = [f"model.layers.{i}.{p}" for i in range(len(layers)) for p in PROJECTIONS]

    def restore(target: nn.Module) -> None:
        from transformers.models.llama.modeling_llama import LlamaDecoderLayer

        for i, layer in enumerate(target.model.layers):
            if not isinstance(layer, TELlamaLayer):
                continue
            weight = layer.layer.self_attention.proj.weight
            hf_layer = LlamaDecoderLayer(target.config, i).to(device=weight.device, dtype=weight.dtype)
            hf_layer.load_state_dict(te_to_hf(layer.layer.state_dict()))
            target.model.layers[i] = hf_layer

    return FP8Handle("te", recipe, names, {}, lambda: te_autocast(recipe, group), restore, modules="layer",
                     before_save=keep_fp8_state_in_checkpoint)

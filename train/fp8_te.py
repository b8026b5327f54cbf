"""The Transformer Engine backend's recipe and autocast, and its ``te_modules=linear`` mode:
decoder linears as ``te.Linear`` (weights copied both ways, so ``init_from`` and the HF export see
plain Llama weights). The default mode swaps whole layers: train/fp8_te_layer.py.
"""

from __future__ import annotations

import os

import torch
from torch import nn

from train.fp8_recipe import Recipe


def te_recipe(recipe: Recipe):
    from transformer_engine.common.recipe import DelayedScaling, Format

    return DelayedScaling(
        fp8_format=getattr(Format, recipe.fp8_format), margin=recipe.margin,
        amax_history_len=recipe.amax_history_len, amax_compute_algo=recipe.amax_compute_algo,
        reduce_amax=recipe.reduce_amax,
    )


def te_autocast(recipe: Recipe, group=None):
    """``te.autocast`` (TE >= 2.9) or the older ``te.fp8_autocast``, both with DelayedScaling."""
    import transformer_engine.pytorch as te

    if hasattr(te, "autocast"):
        return te.autocast(enabled=True, recipe=te_recipe(recipe), amax_reduction_group=group)
    return te.fp8_autocast(enabled=True, fp8_recipe=te_recipe(recipe), fp8_group=group)


def keep_fp8_state_in_checkpoint(model: nn.Module) -> None:
    """TE writes a module's FP8 state (amax histories, scales) into ``state_dict`` only when its
    *last* forward ran in FP8 (``fp8_meta["fp8_checkpoint"]``, TE's module/base.py). Our evaluation
    forwards run in high precision, so a checkpoint taken right after an evaluation would silently
    drop the recipe state; mark every module that holds FP8 state before saving."""
    for module in model.modules():
        meta = getattr(module, "fp8_meta", None)
        if isinstance(meta, dict) and getattr(module, "fp8_meta_tensors_initialized", False) and "recipe" in meta:
            meta["fp8_checkpoint"] = True


def to_te_linear(linear: nn.Linear) -> nn.Module:
    import transformer_engine.pytorch as te

    layer = te.Linear(linear.in_features, linear.out_features, bias=linear.bias is not None,
                      params_dtype=linear.weight.dtype, device=linear.weight.device)
    with torch.no_grad():
        layer.weight.copy_(linear.weight)
        if linear.bias is not None:
            layer.bias.copy_(linear.bias)
    # a frozen base (LoRA) stays frozen: TE then skips the weight-gradient GEMM
    layer.weight.requires_grad_(linear.weight.requires_grad)
    if linear.bias is not None:
        layer.bias.requires_grad_(linear.bias.requires_grad)
    return layer


def to_linear(layer: nn.Module) -> nn.Linear:
    has_bias = isinstance(getattr(layer, "bias", None), torch.Tensor) and layer.bias.numel() > 0
    plain = nn.Linear(layer.in_features, layer.out_features, bias=has_bias,
                      device=layer.weight.device, dtype=layer.weight.dtype)
    with torch.no_grad():
        plain.weight.copy_(layer.weight)
        if has_bias:
            plain.bias.copy_(layer.bias)
    plain.weight.requires_grad_(layer.weight.requires_grad)
    return plain


def swap_to_te(model: nn.Module, names: list[str], recipe: Recipe, group):
    import transformer_engine.pytorch as te

    from train.fp8 import FP8Handle, _set

    # TE >= 2.18 refuses to unpickle its FP8 metadata (amax histories, scales) from a checkpoint
    # unless allowed; our checkpoints are our own files.
    os.environ.setdefault("NVTE_ALLOW_UNSAFE_PICKLE_EXTRA_STATE", "1")
    for name in names:
        _set(model, name, to_te_linear(model.get_submodule(name)))

    def restore(target: nn.Module) -> None:
        for name in names:
            layer = target.get_submodule(name)
            if isinstance(layer, te.Linear):
                _set(target, name, to_linear(layer))

    return FP8Handle("te", recipe, names, {}, lambda: te_autocast(recipe, group), restore,
                     before_save=keep_fp8_state_in_checkpoint)

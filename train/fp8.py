"""``train.precision=fp8``: which layers run in FP8, on which backend, and back to plain HF weights.

FP8 layers are the decoder's linear projections (q/k/v/o, gate/up/down) whose shapes obey the
FP8 GEMM rule (both weight dimensions divisible by 16; the token count per micro-batch divisible
by 8 is checked up front). Embeddings, norms and the LM head stay in high precision, as in TE's
recipes. Backends: ``te`` (Transformer Engine under ``te.autocast``: whole ``te.TransformerLayer``s,
train/fp8_te_layer.py, or only ``te.Linear`` projections, train/fp8_te.py), ``emulated``
(train/fp8_emulated.py, any device), ``auto`` (TE when it imports and an FP8 GPU is present).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from train.fp8_recipe import Recipe, RecipeError

log = logging.getLogger("pipeline.train")


@dataclass
class FP8Handle:
    backend: str
    recipe: Recipe
    layers: list[str]
    skipped: dict[str, str]
    autocast: Callable[[], Any]  # a context manager factory wrapping each micro-batch's forward
    restore: Callable[[nn.Module], None]  # swaps FP8 layers back to nn.Linear (HF export)
    state: Any = field(default=None, repr=False)
    modules: str = "linear"  # what was swapped: single linears, or whole decoder layers (te only)
    before_save: Callable[[nn.Module], None] | None = None  # makes the backend's FP8 state part of state_dict


def eligible(model: nn.Module) -> tuple[list[str], dict[str, str]]:
    """Names of decoder linears that can run in FP8, and why the others cannot."""
    chosen, skipped = [], {}
    for name, module in model.named_modules():
        if not isinstance(module, nn.Linear):
            continue
        if ".layers." not in f".{name}":
            skipped[name] = "outside the decoder layers (LM head): kept high precision"
        elif ".lora_" in f".{name}":
            # rank-r adapter GEMMs gain nothing from FP8 and are the only weights being trained
            skipped[name] = "LoRA adapter (trainable, rank-sized): kept high precision"
        elif module.in_features % 16 or module.out_features % 16:
            skipped[name] = f"shape {module.out_features}x{module.in_features} breaks the FP8 GEMM rule (% 16)"
        else:
            chosen.append(name)
    return chosen, skipped


def check_tokens(micro_batch: int, seq_len: int) -> None:
    if (micro_batch * seq_len) % 8:
        raise RecipeError(
            f"train.micro_batch_size x train.seq_len = {micro_batch * seq_len} tokens: FP8 GEMMs need a multiple of 8"
        )


def preload_te() -> None:
    """Import TE before torch initialises CUDA libraries: imported later, TE picked up the system
    cuDNN next to torch's own and failed (undefined cudnn symbol), measured on the H100 machine."""
    import importlib

    try:
        importlib.import_module("transformer_engine.pytorch")
    except Exception:  # reported with its reason by te_status when FP8 is set up
        pass


def te_status(device: torch.device) -> tuple[bool, str]:
    """(usable, why not) for Transformer Engine on ``device``."""
    if device.type != "cuda":
        return False, f"device is {device.type}, TE needs a CUDA GPU"
    try:
        import transformer_engine.pytorch as te
    except Exception as err:  # ImportError, or a broken CUDA extension build
        return False, f"transformer_engine does not import ({type(err).__name__}: {str(err)[:120]})"
    available = te.is_fp8_available()
    ok, reason = available if isinstance(available, tuple) else (available, "")
    return (True, "") if ok else (False, f"TE reports no FP8 on this GPU: {reason}")


def prepare(model: nn.Module, fp8_cfg, device: torch.device, group=None) -> FP8Handle:
    """Swap the eligible layers in place (before the optimizer is built) and return the handle."""
    recipe = Recipe.from_config(fp8_cfg)
    backend = fp8_cfg.backend
    usable, why = te_status(device)
    if backend == "te" and not usable:
        raise RecipeError(f"train.fp8.backend=te: {why}")
    if backend == "auto":
        backend = "te" if usable else "emulated"
        if not usable:
            log.warning("train.fp8.backend=auto: using the emulated FP8 backend (%s)", why)
    names, skipped = eligible(model)
    if not names:
        raise RecipeError("no layer of this model can run in FP8 (all shapes break the % 16 rule)")
    te_modules = fp8_cfg.te_modules
    if backend == "te" and te_modules == "layer" and any(".base_layer" in name for name in names):
        # a whole-layer swap would replace PEFT's LoRA wrappers (and drop the adapters with them)
        log.warning("train.fp8.te_modules=layer on a PEFT model: swapping the frozen base linears "
                    "inside the LoRA wrappers instead (te_modules=linear)")
        te_modules = "linear"
    if backend == "te" and te_modules == "layer":
        from train.fp8_te_layer import swap_layers_to_te

        inside = [name for name in skipped if ".layers." in f".{name}"]
        if inside:
            raise RecipeError(f"train.fp8.te_modules=layer runs every decoder GEMM in FP8, but {inside[0]}: "
                              f"{skipped[inside[0]]}; use train.fp8.te_modules=linear")
        handle = swap_layers_to_te(model, recipe, group)
    elif backend == "te":
        from train.fp8_te import swap_to_te

        handle = swap_to_te(model, names, recipe, group)
    else:
        handle = _swap_to_emulated(model, names, recipe, group)
    handle.skipped = skipped
    swapped = f"te:{handle.modules}" if backend == "te" else backend
    log.info("FP8 (%s backend, %s, history %d, %s): %d layers in FP8, %d kept high precision", swapped,
             recipe.fp8_format, recipe.amax_history_len, recipe.amax_compute_algo, len(names), len(skipped))
    return handle


def _swap_to_emulated(model: nn.Module, names: list[str], recipe: Recipe, group) -> FP8Handle:
    from train.fp8_emulated import FP8Linear, FP8State

    state = FP8State(recipe, group)
    for name in names:
        _set(model, name, FP8Linear(model.get_submodule(name), state))

    def restore(target: nn.Module) -> None:
        for name in names:
            layer = target.get_submodule(name)
            if isinstance(layer, FP8Linear):
                _set(target, name, layer.to_linear())

    return FP8Handle("emulated", recipe, names, {}, state.autocast, restore, state)


def _set(model: nn.Module, name: str, module: nn.Module) -> None:
    parent, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent) if parent else model, child, module)

"""Transformer Engine's DelayedScaling recipe in plain torch: formats, saturating casts, scale update.

Per FP8 tensor slot (forward: input and weight of each GEMM; backward: its grad output) there is
an amax history and a scale. Each cast records the tensor's amax into ``history[0]`` and uses the
scale of the previous update. An update takes amax = max over the history ("max") or
``history[0]`` ("most_recent"), rolls the history by -1 and zeroes ``history[0]``, then sets
scale = (fp8_max / amax) / 2**margin, keeping the old scale where amax is 0 or not finite and
clamping an infinite scale to the fp32 maximum. This is TE 2.x's ``_default_get_amax_and_update_history``
and ``_default_sf_compute`` (transformer_engine/pytorch/quantization.py), in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

FP8_MAX = {"E4M3": 448.0, "E5M2": 57344.0}
FP8_DTYPE = {"E4M3": torch.float8_e4m3fn, "E5M2": torch.float8_e5m2}
from train.config import check_fp8  # noqa: E402  (the value rules live with the config)
FP32_MAX = torch.finfo(torch.float32).max


class RecipeError(ValueError):
    """A train.fp8.* value TE would reject (or silently misread)."""


@dataclass(frozen=True)
class Recipe:
    fp8_format: str = "HYBRID"
    margin: int = 0
    amax_history_len: int = 1024
    amax_compute_algo: str = "max"
    reduce_amax: bool = True

    @classmethod
    def from_config(cls, cfg) -> "Recipe":
        try:
            check_fp8(cfg)
        except ValueError as err:
            raise RecipeError(str(err)) from None
        return cls(cfg.fp8_format, cfg.margin, cfg.amax_history_len, cfg.amax_compute_algo, cfg.reduce_amax)

    @property
    def forward_format(self) -> str:
        return "E4M3"

    @property
    def backward_format(self) -> str:
        return "E5M2" if self.fp8_format == "HYBRID" else "E4M3"


def update(history: torch.Tensor, scale: torch.Tensor, fp8_max: float, margin: int, algo: str) -> None:
    """One delayed-scaling update of ``history`` (L, slots) and ``scale`` (slots,), in place."""
    amax = history.max(dim=0).values if algo == "max" else history[0].clone()
    if history.shape[0] > 1:
        history.copy_(torch.roll(history, -1, 0))
    history[0].zero_()
    new = (fp8_max / amax) / (2**margin)
    new = torch.where(amax > 0.0, new, scale)
    new = torch.where(torch.isfinite(amax), new, scale)
    new = torch.where(torch.isinf(new), torch.full_like(new, FP32_MAX), new)
    scale.copy_(new)


def record_amax(history: torch.Tensor, slot: int, tensor: torch.Tensor) -> None:
    """``history[0, slot]`` keeps the largest |value| cast since the last update."""
    amax = tensor.detach().abs().max().float()
    history[0, slot] = torch.maximum(history[0, slot], amax)


def quantize(tensor: torch.Tensor, scale: torch.Tensor, fmt: str) -> torch.Tensor:
    """Saturating cast of ``tensor * scale`` to FP8 (torch's E5M2 cast alone would overflow to inf)."""
    limit = FP8_MAX[fmt]
    return (tensor.float() * scale).clamp_(-limit, limit).to(FP8_DTYPE[fmt])


def dequantize(data: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """FP8 values times scale_inv = 1 / scale, as TE's GEMMs apply it."""
    return data.float() * torch.reciprocal(scale)

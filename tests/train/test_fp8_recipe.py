"""The delayed-scaling recipe against an independent plain-Python recomputation of TE's algorithm
(as TE's tests/pytorch/test_recipe.py does), and the saturating FP8 casts."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from train.fp8_recipe import FP8_MAX, FP32_MAX, dequantize, quantize, update


def reference(amaxes: list[float], length: int, algo: str, margin: int, fp8_max: float) -> tuple[list, float]:
    """History and scale after each step's amax, written out without torch.roll or torch.where."""
    history, scale = [0.0] * length, 1.0
    for amax in map(float, np.float32(amaxes)):  # amaxes are fp32 tensors in TE
        history[0] = max(history[0], amax) if not math.isnan(amax) else amax
        chosen = max(history) if algo == "max" else history[0]
        if any(math.isinf(h) for h in history) and algo == "max":
            chosen = math.inf
        history = history[1:] + history[:1]  # roll by -1
        history[0] = 0.0
        if chosen > 0 and math.isfinite(chosen):
            with np.errstate(over="ignore"):
                candidate = np.float32(fp8_max) / np.float32(chosen) / np.float32(2**margin)  # fp32, as TE
            scale = FP32_MAX if np.isinf(candidate) else float(candidate)
    return history, scale


@pytest.mark.parametrize("algo", ["max", "most_recent"])
@pytest.mark.parametrize("length,margin", [(1, 0), (4, 0), (4, 2), (16, 1)])
def test_update_matches_the_recomputation(algo, length, margin):
    amaxes = [3.0, 0.5, 0.0, 12.0, 1e-3, 7.0, 0.0, 2.5, math.inf, 4.0, 1e-45, 6.0]
    history = torch.zeros(length, 1)
    scale = torch.ones(1)
    for step, amax in enumerate(amaxes, 1):
        history[0, 0] = torch.maximum(history[0, 0], torch.tensor(amax))
        update(history, scale, FP8_MAX["E4M3"], margin, algo)
        want_history, want_scale = reference(amaxes[:step], length, algo, margin, FP8_MAX["E4M3"])
        assert history[:, 0].tolist() == pytest.approx(want_history, rel=1e-6)
        assert scale.item() == pytest.approx(want_scale, rel=1e-6), (step, amax)


def test_zero_and_infinite_amax_keep_the_old_scale_and_tiny_amax_clamps():
    history, scale = torch.tensor([[2.0, 0.0, math.inf]]), torch.tensor([3.0, 5.0, 7.0])
    update(history, scale, 448.0, 0, "most_recent")
    assert scale.tolist() == [224.0, 5.0, 7.0]
    history[0] = torch.tensor([1e-45, 0.0, 0.0])  # 448 / 1e-45 overflows fp32
    update(history, scale, 448.0, 0, "most_recent")
    assert scale[0].item() == FP32_MAX


def test_casts_saturate_at_the_format_maxima():
    big = torch.tensor([1e6, -1e6, 500.0, 448.0, 60000.0, math.inf])
    e4m3 = quantize(big, torch.tensor(1.0), "E4M3").float()
    e5m2 = quantize(big, torch.tensor(1.0), "E5M2").float()
    assert e4m3.tolist() == [448.0, -448.0, 448.0, 448.0, 448.0, 448.0]
    assert e5m2.tolist() == [57344.0, -57344.0, 512.0, 448.0, 57344.0, 57344.0]
    assert torch.tensor(1e6).to(torch.float8_e5m2).float().isinf()  # why the clamp is needed


def test_scale_maps_the_amax_onto_the_format_maximum():
    x = torch.tensor([0.001, -0.0035, 0.002])
    scale = torch.tensor(448.0 / 0.0035)
    q = quantize(x, scale, "E4M3")
    assert q.float().abs().max().item() == 448.0
    torch.testing.assert_close(dequantize(q, scale), x, rtol=2**-4, atol=0)

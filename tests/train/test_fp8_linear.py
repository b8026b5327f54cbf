"""The emulated FP8 linear: exact recipe arithmetic, FP8-sized error against fp32, state updates."""

from __future__ import annotations

import torch

from train.fp8_emulated import FP8Linear, FP8State
from train.fp8_recipe import Recipe, update


def layer(recipe: Recipe, in_features=64, out_features=48, bias=True):
    torch.manual_seed(0)
    state = FP8State(recipe)
    return FP8Linear(torch.nn.Linear(in_features, out_features, bias=bias), state), state


def test_forward_and_gradients_stay_within_fp8_error_of_fp32():
    fp8, state = layer(Recipe(amax_history_len=4))
    torch.manual_seed(1)
    x = torch.randn(2, 16, 64, requires_grad=True)
    grad_out = torch.randn(2, 16, 48)
    for _ in range(3):  # after the first update the scales use the whole FP8 range
        x.grad = fp8.weight.grad = fp8.bias.grad = None
        with state.autocast():
            out = fp8(x)
        out.backward(grad_out)
    assert fp8.fp8_fwd_scale.min() > 1 and fp8.fp8_bwd_scale.item() > 1
    x_ref = x.detach().clone().requires_grad_(True)
    w_ref = fp8.weight.detach().clone().requires_grad_(True)
    exact = x_ref @ w_ref.t() + fp8.bias.detach()
    exact.backward(grad_out)

    def rel(a, b):
        return ((a - b).norm() / b.norm()).item()

    assert 1e-4 < rel(out.detach(), exact.detach()) < 0.05  # E4M3: 3 mantissa bits, never exact
    assert rel(x.grad, x_ref.grad) < 0.1  # E5M2 gradients: 2 mantissa bits
    assert rel(fp8.weight.grad, w_ref.grad) < 0.1
    torch.testing.assert_close(fp8.bias.grad, grad_out.sum((0, 1)))  # the bias grad stays high precision


def test_output_equals_dequantized_fp8_operands_exactly():
    fp8, state = layer(Recipe(amax_history_len=2), bias=False)
    fp8.fp8_fwd_scale.copy_(torch.tensor([60.0, 900.0]))
    fp8.fp8_bwd_scale.copy_(torch.tensor([30.0]))
    x = torch.randn(32, 64, requires_grad=True)
    grad_out = torch.randn(32, 48)
    with state.autocast():
        out = fp8(x)
    out.backward(grad_out)
    s_in, s_w, s_g = torch.tensor(60.0), torch.tensor(900.0), torch.tensor(30.0)
    xd = (x.detach() * s_in).clamp(-448, 448).to(torch.float8_e4m3fn).float() * (1 / s_in)
    wd = (fp8.weight.detach() * s_w).clamp(-448, 448).to(torch.float8_e4m3fn).float() * (1 / s_w)
    gd = (grad_out * s_g).clamp(-57344, 57344).to(torch.float8_e5m2).float() * (1 / s_g)
    assert torch.equal(out.detach(), xd @ wd.t())
    assert torch.equal(x.grad, gd @ wd)
    assert torch.equal(fp8.weight.grad, gd.t() @ xd)


def test_histories_and_scales_follow_the_recipe_over_steps():
    recipe = Recipe(amax_history_len=3, amax_compute_algo="max", margin=1)
    fp8, state = layer(recipe, bias=False)
    history = {"in": torch.zeros(3, 1), "w": torch.zeros(3, 1), "g": torch.zeros(3, 1)}
    scale = {"in": torch.ones(1), "w": torch.ones(1), "g": torch.ones(1)}
    for step in range(5):
        x = torch.randn(8, 64) * (step + 1)
        grad_out = torch.randn(8, 48) * 10.0 ** -step
        with state.autocast():
            out = fp8(x)
        out.backward(grad_out)
        for slot, tensor in (("in", x), ("w", fp8.weight.detach()), ("g", grad_out)):
            history[slot][0, 0] = tensor.abs().max()
            limit = 57344.0 if slot == "g" else 448.0
            update(history[slot], scale[slot], limit, 1, "max")
        torch.testing.assert_close(fp8.fp8_fwd_history, torch.cat([history["in"], history["w"]], 1))
        torch.testing.assert_close(fp8.fp8_fwd_scale, torch.cat([scale["in"], scale["w"]]))
        torch.testing.assert_close(fp8.fp8_bwd_history, history["g"])
        torch.testing.assert_close(fp8.fp8_bwd_scale, scale["g"])


def test_outside_autocast_and_without_grad_it_is_a_plain_linear():
    fp8, state = layer(Recipe())
    x = torch.randn(4, 64)
    torch.testing.assert_close(fp8(x), torch.nn.functional.linear(x, fp8.weight, fp8.bias))
    with torch.no_grad(), state.autocast():
        torch.testing.assert_close(fp8(x), torch.nn.functional.linear(x, fp8.weight, fp8.bias))
    assert fp8.fp8_fwd_history.abs().sum() == 0  # evaluation records nothing
    assert set(fp8.state_dict()) == {"weight", "bias", "fp8_fwd_history", "fp8_fwd_scale", "fp8_bwd_history",
                                     "fp8_bwd_scale"}
    plain = fp8.to_linear()
    assert plain.weight is fp8.weight and set(plain.state_dict()) == {"weight", "bias"}

"""FP8 linear layers that follow the DelayedScaling recipe exactly, in plain torch (runs anywhere).

Forward: the input and the weight are cast to E4M3 with their slot's current scale (amaxes
recorded), dequantized and multiplied in fp32, so products are exact products of FP8 values as in
an FP8 tensor-core GEMM with fp32 accumulation. Backward: the grad output is cast to E5M2 (HYBRID)
or E4M3, dgrad = grad8 @ weight8 and wgrad = grad8^T @ input8; the bias grad stays high precision.
Scales update when the outermost ``autocast`` exits (forward slots) and at the end of the backward
of the first FP8 layer of the forward pass (backward slots), where TE updates them.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import torch
from torch import nn

from train.fp8_recipe import FP8_MAX, Recipe, dequantize, quantize, record_amax, update

INPUT, WEIGHT = 0, 1  # forward slots; the backward slot 0 is the grad output


class FP8State:
    """The recipe's state machine over all FP8 layers of one model."""

    def __init__(self, recipe: Recipe, group=None):
        self.recipe = recipe
        self.group = group  # data-parallel process group for the amax all-reduce
        self.layers: list["FP8Linear"] = []
        self.active = False
        self._first_taken = False

    def take_first(self) -> bool:
        """True for the first FP8 layer that runs in this autocast (it triggers the backward update)."""
        first = not self._first_taken
        self._first_taken = True
        return first

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        outer = not self.active
        self.active = True
        if outer:
            self._first_taken = False
        try:
            yield
        finally:
            if outer:
                self.active = False
                if torch.is_grad_enabled():
                    self.forward_update()

    def _reduce(self, rows: list[torch.Tensor]) -> None:
        if not (self.recipe.reduce_amax and torch.distributed.is_available() and torch.distributed.is_initialized()
                and torch.distributed.get_world_size(self.group) > 1):
            return
        stacked = torch.stack(rows)
        torch.distributed.all_reduce(stacked, op=torch.distributed.ReduceOp.MAX, group=self.group)
        for row, reduced in zip(rows, stacked):
            row.copy_(reduced)

    def forward_update(self) -> None:
        self._reduce([layer.fp8_fwd_history[0] for layer in self.layers])
        for layer in self.layers:
            update(layer.fp8_fwd_history, layer.fp8_fwd_scale, FP8_MAX[self.recipe.forward_format],
                   self.recipe.margin, self.recipe.amax_compute_algo)

    def backward_update(self) -> None:
        self._reduce([layer.fp8_bwd_history[0] for layer in self.layers])
        for layer in self.layers:
            update(layer.fp8_bwd_history, layer.fp8_bwd_scale, FP8_MAX[self.recipe.backward_format],
                   self.recipe.margin, self.recipe.amax_compute_algo)


class _FP8Linear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, layer: "FP8Linear", first: bool):
        state = layer.fp8_state
        fmt = state.recipe.forward_format
        input_dtype = x.dtype
        if torch.is_autocast_enabled(x.device.type):
            x = x.to(torch.get_autocast_dtype(x.device.type))  # TE casts activations to the autocast dtype
        out_dtype = x.dtype
        with torch.autocast(x.device.type, enabled=False):
            flat = x.reshape(-1, x.shape[-1])
            history, scale = layer.fp8_fwd_history, layer.fp8_fwd_scale
            record_amax(history, INPUT, flat)
            record_amax(history, WEIGHT, weight)
            x8, w8 = quantize(flat, scale[INPUT], fmt), quantize(weight, scale[WEIGHT], fmt)
            x_scale, w_scale = scale[INPUT].clone(), scale[WEIGHT].clone()
            out = dequantize(x8, x_scale) @ dequantize(w8, w_scale).t()
            if bias is not None:
                out = out + bias.float()
        ctx.save_for_backward(x8, w8, x_scale, w_scale)
        ctx.layer, ctx.first, ctx.has_bias = layer, first, bias is not None
        ctx.x_shape, ctx.x_dtype, ctx.w_dtype = x.shape, input_dtype, weight.dtype
        return out.to(out_dtype).reshape(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def backward(ctx, grad_out):
        x8, w8, x_scale, w_scale = ctx.saved_tensors
        layer = ctx.layer
        state = layer.fp8_state
        with torch.autocast(grad_out.device.type, enabled=False):
            grad = grad_out.reshape(-1, grad_out.shape[-1])
            record_amax(layer.fp8_bwd_history, 0, grad)
            scale = layer.fp8_bwd_scale[0].clone()
            g = dequantize(quantize(grad, scale, state.recipe.backward_format), scale)
            grad_x = (g @ dequantize(w8, w_scale)).to(ctx.x_dtype).reshape(ctx.x_shape)
            grad_w = (g.t() @ dequantize(x8, x_scale)).to(ctx.w_dtype)
            grad_b = grad.float().sum(0) if ctx.has_bias else None
        if ctx.first:
            state.backward_update()
        return grad_x, grad_w, grad_b, None, None


class FP8Linear(nn.Module):
    """Drop-in for ``nn.Linear`` (same parameters, same state-dict names) plus the FP8 state buffers.

    Outside ``FP8State.autocast`` (evaluation, export) it is a plain high-precision linear.
    """

    def __init__(self, linear: nn.Linear, state: FP8State):
        super().__init__()
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.weight = linear.weight
        self.bias = linear.bias
        length = state.recipe.amax_history_len
        device = linear.weight.device
        self.register_buffer("fp8_fwd_history", torch.zeros(length, 2, device=device))
        self.register_buffer("fp8_fwd_scale", torch.ones(2, device=device))
        self.register_buffer("fp8_bwd_history", torch.zeros(length, 1, device=device))
        self.register_buffer("fp8_bwd_scale", torch.ones(1, device=device))
        object.__setattr__(self, "fp8_state", state)  # not a submodule: shared by all layers
        state.layers.append(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fp8_state.active and torch.is_grad_enabled():
            return _FP8Linear.apply(x, self.weight, self.bias, self, self.fp8_state.take_first())
        return nn.functional.linear(x, self.weight, self.bias)

    def to_linear(self) -> nn.Linear:
        plain = nn.Linear(self.in_features, self.out_features, bias=self.bias is not None,
                          device=self.weight.device, dtype=self.weight.dtype)
        plain.weight = self.weight
        if self.bias is not None:
            plain.bias = self.bias
        return plain

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, fp8=emulated"

"""bf16 on a CPU without fast bf16 (no AVX-512 / AMX) falls back to fp32 with a warning: emulated bf16 GEMMs
were measured 55x slower than fp32 on such a machine (docs/benchmarks.md), 1.3-1.4x faster on the others."""

import logging

import pytest
import torch

from train.core import loop
from train.core.loop import LoopSettings, resolve_precision


@pytest.mark.parametrize("fast, expected", [(True, torch.bfloat16), (False, None)])
def test_cpu_bf16_is_used_only_where_it_is_fast(monkeypatch, caplog, fast, expected):
    monkeypatch.setattr(loop, "cpu_bf16_is_fast", lambda: fast)
    loop._warn_once.cache_clear()
    with caplog.at_level(logging.WARNING):
        got = resolve_precision(LoopSettings(steps=1, precision="bf16"), torch.device("cpu"))
        again = resolve_precision(LoopSettings(steps=1, precision="bf16"), torch.device("cpu"))
    assert got == again == expected
    assert caplog.text.count("no fast bf16") == (0 if fast else 1)  # once per process, not once per adapter


def test_fp32_is_never_changed(monkeypatch):
    monkeypatch.setattr(loop, "cpu_bf16_is_fast", lambda: False)
    assert resolve_precision(LoopSettings(steps=1, precision="fp32"), torch.device("cpu")) is None


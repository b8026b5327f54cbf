"""FP8 under PEFT LoRA: only the frozen base linears inside the LoRA wrappers run in FP8, the
adapters stay high precision and are the only weights that train (the emulated backend on CPU;
the TE backend takes the same names, measured on the GPU in benchmarks/customize_gpu.py)."""

from __future__ import annotations

import pytest
import torch

from train import fp8
from train.config import FP8Config


def tiny_lora_model():
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    base = LlamaForCausalLM(LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=128,
                                        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2))
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    return get_peft_model(base, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=targets))


def test_fp8_picks_the_frozen_base_linears_and_leaves_the_adapters_alone():
    model = tiny_lora_model()
    names, skipped = fp8.eligible(model)
    assert len(names) == 2 * 7 and all(name.endswith(".base_layer") for name in names)
    assert any(".lora_A." in name for name in skipped) and any(".lora_B." in name for name in skipped)
    assert all("LoRA adapter" in why for name, why in skipped.items() if ".lora_" in name)


def te_why_not() -> str:
    if not torch.cuda.is_available():
        return "no CUDA GPU"
    return fp8.te_status(torch.device("cuda"))[1]


@pytest.mark.parametrize("backend", ["emulated", pytest.param("te", marks=[
    pytest.mark.gpu, pytest.mark.skipif(bool(te_why_not()), reason=f"needs Transformer Engine FP8: {te_why_not()}")])])
def test_lora_trains_through_the_fp8_base_and_the_base_stays_frozen(backend):
    device = torch.device("cuda" if backend == "te" else "cpu")
    model = tiny_lora_model().to(device)
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    # te_modules=layer (the training default) must fall back to the base linears under PEFT
    handle = fp8.prepare(model, FP8Config(backend=backend, amax_history_len=4, te_modules="layer"), device)
    assert all(not model.get_submodule(name).weight.requires_grad for name in handle.layers)
    params = [p for p in model.parameters() if p.requires_grad]
    assert params and all("lora_" in n for n, p in model.named_parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW(params, lr=1e-2)
    tokens = torch.randint(0, 128, (4, 32), generator=torch.Generator().manual_seed(1)).to(device)
    losses = []
    for _ in range(12):
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=backend == "te"), handle.autocast():
            loss = model(input_ids=tokens, labels=tokens).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.3, losses
    handle.restore(model)
    after = dict(model.named_parameters())
    for name, value in frozen.items():
        assert torch.equal(after[name], value), name

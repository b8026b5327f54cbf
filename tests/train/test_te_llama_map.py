"""The HF Llama <-> TE TransformerLayer weight mapping (pure tensors: runs without TE)."""

from __future__ import annotations

import pytest
import torch

from train.te_llama_map import FUSED_FC1, MappingError, hf_to_te, te_to_hf


def hf_layer_state(hidden=32, ffn=48, heads=4, kv_heads=2):
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer

    config = LlamaConfig(hidden_size=hidden, intermediate_size=ffn, num_attention_heads=heads,
                         num_key_value_heads=kv_heads, num_hidden_layers=1, vocab_size=64)
    torch.manual_seed(0)
    layer = LlamaDecoderLayer(config, 0)
    with torch.no_grad():
        for p in layer.parameters():
            p.normal_()  # norms too, so a swapped norm / projection cannot go unnoticed
    return layer.state_dict()


def test_round_trip_is_exact_and_gate_rows_come_first():
    hf = hf_layer_state()
    te = hf_to_te(hf)
    assert te[FUSED_FC1].shape == (96, 32)
    # TE's swiglu gates with the first half of fc1's output (SiLU(a) * b).
    torch.testing.assert_close(te[FUSED_FC1][:48], hf["mlp.gate_proj.weight"], rtol=0, atol=0)
    torch.testing.assert_close(te["self_attention.layernorm_qkv.key_weight"], hf["self_attn.k_proj.weight"],
                               rtol=0, atol=0)
    back = te_to_hf({**te, "self_attention.layernorm_qkv._extra_state": torch.zeros(3)})
    assert back.keys() == hf.keys()
    for name in hf:
        torch.testing.assert_close(back[name], hf[name], rtol=0, atol=0)


def test_te_swiglu_convention_reproduces_the_hf_mlp():
    """fc1 = [gate; up] with SiLU on the first half gives exactly HF's down(silu(gate x) * up x)."""
    hf = hf_layer_state()
    te = hf_to_te(hf)
    x = torch.randn(5, 32)
    gate_up = x @ te[FUSED_FC1].T
    a, b = gate_up.chunk(2, dim=-1)
    te_out = (torch.nn.functional.silu(a) * b) @ te["layernorm_mlp.fc2_weight"].T
    hf_out = (torch.nn.functional.silu(x @ hf["mlp.gate_proj.weight"].T) * (x @ hf["mlp.up_proj.weight"].T)) \
        @ hf["mlp.down_proj.weight"].T
    torch.testing.assert_close(te_out, hf_out)


def test_a_layer_with_biases_or_missing_weights_is_refused_with_the_names():
    hf = hf_layer_state()
    with pytest.raises(MappingError, match="self_attn.q_proj.bias"):
        hf_to_te({**hf, "self_attn.q_proj.bias": torch.zeros(32)})
    partial = {k: v for k, v in hf_to_te(hf).items() if k != "layernorm_mlp.fc2_weight"}
    with pytest.raises(MappingError, match="fc2_weight"):
        te_to_hf(partial)

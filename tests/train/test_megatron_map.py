"""HF Llama <-> megatron-core weights (train/megatron_map.py), without megatron: exact round trips
for both layer layouts and every tp x pp split, megatron's fused QKV / fc1 layouts as its source
documents them, and the fused weights computing HF's attention projections and MLP."""

from __future__ import annotations

import itertools

import pytest
import torch

from train import megatron_map as mmap
from train.megatron_map import LlamaShape, MappingError


def hf_llama(tie: bool = False, heads: int = 8, kv: int = 4, layers: int = 4, seed: int = 0):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=256,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv,
        tie_word_embeddings=tie,
        max_position_embeddings=64,
    )
    return LlamaForCausalLM(config).float().eval()


def exact(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


@pytest.mark.parametrize("layout", mmap.LAYOUTS)
@pytest.mark.parametrize("tie", [False, True])
def test_hf_to_megatron_and_back_is_exact(layout, tie):
    model = hf_llama(tie=tie)
    shape = LlamaShape.from_hf(model.config)
    hf = model.state_dict()
    mg = mmap.hf_to_megatron(hf, shape, layout)
    names = mmap.LAYER_NAMES[layout]
    assert mg[f"decoder.layers.3.{names['qkv']}"].shape == ((8 + 2 * 4) * 8, 64)  # (heads + 2 kv) x head_dim
    assert mg[f"decoder.layers.0.{names['fc1']}"].shape == (2 * 96, 64)
    assert (mmap.OUTPUT in mg) is not tie
    back = mmap.megatron_to_hf(mg, shape, layout)
    exact(back, {k: v for k, v in hf.items() if k in back})
    assert set(hf) <= set(back)  # a tied model's lm_head.weight comes back as the embedding
    if tie:
        assert torch.equal(back["lm_head.weight"], hf["model.embed_tokens.weight"])


def test_qkv_is_interleaved_per_query_group_as_megatron_documents():
    """attention.py: "q1 q2 k1 v1 | q3 q4 k2 v2 | ..." with two query heads per group."""
    shape = LlamaShape(
        num_layers=1, hidden_size=4, intermediate_size=4, num_heads=4, num_kv_heads=2, vocab_size=8
    )
    dim = shape.head_dim  # 1: each head is one row, so rows can be read as labels
    q = torch.tensor([[10.0 + h] * 4 for h in range(4)])  # q heads 10, 11, 12, 13
    k = torch.tensor([[20.0 + g] * 4 for g in range(2)])
    v = torch.tensor([[30.0 + g] * 4 for g in range(2)])
    fused = mmap.fuse_qkv(q, k, v, shape)
    assert dim == 1 and fused[:, 0].tolist() == [10, 11, 20, 30, 12, 13, 21, 31]
    # megatron's split (get_query_key_value_tensors): view (groups, (per + 2) * dim), split [per, 1, 1]
    groups = fused.view(2, 4 * dim, 4)
    query, key, value = torch.split(groups, [2 * dim, dim, dim], dim=1)
    assert torch.equal(query.reshape(-1, 4), q) and torch.equal(key.reshape(-1, 4), k)
    assert torch.equal(value.reshape(-1, 4), v)
    back = mmap.split_qkv(fused, shape)
    assert all(torch.equal(x, y) for x, y in zip(back, (q, k, v)))


def test_fused_weights_compute_hf_attention_projections_and_swiglu_mlp():
    """What megatron computes from linear_qkv / linear_fc1 (split per group; mlp.py's
    ``x_glu, x_linear = chunk(x, 2)``, SiLU on the first half) equals HF's modules."""
    model = hf_llama(heads=8, kv=2)
    shape = LlamaShape.from_hf(model.config)
    layer = model.model.layers[1]
    mg = mmap.hf_to_megatron(model.state_dict(), shape, "te")
    x = torch.randn(5, 64)
    mixed = x @ mg["decoder.layers.1.self_attention.linear_qkv.weight"].t()
    mixed = mixed.view(5, shape.num_kv_heads, (shape.heads_per_group + 2) * shape.head_dim)
    q, k, v = torch.split(
        mixed, [shape.heads_per_group * shape.head_dim, shape.head_dim, shape.head_dim], dim=-1
    )
    with torch.no_grad():
        torch.testing.assert_close(q.reshape(5, -1), layer.self_attn.q_proj(x))
        torch.testing.assert_close(k.reshape(5, -1), layer.self_attn.k_proj(x))
        torch.testing.assert_close(v.reshape(5, -1), layer.self_attn.v_proj(x))
        x_glu, x_linear = torch.chunk(x @ mg["decoder.layers.1.mlp.linear_fc1.weight"].t(), 2, dim=-1)
        out = (torch.nn.functional.silu(x_glu) * x_linear) @ mg["decoder.layers.1.mlp.linear_fc2.weight"].t()
        torch.testing.assert_close(out, layer.mlp(x))


@pytest.mark.parametrize("tp,pp", [(1, 1), (2, 1), (4, 1), (1, 2), (1, 4), (2, 2)])
@pytest.mark.parametrize("tie", [False, True])
def test_shards_merge_back_to_the_whole_model_exactly(tp, pp, tie):
    model = hf_llama(tie=tie)
    shape = LlamaShape.from_hf(model.config)
    full = mmap.hf_to_megatron(model.state_dict(), shape, "te")
    shards = {
        (t, p): mmap.shard(full, shape, "te", tp, t, pp, p)
        for t, p in itertools.product(range(tp), range(pp))
    }
    exact(mmap.merge(shards, shape, "te", tp, pp), full)
    first, last = shards[(0, 0)], shards[(0, pp - 1)]
    assert mmap.EMBEDDING in first and (mmap.EMBEDDING in last) is (pp == 1)
    assert mmap.FINAL_NORM in last and (mmap.FINAL_NORM in first) is (pp == 1)
    # tied: one stage has no output layer; the last of several stages keeps a copy of the embedding
    assert (mmap.OUTPUT in last) is (not tie or pp > 1)
    assert sum(k.endswith("linear_qkv.weight") for k in first) == shape.num_layers // pp  # renumbered layers
    assert f"decoder.layers.{shape.num_layers // pp - 1}.mlp.linear_fc2.weight" in last


def test_tensor_shards_follow_megatrons_column_and_row_split():
    model = hf_llama(heads=8, kv=4)
    shape = LlamaShape.from_hf(model.config)
    hf = model.state_dict()
    full = mmap.hf_to_megatron(hf, shape, "local")
    rank1 = mmap.shard(full, shape, "local", 2, 1, 1, 0)
    gate, up = hf["model.layers.0.mlp.gate_proj.weight"], hf["model.layers.0.mlp.up_proj.weight"]
    # fc1 on rank 1 = [its half of the gate rows; its half of the up rows] (apply_swiglu_sharded_factory)
    assert torch.equal(rank1["decoder.layers.0.mlp.linear_fc1.weight"], torch.cat([gate[48:], up[48:]]))
    # qkv by whole query groups: rank 1 holds groups 2 and 3, i.e. q heads 4..7 and kv heads 2, 3
    groups = rank1["decoder.layers.0.self_attention.linear_qkv.weight"].view(
        2, 4 * 8, 64
    )  # 2 groups of 2 q + k + v
    q, k, v = (part.reshape(-1, 64) for part in torch.split(groups, [16, 8, 8], dim=1))
    assert torch.equal(q, hf["model.layers.0.self_attn.q_proj.weight"][32:])
    assert torch.equal(k, hf["model.layers.0.self_attn.k_proj.weight"][16:])
    assert torch.equal(v, hf["model.layers.0.self_attn.v_proj.weight"][16:])
    # row-parallel: the input dimension; vocabulary rows split; norms replicated
    assert torch.equal(
        rank1["decoder.layers.0.self_attention.linear_proj.weight"],
        hf["model.layers.0.self_attn.o_proj.weight"][:, 32:],
    )
    assert torch.equal(
        rank1["decoder.layers.0.mlp.linear_fc2.weight"], hf["model.layers.0.mlp.down_proj.weight"][:, 48:]
    )
    assert torch.equal(rank1[mmap.EMBEDDING], hf["model.embed_tokens.weight"][128:])
    assert torch.equal(
        rank1["decoder.layers.0.input_layernorm.weight"], hf["model.layers.0.input_layernorm.weight"]
    )


def test_extra_state_is_dropped_and_bad_weights_fail_in_one_line():
    model = hf_llama()
    shape = LlamaShape.from_hf(model.config)
    mg = mmap.hf_to_megatron(model.state_dict(), shape, "te")
    with_meta = {**mg, "decoder.layers.0.mlp.linear_fc1._extra_state": torch.zeros(3, dtype=torch.uint8)}
    exact(mmap.megatron_to_hf(with_meta, shape, "te"), mmap.megatron_to_hf(mg, shape, "te"))
    with pytest.raises(
        MappingError, match="not a local-layout GPTModel of this shape: unknown .*layer_norm_weight"
    ):
        mmap.megatron_to_hf(mg, shape, "local")
    biased = {**model.state_dict(), "model.layers.0.self_attn.q_proj.bias": torch.zeros(64)}
    with pytest.raises(MappingError, match="unknown .*q_proj.bias"):
        mmap.hf_to_megatron(biased, shape, "te")
    other = LlamaShape.from_hf(hf_llama(kv=2).config)
    with pytest.raises(MappingError, match="k_proj has shape"):
        mmap.hf_to_megatron(model.state_dict(), other, "te")
    with pytest.raises(MappingError, match="missing"):
        mmap.merge({(0, 0): {}}, shape, "te", 2, 1)


@pytest.mark.parametrize(
    "tp,pp,dp,world,message",
    [
        (2, 1, 0, 3, "tp=2 x pp=1 = 2 does not divide the 3 processes"),
        (1, 1, 2, 4, "tp=1 x pp=1 x dp=2 = 2, but WORLD_SIZE=4"),
        (8, 1, 0, 8, "train.parallel.tp=8 must divide model.num_kv_heads=4"),
        (1, 3, 0, 3, "train.parallel.pp=3 must divide model.num_layers=22"),
    ],
)
def test_layout_errors_name_the_key(tp, pp, dp, world, message):
    shape = LlamaShape(22, 2048, 5632, 32, 4, 32000)  # the 1b preset
    with pytest.raises(mmap.LayoutError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mmap.check_layout(shape, tp, pp, dp, world)


def test_layout_derives_dp_from_the_world_size():
    shape = LlamaShape(22, 2048, 5632, 32, 4, 32000)
    assert mmap.check_layout(shape, 2, 1, 0, 8) == 4
    assert mmap.check_layout(shape, 2, 2, 2, 8) == 2
    assert mmap.check_layout(shape, 1, 1, 0, 1) == 1

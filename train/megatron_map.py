"""HF Llama weights <-> megatron-core GPTModel weights, whole or split over tensor / pipeline ranks.

Pure tensor bookkeeping (no megatron import), so every rule is tested on any machine
(tests/train/test_megatron_map.py); tests/train/test_megatron_gpu.py checks it against the real
GPTModel (logits of the converted model). Megatron's conventions, from megatron-core's source:

- QKV is one ``linear_qkv`` weight, interleaved per query group (transformer/attention.py,
  ``get_query_key_value_tensors``): for each of the ``num_kv_heads`` groups, that group's
  ``num_heads / num_kv_heads`` query heads, then its key head, then its value head
  ("q1 q2 k1 v1 | q3 q4 k2 v2 | ..."). Tensor parallelism splits it by whole groups.
- ``linear_fc1`` is [gate; up] (transformer/mlp.py: ``x_glu, x_linear = torch.chunk(x, 2)``;
  SiLU applies to the first half); under tensor parallelism each rank holds [its gate rows; its
  up rows] (``apply_swiglu_sharded_factory``), not a slice of the full [gate; up].
- Column-parallel weights (embedding rows = vocabulary, qkv, fc1, output layer) split along
  dim 0, row-parallel ones (attention output ``linear_proj``, ``linear_fc2``) along dim 1; norms
  are replicated.
- Pipeline stage p holds layers [p L/pp, (p+1) L/pp) renumbered from 0, the embedding on the
  first stage, the final norm and output layer on the last. Tied embeddings on one stage have no
  ``output_layer.weight``; with pp > 1 the last stage keeps a copy of the embedding there.
- Layer names depend on the layer spec: with Transformer Engine (``te``) the norms are fused
  into the following GEMM (``linear_qkv.layer_norm_weight``, ``linear_fc1.layer_norm_weight``);
  the local spec (``local``) has ``input_layernorm`` / ``pre_mlp_layernorm`` modules.

RoPE needs no permutation: HF Llama and megatron (``rotary_interleaved=False``) both rotate the
two halves of each head. Megatron's ``*._extra_state`` entries (TE's FP8 meta) are not weights:
they are dropped on the way to HF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch

LAYOUTS = ("te", "local")
EMBEDDING = "embedding.word_embeddings.weight"
FINAL_NORM = "decoder.final_layernorm.weight"
OUTPUT = "output_layer.weight"
LAYER_PREFIX = "decoder.layers."

# Per decoder layer: role -> megatron name (relative to ``decoder.layers.{i}.``) for each layout.
LAYER_NAMES = {
    "te": {
        "input_norm": "self_attention.linear_qkv.layer_norm_weight",
        "qkv": "self_attention.linear_qkv.weight",
        "proj": "self_attention.linear_proj.weight",
        "mlp_norm": "mlp.linear_fc1.layer_norm_weight",
        "fc1": "mlp.linear_fc1.weight",
        "fc2": "mlp.linear_fc2.weight",
    },
    "local": {
        "input_norm": "input_layernorm.weight",
        "qkv": "self_attention.linear_qkv.weight",
        "proj": "self_attention.linear_proj.weight",
        "mlp_norm": "pre_mlp_layernorm.weight",
        "fc1": "mlp.linear_fc1.weight",
        "fc2": "mlp.linear_fc2.weight",
    },
}
# HF names (relative to ``model.layers.{i}.``) of the roles that map one to one.
HF_DIRECT = {
    "input_norm": "input_layernorm.weight",
    "proj": "self_attn.o_proj.weight",
    "mlp_norm": "post_attention_layernorm.weight",
    "fc2": "mlp.down_proj.weight",
}
HF_Q, HF_K, HF_V = "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight"
HF_GATE, HF_UP = "mlp.gate_proj.weight", "mlp.up_proj.weight"
HF_EMBED, HF_NORM, HF_HEAD = "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"
# Tensor-parallel split dimension of each role (None: replicated on every tensor-parallel rank).
TP_DIM = {
    "input_norm": None,
    "mlp_norm": None,
    "final_norm": None,
    "qkv": 0,
    "fc1": 0,
    "proj": 1,
    "fc2": 1,
    "embedding": 0,
    "output": 0,
}
WHOLE_MODEL_ROLES = {EMBEDDING: "embedding", FINAL_NORM: "final_norm", OUTPUT: "output"}


class MappingError(ValueError):
    """Weights that do not fit the shape or layout they are converted for."""


class LayoutError(ValueError):
    """A tp / pp / dp choice that does not fit the model or the number of processes."""


@dataclass(frozen=True)
class LlamaShape:
    num_layers: int
    hidden_size: int
    intermediate_size: int
    num_heads: int
    num_kv_heads: int
    vocab_size: int
    tie_embeddings: bool = False

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    @property
    def heads_per_group(self) -> int:
        return self.num_heads // self.num_kv_heads

    @classmethod
    def from_hf(cls, config) -> LlamaShape:
        """From a transformers ``LlamaConfig``."""
        return cls(
            config.num_hidden_layers,
            config.hidden_size,
            config.intermediate_size,
            config.num_attention_heads,
            config.num_key_value_heads,
            config.vocab_size,
            bool(getattr(config, "tie_word_embeddings", False)),
        )


def check_layout(shape: LlamaShape, tp: int, pp: int, dp: int, world_size: int) -> int:
    """The data-parallel size for ``world_size`` processes (``dp=0``: derived), or a LayoutError
    naming the key whose value megatron-core would reject."""
    if tp < 1 or pp < 1 or dp < 0:
        raise LayoutError(f"train.parallel: tp={tp} and pp={pp} must be >= 1, dp={dp} >= 0")
    if world_size % (tp * pp):
        raise LayoutError(
            f"train.parallel.tp={tp} x pp={pp} = {tp * pp} does not divide the {world_size} processes"
        )
    derived = world_size // (tp * pp)
    if dp and dp != derived:
        raise LayoutError(
            f"train.parallel: tp={tp} x pp={pp} x dp={dp} = {tp * pp * dp}, but WORLD_SIZE={world_size}"
        )
    for name, value in (
        ("num_heads", shape.num_heads),
        ("num_kv_heads", shape.num_kv_heads),
        ("intermediate_size", shape.intermediate_size),
        ("vocab_size", shape.vocab_size),
    ):
        if value % tp:
            raise LayoutError(f"train.parallel.tp={tp} must divide model.{name}={value}")
    if shape.num_layers % pp:
        raise LayoutError(f"train.parallel.pp={pp} must divide model.num_layers={shape.num_layers}")
    return derived


# -- whole model: HF <-> megatron ----------------------------------------------------------------
def fuse_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, shape: LlamaShape) -> torch.Tensor:
    groups, per, dim, hidden = shape.num_kv_heads, shape.heads_per_group, shape.head_dim, shape.hidden_size
    expected = {
        "q": (shape.num_heads * dim, hidden),
        "k": (groups * dim, hidden),
        "v": (groups * dim, hidden),
    }
    for name, tensor in (("q", q), ("k", k), ("v", v)):
        if tuple(tensor.shape) != expected[name]:
            raise MappingError(f"{name}_proj has shape {tuple(tensor.shape)}, expected {expected[name]}")
    fused = torch.cat(
        [
            q.reshape(groups, per * dim, hidden),
            k.reshape(groups, dim, hidden),
            v.reshape(groups, dim, hidden),
        ],
        dim=1,
    )
    return fused.reshape(groups * (per + 2) * dim, hidden)


def split_qkv(qkv: torch.Tensor, shape: LlamaShape) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    groups, per, dim, hidden = shape.num_kv_heads, shape.heads_per_group, shape.head_dim, shape.hidden_size
    if tuple(qkv.shape) != (groups * (per + 2) * dim, hidden):
        raise MappingError(
            f"linear_qkv has shape {tuple(qkv.shape)}, expected {(groups * (per + 2) * dim, hidden)}"
        )
    q, k, v = qkv.reshape(groups, (per + 2) * dim, hidden).split([per * dim, dim, dim], dim=1)
    return (q.reshape(-1, hidden).clone(), k.reshape(-1, hidden).clone(), v.reshape(-1, hidden).clone())


def _check_layout_name(layout: str) -> dict[str, str]:
    if layout not in LAYOUTS:
        raise MappingError(f"layer layout {layout!r}: valid layouts are {', '.join(LAYOUTS)}")
    return LAYER_NAMES[layout]


def hf_to_megatron(hf: Mapping[str, torch.Tensor], shape: LlamaShape, layout: str) -> dict[str, torch.Tensor]:
    """The whole model's megatron state dict (tp = pp = 1) from an HF ``LlamaForCausalLM`` state dict."""
    names = _check_layout_name(layout)
    expected = {HF_EMBED, HF_NORM} | ({HF_HEAD} if not shape.tie_embeddings else set())
    for i in range(shape.num_layers):
        expected |= {f"model.layers.{i}.{n}" for n in (*HF_DIRECT.values(), HF_Q, HF_K, HF_V, HF_GATE, HF_UP)}
    # A tied model's state dict may list lm_head.weight too (the same tensor as the embedding).
    present = set(hf) - ({HF_HEAD} if shape.tie_embeddings else set())
    unknown, missing = sorted(present - expected), sorted(expected - present)
    if unknown or missing:
        raise MappingError(
            f"not a bias-free Llama of this shape: unknown {unknown[:4]}, missing {missing[:4]}"
        )
    out = {EMBEDDING: hf[HF_EMBED], FINAL_NORM: hf[HF_NORM]}
    if not shape.tie_embeddings:
        out[OUTPUT] = hf[HF_HEAD]
    for i in range(shape.num_layers):
        src, dst = f"model.layers.{i}.", f"{LAYER_PREFIX}{i}."
        for role, hf_name in HF_DIRECT.items():
            out[dst + names[role]] = hf[src + hf_name]
        out[dst + names["qkv"]] = fuse_qkv(hf[src + HF_Q], hf[src + HF_K], hf[src + HF_V], shape)
        gate, up = hf[src + HF_GATE], hf[src + HF_UP]
        if gate.shape != up.shape:
            raise MappingError(
                f"layer {i}: gate {tuple(gate.shape)} and up {tuple(up.shape)} projections differ"
            )
        out[dst + names["fc1"]] = torch.cat([gate, up], dim=0)
    return out


def weights_only(state: Mapping[str, object]) -> dict[str, torch.Tensor]:
    """A megatron state dict without ``_extra_state`` entries (TE's FP8 meta, None for local layers)."""
    return {k: v for k, v in state.items() if not k.endswith("_extra_state")}


def megatron_to_hf(mg: Mapping[str, torch.Tensor], shape: LlamaShape, layout: str) -> dict[str, torch.Tensor]:
    """An HF ``LlamaForCausalLM`` state dict from the whole model's megatron state dict."""
    names = _check_layout_name(layout)
    weights = weights_only(mg)
    expected = {EMBEDDING, FINAL_NORM} | ({OUTPUT} if not shape.tie_embeddings else set())
    for i in range(shape.num_layers):
        expected |= {f"{LAYER_PREFIX}{i}.{n}" for n in names.values()}
    unknown, missing = sorted(set(weights) - expected), sorted(expected - set(weights))
    if unknown or missing:
        raise MappingError(
            f"not a {layout}-layout GPTModel of this shape: unknown {unknown[:4]}, missing {missing[:4]}"
        )
    hf = {
        HF_EMBED: weights[EMBEDDING],
        HF_NORM: weights[FINAL_NORM],
        HF_HEAD: weights[EMBEDDING] if shape.tie_embeddings else weights[OUTPUT],
    }
    for i in range(shape.num_layers):
        src, dst = f"{LAYER_PREFIX}{i}.", f"model.layers.{i}."
        for role, hf_name in HF_DIRECT.items():
            hf[dst + hf_name] = weights[src + names[role]]
        hf[dst + HF_Q], hf[dst + HF_K], hf[dst + HF_V] = split_qkv(weights[src + names["qkv"]], shape)
        fc1 = weights[src + names["fc1"]]
        if tuple(fc1.shape) != (2 * shape.intermediate_size, shape.hidden_size):
            raise MappingError(
                f"layer {i}: linear_fc1 has shape {tuple(fc1.shape)}, "
                f"expected {(2 * shape.intermediate_size, shape.hidden_size)}"
            )
        hf[dst + HF_GATE], hf[dst + HF_UP] = (half.clone() for half in fc1.chunk(2, dim=0))
    return hf


# -- tensor / pipeline shards --------------------------------------------------------------------
def _role(name: str, names: dict[str, str]) -> tuple[int, str] | None:
    """(global layer, role) of a decoder-layer weight; None for embedding / final norm / output."""
    if not name.startswith(LAYER_PREFIX):
        return None
    index, _, rest = name[len(LAYER_PREFIX) :].partition(".")
    for role, local in names.items():
        if rest == local:
            return int(index), role
    raise MappingError(f"{name}: not a weight of a Llama decoder layer")


def _split_tp(tensor: torch.Tensor, role: str, tp: int, rank: int) -> torch.Tensor:
    dim = TP_DIM[role]
    if dim is None or tp == 1:
        return tensor
    if tensor.shape[dim] % tp:
        raise MappingError(f"{role} dimension {dim} of size {tensor.shape[dim]} does not split over tp={tp}")
    if role == "fc1":  # each rank: [its gate rows; its up rows]
        gate, up = tensor.chunk(2, dim=0)
        return torch.cat([gate.chunk(tp, dim=0)[rank], up.chunk(tp, dim=0)[rank]], dim=0).clone()
    return tensor.chunk(tp, dim=dim)[rank].clone()


def _merge_tp(parts: list[torch.Tensor], role: str) -> torch.Tensor:
    dim = TP_DIM[role]
    if dim is None or len(parts) == 1:
        for other in parts[1:]:
            if not torch.equal(other, parts[0]):
                raise MappingError(f"replicated {role} weights differ between tensor-parallel ranks")
        return parts[0]
    if role == "fc1":
        halves = [p.chunk(2, dim=0) for p in parts]
        return torch.cat([torch.cat([h[0] for h in halves]), torch.cat([h[1] for h in halves])], dim=0)
    return torch.cat(parts, dim=dim)


def layers_of_stage(shape: LlamaShape, pp: int, stage: int) -> range:
    per = shape.num_layers // pp
    return range(stage * per, (stage + 1) * per)


def shard(
    full: Mapping[str, torch.Tensor],
    shape: LlamaShape,
    layout: str,
    tp: int,
    tp_rank: int,
    pp: int,
    pp_rank: int,
) -> dict[str, torch.Tensor]:
    """What the GPTModel of tensor rank ``tp_rank`` in pipeline stage ``pp_rank`` holds."""
    names = _check_layout_name(layout)
    layers = layers_of_stage(shape, pp, pp_rank)
    first, last = pp_rank == 0, pp_rank == pp - 1
    out: dict[str, torch.Tensor] = {}
    for name, tensor in weights_only(full).items():
        found = _role(name, names)
        if found is None:
            if name not in WHOLE_MODEL_ROLES:
                raise MappingError(f"{name}: not a weight of a Llama GPTModel")
            if (name == EMBEDDING and first) or (name != EMBEDDING and last):
                out[name] = _split_tp(tensor, WHOLE_MODEL_ROLES[name], tp, tp_rank)
            continue
        layer, role = found
        if layer in layers:
            local = f"{LAYER_PREFIX}{layer - layers.start}.{names[role]}"
            out[local] = _split_tp(tensor, role, tp, tp_rank)
    if shape.tie_embeddings and last and not first:  # the last stage's copy of the shared embedding
        out[OUTPUT] = _split_tp(full[EMBEDDING], "output", tp, tp_rank)
    return out


def merge(
    shards: Mapping[tuple[int, int], Mapping[str, torch.Tensor]],
    shape: LlamaShape,
    layout: str,
    tp: int,
    pp: int,
) -> dict[str, torch.Tensor]:
    """The whole model's state dict from every (tp_rank, pp_rank)'s state dict."""
    names = _check_layout_name(layout)
    missing = [(t, p) for t in range(tp) for p in range(pp) if (t, p) not in shards]
    if missing:
        raise MappingError(f"shards of (tp_rank, pp_rank) {missing} are missing")
    gathered: dict[str, list[torch.Tensor]] = {}
    roles: dict[str, str] = {}
    for p in range(pp):
        offset = layers_of_stage(shape, pp, p).start
        for t in range(tp):
            for name, tensor in weights_only(shards[(t, p)]).items():
                if name == OUTPUT and shape.tie_embeddings:
                    continue  # a pipeline copy of the embedding, which the first stage holds
                found = _role(name, names)
                if found is None:
                    if name not in WHOLE_MODEL_ROLES:
                        raise MappingError(f"{name}: not a weight of a Llama GPTModel")
                    full_name = name
                    roles[full_name] = WHOLE_MODEL_ROLES[name]
                else:
                    layer, role = found
                    full_name = f"{LAYER_PREFIX}{layer + offset}.{names[role]}"
                    roles[full_name] = role
                gathered.setdefault(full_name, []).append(tensor)
    return {name: _merge_tp(parts, roles[name]) for name, parts in gathered.items()}

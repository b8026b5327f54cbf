"""The torch backend: an HF Llama run by our own slot-based decode loop (CPU or GPU).

We keep HF's modules (embedding, projections, RMSNorm, rotary, MLP activation) and their
weights, and only replace the attention bookkeeping: a static KV cache of ``max_slots`` rows x
``max_len`` positions per layer, where every row has its own length. One decode step feeds one
token per row at that row's position, so sequences that joined at different times share a batch
(continuous batching) without padding the prompts together.

LoRA is applied per row (S-LoRA / Punica style): every target projection has a stacked bank of
adapters ``A [n+1, in, R]``, ``B [n+1, R, out]`` (index 0 = no adapter, zeros; ranks padded to the
largest with zeros, which is exact), and a step gathers each row's pair. One batch can mix the
base model and any adapters.

On CUDA the decode step can be captured in CUDA graphs per (batch bucket, context bucket), and
optionally compiled with torch.compile first, removing the per-kernel launch cost that dominates
small-batch decoding.

Inside a graph what is left is the number of dependent kernels per layer (~3 us each on an H100/
H200 whatever their size; ~50 per layer through HF's modules). The fused path (default) runs each
layer as one QKV GEMM, one gate+up GEMM, a fused RMSNorm, RoPE on Q and K together and a small
decode attention; the original projections are re-pointed at slices of the fused weights, so no
memory is duplicated. ``fused=False`` keeps HF's modules: the reference the tests compare against.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from infer.lora import MODULES, LoraAdapter

log = logging.getLogger("pipeline.infer")
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class ModelFilesError(ValueError):
    """A model folder that is not a loadable HF Llama checkpoint."""


class TorchLogits:
    def __init__(self, logits: torch.Tensor, ids: torch.Tensor | None = None):
        self.logits, self._ids, self._ids_np = logits, ids, None

    def argmax(self) -> np.ndarray:
        if self._ids_np is None:
            ids = self._ids if self._ids is not None else self.logits.argmax(dim=-1)
            self._ids_np = ids.cpu().numpy()
        return self._ids_np

    def row(self, index: int) -> np.ndarray:
        return self.logits[index].float().cpu().numpy()


def load_llama(folder: Path, dtype: torch.dtype, device: torch.device):
    from transformers import AutoConfig, LlamaForCausalLM

    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise ModelFilesError(f"{folder}: no config.json (need an HF Llama folder)")
    config = AutoConfig.from_pretrained(str(folder))
    if config.model_type != "llama":
        raise ModelFilesError(f"{folder}: model_type '{config.model_type}' is not supported (Llama only)")
    try:
        model = LlamaForCausalLM.from_pretrained(str(folder), dtype=dtype, attn_implementation="sdpa")
    except (OSError, ValueError) as err:
        raise ModelFilesError(f"{folder}: cannot load the weights ({str(err).splitlines()[0]})") from None
    return model.to(device).eval()


class TorchRunner:
    def __init__(self, model_dir, adapters: list[LoraAdapter], max_slots: int = 16,
                 max_len: int | None = None, device: str = "auto", dtype: str = "auto",
                 cuda_graphs: bool | None = None, compile: bool = False, threads: int = 0, fused: bool = True):
        if threads > 0:
            torch.set_num_threads(threads)
        self.device = torch.device("cuda" if device == "auto" and torch.cuda.is_available()
                                   else "cpu" if device == "auto" else device)
        on_gpu = self.device.type == "cuda"
        self.dtype = {"auto": torch.bfloat16 if on_gpu else torch.float32, "fp32": torch.float32,
                      "float32": torch.float32, "bf16": torch.bfloat16, "bfloat16": torch.bfloat16,
                      "fp16": torch.float16, "float16": torch.float16}[dtype]
        if isinstance(model_dir, (str, Path)):
            self.model = load_llama(model_dir, self.dtype, self.device)
        else:  # an already loaded LlamaForCausalLM (benchmarks build random ones in memory)
            self.model = model_dir.to(device=self.device, dtype=self.dtype).eval()
        config = self.model.config
        self.layers = self.model.model.layers
        self.heads, self.kv_heads = config.num_attention_heads, config.num_key_value_heads
        self.head_dim = getattr(config, "head_dim", None) or config.hidden_size // self.heads
        self.scale = 1.0 / math.sqrt(self.head_dim)
        self.max_slots = max_slots
        self.max_len = min(max_len or config.max_position_embeddings, config.max_position_embeddings)
        shape = (max_slots, self.kv_heads, self.max_len, self.head_dim)
        self.k = [torch.zeros(shape, dtype=self.dtype, device=self.device) for _ in self.layers]
        self.v = [torch.zeros(shape, dtype=self.dtype, device=self.device) for _ in self.layers]
        self.bank = self._build_bank(adapters)
        self._apply_rope = _rope_function()
        from transformers.models.llama.modeling_llama import rotate_half

        self._rotate_half = rotate_half  # HF's own, so the fused RoPE cannot drift from apply_rotary_pos_emb
        self.fused = _fuse_layers(self.layers) if fused else None
        if fused and self.fused is None:
            log.info("infer: projections with biases: the fused layer path is off, HF's modules run")
        if compile:
            # dynamic=False compiles one graph per (batch bucket, context bucket, LoRA) key; dynamo's
            # default limit of 8 recompiles per function fell back to eager past it (H200, 2026-12-05:
            # 49 ms per token instead of ~1 ms), so the limit covers every key this runner can meet
            import torch._dynamo.config as dynamo_config

            widths = len({_context_bucket(n, self.max_len) for n in range(1, self.max_len + 1)})
            keys = len({min(b, max_slots) for b in _BATCH_BUCKETS}) * widths * 2
            dynamo_config.recompile_limit = max(dynamo_config.recompile_limit, keys)
            dynamo_config.accumulated_recompile_limit = max(dynamo_config.accumulated_recompile_limit, 4 * keys)
        self._step = torch.compile(self._decode_static, dynamic=False) if compile else self._decode_static
        # On CPU, cuda_graphs=True runs the same fixed-shape step the graphs capture, uncaptured
        # (tests check that path's padding rows and context buckets there).
        self.graphs_enabled = on_gpu if cuda_graphs is None else bool(cuda_graphs)
        self._graphs: dict[tuple[int, int], tuple] = {}
        self._static: dict[str, torch.Tensor] = {}
        log.info("infer: torch runner on %s (%s), %d slots x %d tokens, %d adapter(s), cuda graphs %s%s%s",
                 self.device, str(self.dtype).removeprefix("torch."), max_slots, self.max_len, len(adapters),
                 "on" if self.graphs_enabled else "off", ", torch.compile" if compile else "",
                 ", fused layers" if self.fused else "")

    # --- adapters ---------------------------------------------------------------------------
    def _build_bank(self, adapters: list[LoraAdapter]) -> dict[tuple[int, str], tuple[torch.Tensor, torch.Tensor]]:
        """(layer, module) -> stacked (A [n+1, in, R], B [n+1, R, out]); row 0 is the base model."""
        if not adapters:
            return {}
        rank = max(a.max_rank for a in adapters)
        bank = {}
        for layer_index, layer in enumerate(self.layers):
            for name in MODULES:
                used = [a.weights.get((layer_index, name)) for a in adapters]
                if all(pair is None for pair in used):
                    continue
                linear = _projection(layer, name)
                a_stack = torch.zeros(len(adapters) + 1, linear.in_features, rank, dtype=self.dtype)
                b_stack = torch.zeros(len(adapters) + 1, rank, linear.out_features, dtype=self.dtype)
                for index, pair in enumerate(used, start=1):
                    if pair is None:
                        continue
                    a, b = pair
                    if a.shape[0] != linear.in_features or b.shape[1] != linear.out_features:
                        raise ModelFilesError(
                            f"adapter '{adapters[index - 1].name}' layer {layer_index} {name}: shape "
                            f"{a.shape[0]}x{b.shape[1]} does not match the model's {linear.in_features}x{linear.out_features}")
                    a_stack[index, :, : a.shape[1]] = torch.from_numpy(a)
                    b_stack[index, : b.shape[0]] = torch.from_numpy(b)
                bank[(layer_index, name)] = (a_stack.to(self.device), b_stack.to(self.device))
        return bank

    def _lora_rows(self, adapters: torch.Tensor | None, uniform: int | None):
        """Per-step LoRA operands: None (base only), one shared pair, or gathered per row."""
        if not self.bank or (uniform == 0):
            return None
        if uniform is not None:
            return {key: (a[uniform], b[uniform]) for key, (a, b) in self.bank.items()}
        return {key: (a.index_select(0, adapters), b.index_select(0, adapters)) for key, (a, b) in self.bank.items()}

    # --- the model ---------------------------------------------------------------------------
    def _forward(self, ids: torch.Tensor, positions: torch.Tensor, rows: torch.Tensor | int,
                 write_at: torch.Tensor | None, mask: torch.Tensor, width: int, lora) -> torch.Tensor:
        """Logits of the last position of each row. ``rows`` is a slot (prefill) or slots 0..B-1."""
        if self.fused is not None:
            return self._forward_fused(ids, positions, rows, write_at, mask, width, lora)
        batch, length = ids.shape
        hidden = self.model.model.embed_tokens(ids)
        cos, sin = self.model.model.rotary_emb(hidden, positions)
        for index, layer in enumerate(self.layers):
            attn = layer.self_attn
            x = layer.input_layernorm(hidden)
            q = self._linear(x, attn.q_proj, lora, index, "q_proj").view(batch, length, self.heads, self.head_dim)
            k = self._linear(x, attn.k_proj, lora, index, "k_proj").view(batch, length, self.kv_heads, self.head_dim)
            v = self._linear(x, attn.v_proj, lora, index, "v_proj").view(batch, length, self.kv_heads, self.head_dim)
            q, k = self._apply_rope(q.transpose(1, 2), k.transpose(1, 2), cos, sin)
            v = v.transpose(1, 2)
            if isinstance(rows, int):  # prefill of one row: positions 0..length-1
                self.k[index][rows, :, :length] = k[0]
                self.v[index][rows, :, :length] = v[0]
                keys, values = k, v
            else:
                self.k[index][rows, :, write_at] = k[:, :, 0]
                self.v[index][rows, :, write_at] = v[:, :, 0]
                keys, values = self.k[index][:batch, :, :width], self.v[index][:batch, :, :width]
            out = F.scaled_dot_product_attention(q, keys, values, attn_mask=mask, scale=self.scale, enable_gqa=True)
            out = out.transpose(1, 2).reshape(batch, length, self.heads * self.head_dim)
            hidden = hidden + self._linear(out, attn.o_proj, lora, index, "o_proj")
            x = layer.post_attention_layernorm(hidden)
            mlp = layer.mlp
            gated = mlp.act_fn(self._linear(x, mlp.gate_proj, lora, index, "gate_proj")) * \
                self._linear(x, mlp.up_proj, lora, index, "up_proj")
            hidden = hidden + self._linear(gated, mlp.down_proj, lora, index, "down_proj")
        return self.model.lm_head(self.model.model.norm(hidden[:, -1]))

    def _forward_fused(self, ids, positions, rows, write_at, mask, width, lora) -> torch.Tensor:
        """``_forward`` with fused kernels (see the module's docstring); same arguments, same logits."""
        batch, length = ids.shape
        heads, kv_heads, dim = self.heads, self.kv_heads, self.head_dim
        hidden = self.model.model.embed_tokens(ids)
        cos, sin = self.model.model.rotary_emb(hidden, positions)
        cos, sin = cos[:, :, None], sin[:, :, None]  # [B, L, 1, D]: one rotation for every Q and K head
        decode = not isinstance(rows, int)
        # additive mask for the decode attention below (prefill keeps SDPA's boolean causal mask)
        bias = torch.zeros(mask.shape, dtype=hidden.dtype, device=hidden.device).masked_fill_(~mask, float("-inf")) \
            if decode else None
        for index, w in enumerate(self.fused):
            x = F.rms_norm(hidden, w.norm_shape, w.norm1, w.eps1)
            qkv = _lora_into(F.linear(x, w.qkv), x, lora, index, w.qkv_slices)
            qk = qkv[..., : (heads + kv_heads) * dim].view(batch, length, heads + kv_heads, dim)
            qk = qk * cos + self._rotate_half(qk) * sin
            q, k = qk[:, :, :heads].transpose(1, 2), qk[:, :, heads:].transpose(1, 2)
            v = qkv[..., (heads + kv_heads) * dim:].view(batch, length, kv_heads, dim).transpose(1, 2)
            if decode:
                self.k[index][rows, :, write_at] = k[:, :, 0]
                self.v[index][rows, :, write_at] = v[:, :, 0]
                out = self._decode_attention(q, self.k[index][:batch, :, :width], self.v[index][:batch, :, :width], bias)
            else:
                self.k[index][rows, :, :length] = k[0]
                self.v[index][rows, :, :length] = v[0]
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.scale, enable_gqa=True)
                out = out.transpose(1, 2).reshape(batch, length, heads * dim)
            hidden = hidden + _lora_into(F.linear(out, w.o), out, lora, index, w.o_slices)
            x = F.rms_norm(hidden, w.norm_shape, w.norm2, w.eps2)
            gate, up = _lora_into(F.linear(x, w.gate_up), x, lora, index, w.gate_up_slices).chunk(2, dim=-1)
            gated = F.silu(gate) * up
            hidden = hidden + _lora_into(F.linear(gated, w.down), gated, lora, index, w.down_slices)
        return self.model.lm_head(self.model.model.norm(hidden[:, -1]))

    def _decode_attention(self, q, keys, values, bias) -> torch.Tensor:
        """One new query per row: q [B, H, 1, D], keys/values [B, KV, W, D] -> [B, 1, H*D].

        Query heads are grouped by their KV head (HF's repeat_kv order), so GQA needs no copy of the
        cache; a few GEMM/softmax kernels instead of SDPA's generic masked path."""
        batch, group = q.shape[0], self.heads // self.kv_heads
        q = q.reshape(batch, self.kv_heads, group, self.head_dim)
        scores = torch.matmul(q, keys.transpose(-1, -2)).mul_(self.scale).add_(bias)  # [B, KV, G, W]
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(values.dtype)
        return torch.matmul(probs, values).reshape(batch, 1, self.heads * self.head_dim)

    @staticmethod
    def _linear(x: torch.Tensor, linear, lora, layer: int, name: str) -> torch.Tensor:
        y = linear(x)
        pair = lora.get((layer, name)) if lora else None
        if pair is None:
            return y
        a, b = pair
        return y + torch.matmul(torch.matmul(x, a), b)

    @torch.inference_mode()
    def prefill(self, slot: int, token_ids: list[int], adapter: int) -> TorchLogits:
        length = len(token_ids)
        ids = torch.tensor([token_ids], dtype=torch.long, device=self.device)
        positions = torch.arange(length, device=self.device)[None]
        causal = torch.ones(length, length, dtype=torch.bool, device=self.device).tril()[None, None]
        lora = self._lora_rows(None, adapter)
        return TorchLogits(self._forward(ids, positions, slot, None, causal, length, lora))

    @torch.inference_mode()
    def decode(self, tokens: list[int], lengths: list[int], adapters: list[int]) -> TorchLogits:
        batch = len(tokens)
        if self.graphs_enabled:
            return self._decode_graph(tokens, lengths, adapters)
        ids = torch.tensor(tokens, dtype=torch.long, device=self.device)[:, None]
        at = torch.tensor(lengths, dtype=torch.long, device=self.device)
        width = max(lengths) + 1
        uniform = adapters[0] if len(set(adapters)) == 1 else None
        index = torch.tensor(adapters, dtype=torch.long, device=self.device)
        logits = self._forward(ids, at[:, None], torch.arange(batch, device=self.device), at,
                               _decode_mask(at, width), width, self._lora_rows(index, uniform))
        return TorchLogits(logits)

    def _decode_static(self, ids, at, adapters, width: int, use_lora: bool):
        """The graph-capturable step: fixed shapes; LoRA gathered per row, or skipped entirely
        (a separate graph) when every row runs the base model."""
        batch = ids.shape[0]
        lora = self._lora_rows(adapters, None) if use_lora else None
        logits = self._forward(ids[:, None], at[:, None], torch.arange(batch, device=ids.device), at,
                               _decode_mask(at, width), width, lora)
        return logits, logits.argmax(dim=-1)

    def _decode_graph(self, tokens, lengths, adapters) -> TorchLogits:
        batch = len(tokens)
        bucket = next((b for b in _BATCH_BUCKETS if b >= batch), batch)
        bucket = min(bucket, self.max_slots)
        width = _context_bucket(max(lengths) + 1, self.max_len)
        use_lora = bool(self.bank) and any(adapters)
        key = (bucket, width, use_lora)
        if not self._static:
            self._static = {name: torch.zeros(self.max_slots, dtype=torch.long, device=self.device)
                            for name in ("ids", "at", "adapters")}
        for name, values in (("ids", tokens), ("at", lengths), ("adapters", adapters)):
            buffer = self._static[name]
            buffer.zero_()  # rows past the batch: token 0 at position 0 of a free slot, base model
            buffer[:batch].copy_(torch.tensor(values, dtype=torch.long), non_blocking=True)
        if self.device.type != "cuda":
            logits, ids = self._step(self._static["ids"][:bucket], self._static["at"][:bucket],
                                     self._static["adapters"][:bucket], width, use_lora)
            return TorchLogits(logits[:batch], ids[:batch])
        if key not in self._graphs:
            self._graphs[key] = self._capture(bucket, width, use_lora)
        graph, logits, ids = self._graphs[key]
        graph.replay()
        return TorchLogits(logits[:batch], ids[:batch])

    def _capture(self, bucket: int, width: int, use_lora: bool):
        args = (self._static["ids"][:bucket], self._static["at"][:bucket], self._static["adapters"][:bucket], width,
                use_lora)
        stream = torch.cuda.Stream()
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            for _ in range(2):  # warm-up (and compile) outside the graph
                self._step(*args)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            logits, ids = self._step(*args)
        # The warm-up steps wrote this step's K/V at each active row's next position (what the
        # replay below writes again) and position 0 of free slots (overwritten by their prefill).
        log.info("infer: captured a CUDA graph for batch %d x context %d%s", bucket, width, " with LoRA" if use_lora else "")
        return graph, logits, ids

    def move(self, src: int, dst: int, length: int) -> None:
        for cache in (*self.k, *self.v):
            cache[dst, :, :length] = cache[src, :, :length]

    def close(self) -> None:
        self._graphs.clear()
        self.k, self.v = [], []


class _FusedLayer:
    """One decoder layer's weights, fused: QKV and gate+up concatenated along the output rows."""

    def __init__(self, layer):
        attn, mlp = layer.self_attn, layer.mlp
        self.qkv, self.qkv_slices = _fuse(attn, ("q_proj", "k_proj", "v_proj"))
        self.gate_up, self.gate_up_slices = _fuse(mlp, ("gate_proj", "up_proj"))
        self.o, self.down = attn.o_proj.weight, mlp.down_proj.weight
        self.o_slices, self.down_slices = {"o_proj": slice(None)}, {"down_proj": slice(None)}
        self.norm1, self.eps1 = layer.input_layernorm.weight, layer.input_layernorm.variance_epsilon
        self.norm2, self.eps2 = layer.post_attention_layernorm.weight, layer.post_attention_layernorm.variance_epsilon
        self.norm_shape = (self.norm1.shape[0],)


def _fuse_layers(layers) -> list[_FusedLayer] | None:
    projections = [m for layer in layers for m in (*layer.self_attn.children(), *layer.mlp.children())
                   if isinstance(m, torch.nn.Linear)]
    if any(m.bias is not None for m in projections):
        return None
    return [_FusedLayer(layer) for layer in layers]


def _fuse(module, names: tuple[str, ...]) -> tuple[torch.Tensor, dict[str, slice]]:
    """Concatenate the projections' weights and re-point each at its slice (no second copy);
    returns the fused weight and each projection's output columns in it."""
    linears = [getattr(module, name) for name in names]
    fused = torch.cat([m.weight.detach() for m in linears])
    slices, start = {}, 0
    for name, m in zip(names, linears):
        rows = m.weight.shape[0]
        slices[name] = slice(start, start + rows)
        m.weight = torch.nn.Parameter(fused[slices[name]], requires_grad=False)
        start += rows
    return fused, slices


def _lora_into(y: torch.Tensor, x: torch.Tensor, lora, layer: int, slices: dict[str, slice]) -> torch.Tensor:
    """Add each LoRA delta of the fused projection into its output columns (in place)."""
    if not lora:
        return y
    for name, columns in slices.items():
        pair = lora.get((layer, name))
        if pair is not None:
            a, b = pair
            y[..., columns] += torch.matmul(torch.matmul(x, a), b)
    return y


def _decode_mask(at: torch.Tensor, width: int) -> torch.Tensor:
    """[B, 1, 1, width]: row b attends to its cached positions and the new one (0..at[b])."""
    return (torch.arange(width, device=at.device)[None] <= at[:, None])[:, None, None]


def _context_bucket(needed: int, max_len: int) -> int:
    width = 256
    while width < needed:
        width *= 2
    return min(width, max_len)


def _projection(layer, name: str):
    return getattr(layer.self_attn if name in ("q_proj", "k_proj", "v_proj", "o_proj") else layer.mlp, name)


def _rope_function():
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    return apply_rotary_pos_emb

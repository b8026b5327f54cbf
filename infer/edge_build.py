"""Build the edge engine: HF -> ONNX with onnxruntime-genai's model builder, plus LoRA inputs.

Our analogue of TensorRT Edge-LLM's HF -> ONNX -> engine flow. The builder writes an
onnxruntime-genai model folder (model.onnx + external weights, genai_config.json, tokenizer).
For LoRA we then add, to every projection any adapter targets, a side path
``y += (x @ A) @ B`` whose ``A``/``B`` are *overridable initializers*: graph inputs with zero
defaults, so the graph alone is the base model, onnxruntime-genai switches adapters at run time
from ``.onnx_adapter`` files (``Adapters.load`` + ``set_active_adapter``), and our runtime can
feed a different adapter to every row of a batch. Ranks are padded to the largest adapter's
with zeros (exact). The builder fuses q/k/v into one ``qkv_proj`` MatMul; the adapters of the
three are placed side by side in A and block-diagonally in B, which equals three separate updates.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from infer.lora import LoraAdapter

log = logging.getLogger("pipeline.infer")
_TARGET = re.compile(r"^/model/layers\.(\d+)/(?:attn|mlp)/(\w+)/MatMul(?:_Q4|_Q8)?$")


class EdgeBuildError(RuntimeError):
    """The model builder failed, or its graph is not the shape we expected."""


@dataclass(frozen=True)
class Projection:
    """One MatMul of the ONNX graph: its HF sub-projections and where each sits in the output."""

    layer: int
    name: str  # the graph's name: q_proj ... or fused qkv_proj
    in_features: int
    parts: tuple[tuple[str, int, int], ...]  # (hf module, output offset, width)

    @property
    def out_features(self) -> int:
        return sum(width for _, _, width in self.parts)


def run_builder(hf_dir: Path, out_dir: Path, precision: str, cache_dir: Path, extra: dict[str, str] | None = None,
                timeout: int = 3600) -> float:
    """``python -m onnxruntime_genai.models.builder`` in a subprocess; returns seconds taken."""
    import time

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # the cache lives in the stage's work dir, which survives a killed attempt: a half-written cache
    # from one made the re-run build a different model.onnx (seen once in the kill -9 contract test)
    shutil.rmtree(cache_dir, ignore_errors=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir), "-o", str(out_dir),
               "-p", precision, "-e", "cpu", "-c", str(cache_dir)]
    if extra:
        command += ["--extra_options", *(f"{k}={v}" for k, v in extra.items())]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    started = time.perf_counter()
    proc = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0 or not (out_dir / "genai_config.json").is_file():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise EdgeBuildError(f"onnxruntime-genai model builder failed for {precision}: {tail[0][:400]}")
    shutil.rmtree(cache_dir, ignore_errors=True)
    return time.perf_counter() - started


def projections(hf_config: dict, graph_names: set[str]) -> dict[tuple[int, str], Projection]:
    """The LoRA-able MatMuls of the graph, keyed by (layer, graph name)."""
    hidden = hf_config["hidden_size"]
    heads, kv_heads = hf_config["num_attention_heads"], hf_config["num_key_value_heads"]
    head_dim = hf_config.get("head_dim") or hidden // heads
    inter = hf_config["intermediate_size"]
    q, kv = heads * head_dim, kv_heads * head_dim
    shapes = {
        "q_proj": (hidden, (("q_proj", 0, q),)), "k_proj": (hidden, (("k_proj", 0, kv),)),
        "v_proj": (hidden, (("v_proj", 0, kv),)), "o_proj": (q, (("o_proj", 0, hidden),)),
        "qkv_proj": (hidden, (("q_proj", 0, q), ("k_proj", q, kv), ("v_proj", q + kv, kv))),
        "gate_proj": (hidden, (("gate_proj", 0, inter),)), "up_proj": (hidden, (("up_proj", 0, inter),)),
        "gate_up_proj": (hidden, (("gate_proj", 0, inter), ("up_proj", inter, inter))),
        "down_proj": (inter, (("down_proj", 0, hidden),)),
    }
    found = {}
    for node_name in graph_names:
        match = _TARGET.match(node_name)
        if match and match[2] in shapes:
            layer, name = int(match[1]), match[2]
            in_features, parts = shapes[name]
            found[(layer, name)] = Projection(layer, name, in_features, parts)
    return found


def lora_input_names(projection: Projection) -> tuple[str, str]:
    prefix = f"lora.layers.{projection.layer}.{projection.name}"
    return f"{prefix}.A", f"{prefix}.B"


def add_lora_inputs(model_dir: Path, hf_config: dict, adapters: list[LoraAdapter]) -> dict[str, tuple]:
    """Insert the LoRA side paths into ``model_dir``'s graph; returns {input name: shape}."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    config = json.loads((model_dir / "genai_config.json").read_text())
    model_path = model_dir / config["model"]["decoder"]["filename"]
    model = onnx.load(str(model_path), load_external_data=False)
    graph = model.graph
    nodes = {}
    for node in graph.node:
        match = _TARGET.match(node.name)
        if match:
            nodes[(int(match[1]), match[2])] = node
    targeted = {(layer, module) for a in adapters for (layer, module) in a.weights}
    rank = max(a.max_rank for a in adapters)
    shapes: dict[str, tuple] = {}
    for (layer, name), proj in sorted(projections(hf_config, {n.name for n in nodes.values()}).items()):
        if not any((layer, part[0]) in targeted for part in proj.parts):
            continue
        node = nodes[(layer, name)]
        a_name, b_name = lora_input_names(proj)
        width = rank * len(proj.parts)  # one rank block per sub-projection (block-diagonal B)
        a_shape, b_shape = (proj.in_features, width), (width, proj.out_features)
        graph.initializer.extend([numpy_helper.from_array(np.zeros(a_shape, np.float32), a_name),
                                  numpy_helper.from_array(np.zeros(b_shape, np.float32), b_name)])
        # no declared shape: the runtime may feed [rows, in, width] (one adapter per batch row)
        graph.input.extend([helper.make_tensor_value_info(a_name, TensorProto.FLOAT, None),
                            helper.make_tensor_value_info(b_name, TensorProto.FLOAT, None)])
        output = node.output[0]
        node.output[0] = f"{output}/base"
        prefix = f"/model/layers.{layer}/{name}/lora"
        new = [helper.make_node("MatMul", [node.input[0], a_name], [f"{prefix}/A/output_0"], name=f"{prefix}/A"),
               helper.make_node("MatMul", [f"{prefix}/A/output_0", b_name], [f"{prefix}/B/output_0"], name=f"{prefix}/B"),
               helper.make_node("Add", [f"{output}/base", f"{prefix}/B/output_0"], [output], name=f"{prefix}/Add")]
        position = list(graph.node).index(node)
        for offset, extra in enumerate(new, start=1):
            graph.node.insert(position + offset, extra)
        shapes[a_name], shapes[b_name] = a_shape, b_shape
    if not shapes:
        raise EdgeBuildError(f"{model_path}: no projection in the graph matches the adapters' targets")
    onnx.save(model, str(model_path))  # weights stay in the builder's external data file
    return shapes


def adapter_parameters(adapter: LoraAdapter, hf_config: dict, input_shapes: dict[str, tuple],
                       graph_projections: dict[tuple[int, str], Projection]) -> dict[str, np.ndarray]:
    """One adapter's values for every LoRA input of the graph (zeros where it does not apply)."""
    values = {}
    for (layer, name), proj in sorted(graph_projections.items()):  # sorted: byte-identical files
        a_name, b_name = lora_input_names(proj)
        if a_name not in input_shapes:
            continue
        a_full, b_full = np.zeros(input_shapes[a_name], np.float32), np.zeros(input_shapes[b_name], np.float32)
        block = input_shapes[a_name][1] // len(proj.parts)
        for index, (module, offset, width) in enumerate(proj.parts):
            pair = adapter.weights.get((layer, module))
            if pair is None:
                continue
            a, b = pair
            r = a.shape[1]
            a_full[:, index * block:index * block + r] = a
            b_full[index * block:index * block + r, offset:offset + width] = b
        values[a_name], values[b_name] = a_full, b_full
    return values


def write_onnx_adapter(values: dict[str, np.ndarray], path: Path) -> None:
    import onnxruntime as ort

    path.parent.mkdir(parents=True, exist_ok=True)
    adapter = ort.AdapterFormat()
    adapter.set_adapter_version(1)
    adapter.set_model_version(1)
    adapter.set_parameters({name: ort.OrtValue.ortvalue_from_numpy(values[name]) for name in sorted(values)})
    adapter.export_adapter(str(path))


def set_stop_tokens(model_dir: Path, stop_ids: list[int]) -> None:
    """Stop onnxruntime-genai apps at the chat turn end too, as our runtime does."""
    path = model_dir / "genai_config.json"
    config = json.loads(path.read_text())
    config["model"]["eos_token_id"] = stop_ids if len(stop_ids) > 1 else stop_ids[0]
    path.write_text(json.dumps(config, indent=4) + "\n")


def build_edge(hf_dir: Path, out_dir: Path, precision: str, adapters: list[LoraAdapter], work_dir: Path,
               stop_ids: list[int]) -> dict:
    """One precision's edge folder with ``adapters/<name>.onnx_adapter``; returns what it made."""
    hf_config = json.loads((hf_dir / "config.json").read_text())
    seconds = run_builder(hf_dir, out_dir, precision, work_dir / f"builder-cache-{precision}")
    info: dict = {"path": out_dir, "build_s": round(seconds, 2), "adapters": {}}
    if adapters:
        shapes = add_lora_inputs(out_dir, hf_config, adapters)
        import onnx

        graph = onnx.load(str(out_dir / "model.onnx"), load_external_data=False).graph
        graph_proj = projections(hf_config, {n.name for n in graph.node})
        for adapter in adapters:
            path = out_dir / "adapters" / f"{adapter.name}.onnx_adapter"
            write_onnx_adapter(adapter_parameters(adapter, hf_config, shapes, graph_proj), path)
            info["adapters"][adapter.name] = path
        info["lora_inputs"] = len(shapes)
    if stop_ids:
        set_stop_tokens(out_dir, stop_ids)
    log.info("export: edge %s model built in %.1f s (%d adapter(s))", precision, seconds, len(adapters))
    return info

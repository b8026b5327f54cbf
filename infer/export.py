"""The export stage's logic: customize's model + adapters -> one deployable bundle with parity.

Bundle layout (``bundle/``, self-contained; ``bundle.json`` indexes it with file digests):
  hf/base, hf/adapters/<name>, hf/merged/<name>  the HF checkpoint, PEFT adapters, merged variants
  trtllm/llm_api.yaml, trtllm/launch.sh          TensorRT-LLM (PyTorch backend) options + command
  edge/<fp32|int4>/ (+ adapters/*.onnx_adapter)  onnxruntime-genai models with run-time LoRA
  quant/<fp8|int8_wo|int4_awq>/                  nvidia-modelopt HF checkpoints
Expensive steps are built in the work folder with ``kit.resumable`` (reused after a kill while
their inputs are unchanged) and hard-linked into the bundle.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline import kit

log = logging.getLogger("pipeline.infer")


class ExportInputError(RuntimeError):
    """The upstream model or adapters cannot be exported (missing files, unsupported LoRA)."""


class ParityFailure(RuntimeError):
    """An exported runtime does not reproduce the HF reference."""


@dataclass
class ExportInputs:
    base: Path
    adapters: dict[str, Path]
    merged: dict[str, Path] = field(default_factory=dict)
    lora_meta: dict = field(default_factory=dict)
    train_data: Path | None = None
    train_tokenizer: Path | None = None
    model_name: str = "model"
    stamp: str = ""  # identity of the inputs (upstream content digest): resumable steps key on it


def run_export(inputs: ExportInputs, cfg, bundle: Path, work: Path) -> tuple[dict, dict, dict]:
    """Make the bundle; returns (metrics, parity, timings)."""
    from infer.bundle import write_index
    from infer.lora import AdapterError, read_adapter
    from infer.textio import Codec, TokenizerFilesError

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    try:
        codec = Codec(inputs.base)
        adapters = [read_adapter(path, name) for name, path in inputs.adapters.items()]
    except (TokenizerFilesError, AdapterError) as err:
        raise ExportInputError(str(err)) from None
    hf_config = _read_config(inputs.base)
    _check_adapters(adapters, hf_config)
    layout: dict = {"model_name": inputs.model_name, "adapters": [a.name for a in adapters],
                    "stop_token_ids": codec.stop_ids, "chat_template": bool(codec.chat_template)}
    layout["hf"] = _publish_hf(inputs, cfg, bundle, work, adapters)
    timings["hf_s"] = _lap(clock)

    layout["edge"] = {}
    for precision in cfg.edge.precisions:
        started = time.perf_counter()
        layout["edge"][precision] = _edge(inputs, precision, bundle, work, adapters, codec)
        timings[f"edge_{precision}_s"] = round(time.perf_counter() - started, 2)

    calib = heldout = None
    quant_result: dict = {}
    try:
        calib, heldout, quant_result["text_source"] = _curated_rows(inputs, cfg, codec, hf_config)
    except ExportInputError as err:
        if cfg.quant.formats:  # calibration needs the text; perplexity alone can do without
            raise
        quant_result["text_source"] = f"none: {err}"
    if cfg.quant.formats:
        started = time.perf_counter()
        quant_result.update(_quantize(inputs, cfg, bundle, work, calib, heldout, hf_config))
        timings["quant_s"] = round(time.perf_counter() - started, 2)
    (bundle / "quant").mkdir(parents=True, exist_ok=True)
    layout["quant"] = {name: f"quant/{name}" for name in cfg.quant.formats}

    layout["trtllm"] = _trtllm(cfg, bundle, layout, adapters, hf_config)
    write_index(bundle, layout)
    clock = time.perf_counter()

    parity = _parity(bundle, cfg, inputs, codec, adapters, heldout, quant_result)
    timings["parity_s"] = _lap(clock)
    from infer import trtllm

    started = time.perf_counter()
    layout["trtllm"]["validation"] = trtllm.validate(bundle, layout["trtllm"]["llm_api"],
                                                     layout["trtllm"]["lora_paths"], cfg.trtllm.validate)
    timings["trtllm_validate_s"] = round(time.perf_counter() - started, 2)
    metrics = _metrics(bundle, layout, adapters, inputs, quant_result, parity)
    return metrics, parity, timings


def _lap(since: float) -> float:
    return round(time.perf_counter() - since, 2)


def _read_config(folder: Path) -> dict:
    path = folder / "config.json"
    if not path.is_file():
        raise ExportInputError(f"{folder}: no config.json (the base must be an HF Llama folder)")
    config = json.loads(path.read_text())
    if config.get("model_type") != "llama":
        raise ExportInputError(f"{path}: model_type '{config.get('model_type')}' is not Llama")
    return config


def _check_adapters(adapters, hf_config: dict) -> None:
    layers = hf_config["num_hidden_layers"]
    for adapter in adapters:
        deep = [layer for layer, _ in adapter.weights if layer >= layers]
        if deep:
            raise ExportInputError(f"adapter '{adapter.name}' has weights for layer {max(deep)} but the base has {layers} layers")


def _publish_hf(inputs: ExportInputs, cfg, bundle: Path, work: Path, adapters) -> dict:
    hf = bundle / "hf"
    kit.publish_tree(inputs.base, hf / "base")
    for name, path in inputs.adapters.items():
        kit.publish_tree(path, hf / "adapters" / name)
    merged = dict(inputs.merged)
    if cfg.merge:
        from infer.merge import merge_adapter

        for adapter in adapters:
            if adapter.name not in merged:
                folder = work / f"merged-{adapter.name}"
                kit.resumable(folder, {"inputs": inputs.stamp, "adapter": adapter.name},
                              lambda out, a=adapter: merge_adapter(inputs.base, a, out))
                merged[adapter.name] = folder
    for name, path in merged.items():
        kit.publish_tree(path, hf / "merged" / name)
    return {"base": "hf/base", "adapters": {n: f"hf/adapters/{n}" for n in inputs.adapters},
            "merged": {n: f"hf/merged/{n}" for n in merged}}


def _edge(inputs: ExportInputs, precision: str, bundle: Path, work: Path, adapters, codec) -> dict:
    from infer.edge_build import EdgeBuildError, build_edge

    folder = work / f"edge-{precision}"
    try:
        reused = kit.resumable(folder, {"inputs": inputs.stamp, "precision": precision},
                               lambda out: build_edge(inputs.base, out, precision, adapters, work, codec.stop_ids))
    except EdgeBuildError as err:
        raise ExportInputError(str(err)) from None
    if reused:
        log.info("export: reusing the edge %s model of an earlier attempt", precision)
    kit.publish_tree(folder, bundle / "edge" / precision)
    files = {a.name: f"edge/{precision}/adapters/{a.name}.onnx_adapter" for a in adapters}
    return {"path": f"edge/{precision}", "adapters": files}


def _curated_rows(inputs: ExportInputs, cfg, codec, hf_config: dict):
    from infer.quantize import HeldoutError, rows_from_text, rows_from_train

    q = cfg.quant
    length = min(q.seq_len, hf_config.get("max_position_embeddings", q.seq_len))
    try:
        if cfg.heldout_text:
            return rows_from_text(Path(cfg.heldout_text), codec, length, q.calib_rows, q.eval_rows)
        if inputs.train_data is None or inputs.train_tokenizer is None:
            raise HeldoutError("no curated text: customize's manifest names no train artifact; set export.heldout_text")
        return rows_from_train(inputs.train_data, inputs.train_tokenizer, codec, length, q.calib_rows, q.eval_rows)
    except HeldoutError as err:
        raise ExportInputError(str(err)) from None


def _quantize(inputs: ExportInputs, cfg, bundle: Path, work: Path, calib, heldout, hf_config: dict) -> dict:
    from infer.quantize import check_formats, quantize

    formats = list(cfg.quant.formats)
    check_formats(formats, hf_config)
    folder = work / "quant"
    stamp = {"inputs": inputs.stamp, "formats": formats, "calib": int(np.asarray(calib).sum()),
             "heldout": int(np.asarray(heldout).sum()), "shape": [list(calib.shape), list(heldout.shape)]}
    kit.resumable(folder, stamp, lambda out: quantize(inputs.base, out / "checkpoints", formats, calib, heldout,
                                                       out / "job", threads=cfg.threads))
    for name in formats:
        kit.publish_tree(folder / "checkpoints" / name, bundle / "quant" / name)
    return json.loads((folder / "job" / "quant_result.json").read_text())


def _trtllm(cfg, bundle: Path, layout: dict, adapters, hf_config: dict) -> dict:
    from infer import trtllm
    from infer.lora import MODULES

    paths = {a.name: layout["hf"]["adapters"][a.name] for a in adapters}
    targets = [m for m in MODULES if any(m in a.target_modules for a in adapters)]
    rank = max((a.max_rank for a in adapters), default=0)
    options = trtllm.llm_options(cfg.trtllm, hf_config.get("max_position_embeddings", 2048), paths, rank, targets)
    info = trtllm.write_bundle_part(bundle / "trtllm", options, paths, list(cfg.quant.formats))
    return {**info, "llm_api": options, "lora_paths": paths}


def _parity(bundle: Path, cfg, inputs: ExportInputs, codec, adapters, heldout, quant_result: dict) -> dict:
    from infer import parity as checks
    from infer.runtime import GenerationRequest, encode_request

    requests = [GenerationRequest(prompt=p) for p in cfg.parity.prompts]
    if codec.chat_template:
        requests += [GenerationRequest(messages=[{"role": "user", "content": p}]) for p in cfg.parity.chat_prompts]
    prompt_ids = [encode_request(codec, r) for r in requests]
    names: list[str | None] = [None, *(a.name for a in adapters)]
    refs = {name: checks.hf_references(inputs.base, None if name is None else inputs.adapters[name], prompt_ids,
                                       cfg.parity.max_tokens, codec.stop_ids) for name in names}
    report: dict = {"prompts": len(requests), "max_tokens": cfg.parity.max_tokens, "edge": {}}
    for precision in cfg.edge.precisions:
        report["edge"][precision] = checks.edge_parity(bundle, precision, requests, prompt_ids, refs,
                                                       cfg.parity.max_tokens, cfg.parity.tie, cfg.threads)
    if "fp32" in cfg.edge.precisions and adapters:
        files = {a.name: bundle / f"edge/fp32/adapters/{a.name}.onnx_adapter" for a in adapters}
        report["genai_run_time_adapters"] = checks.genai_adapter_parity(
            bundle / "edge/fp32", files, prompt_ids[0], {n: refs[n][0] for n in names}, cfg.parity.max_tokens,
            cfg.parity.tie)
    ppl: dict = {}
    if heldout is not None and len(heldout):
        ppl["hf_fp32"] = quant_result.get("ppl_reference") or _hf_perplexity(inputs.base, heldout)
        for precision in cfg.edge.precisions:
            ppl[f"edge_{precision}"] = checks.edge_perplexity(bundle, precision, heldout, cfg.threads)
        for name, info in quant_result.get("formats", {}).items():
            ppl[f"modelopt_{name}"] = info["ppl"]
        reference = ppl["hf_fp32"]
        report["perplexity"] = {k: round(v, 4) for k, v in ppl.items()}
        report["perplexity_delta_pct"] = {k: round(100 * (v - reference) / reference, 3) for k, v in ppl.items()
                                          if k != "hf_fp32"}
        report["heldout"] = {"rows": len(heldout), "tokens_per_row": int(heldout.shape[1]),
                             "source": quant_result.get("text_source")}
    if quant_result.get("formats"):
        report["rope_theta"] = {n: i["rope"] for n, i in quant_result["formats"].items()}
    _enforce(report, cfg)
    return report


def _enforce(report: dict, cfg) -> None:
    fp32 = report["edge"].get("fp32", {})
    bad = {name: r for name, r in fp32.items() if r["differ"]}
    genai_bad = {k: v for k, v in report.get("genai_run_time_adapters", {}).items() if v == "differ"}
    rope_bad = {k: v for k, v in report.get("rope_theta", {}).items() if not v["ok"]}
    problems = []
    if bad:
        problems.append(f"edge fp32 greedy differs from HF for {sorted(bad)} ({bad})")
    if genai_bad:
        problems.append(f"onnxruntime-genai with run-time adapters differs from HF for {sorted(genai_bad)}")
    if rope_bad:
        problems.append(f"rope_theta lost in quantized checkpoints {rope_bad}")
    for problem in problems:
        log.error("export: parity: %s", problem)
    if problems and cfg.parity.enforce:
        raise ParityFailure(problems[0] + " (export.parity.enforce=false records it instead)")


def _hf_perplexity(base: Path, rows: np.ndarray) -> float:
    import math

    import torch
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(str(base), dtype=torch.float32).eval()
    total = count = 0.0
    with torch.inference_mode():
        for row in rows:
            ids = torch.as_tensor(row, dtype=torch.long)[None]
            total += float(model(input_ids=ids, labels=ids).loss) * (ids.shape[1] - 1)
            count += ids.shape[1] - 1
    return math.exp(total / count)


def _metrics(bundle: Path, layout: dict, adapters, inputs: ExportInputs, quant_result: dict, parity: dict) -> dict:
    from infer.lora import MODULES, trtllm_modules

    def size(rel: str) -> int:
        return sum(p.stat().st_size for p in (bundle / rel).rglob("*") if p.is_file())

    targets = [m for m in MODULES if any(m in a.target_modules for a in adapters)]
    return {
        "model_name": inputs.model_name,
        "adapters": {a.name: {"rank": a.max_rank, "alpha": a.alpha, "target_modules": a.target_modules} for a in adapters},
        "lora": {"max_lora_rank": max((a.max_rank for a in adapters), default=0),
                 "trtllm_target_modules": trtllm_modules(targets),
                 "customize_reported": inputs.lora_meta or None},
        "bytes": {"hf": size("hf"), "trtllm": size("trtllm"), "quant": size("quant"),
                  **{f"edge_{p}": size(f"edge/{p}") for p in layout["edge"]}},
        "edge": layout["edge"],
        "quant": {n: {k: v for k, v in i.items() if k in ("quant_algo", "ppl", "ppl_delta_pct", "rope")}
                  for n, i in quant_result.get("formats", {}).items()},
        "trtllm": {"serve_command": layout["trtllm"]["serve_command"], "validation": layout["trtllm"].get("validation")},
        "parity": parity,
    }

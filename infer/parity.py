"""Parity of the exported runtimes with the HF reference, recorded in the export manifest.

- Greedy tokens: for the base model and every adapter, on a fixed prompt set, the edge runtime
  (through the full Generator: scheduler, stop tokens, detokenizer) must produce HF
  ``generate``'s greedy tokens. A divergence where HF's own top-2 logits are within ``tie`` is
  reported as a near-tie (both choices are right to float precision), not a failure.
- Logits: the largest absolute difference between edge and HF logits over the prompts.
- onnxruntime-genai: its own Generator, with each ``.onnx_adapter`` activated by
  ``set_active_adapter``, must also reproduce HF greedy (the files work outside our runtime).
- Perplexity on held-out curated text: HF fp32, each edge precision (and modelopt's variants,
  measured in infer/quant_worker.py).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("pipeline.infer")


@dataclass
class Reference:
    tokens: list[int]  # greedy tokens, stop token excluded (as the runtime returns them)
    gaps: list[float]  # HF's top-1 minus top-2 logit at each generated step
    prompt_logits: np.ndarray  # [prompt_len, vocab]


def hf_references(base: Path, adapter_dir: Path | None, prompts: list[list[int]], max_new: int,
                  stop_ids: list[int]) -> list[Reference]:
    import torch
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(str(base), dtype=torch.float32).eval()
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir)).eval()
    pad = model.config.pad_token_id if model.config.pad_token_id is not None else stop_ids[0]
    refs = []
    with torch.inference_mode():
        for ids in prompts:
            x = torch.tensor([ids])
            out = model.generate(x, max_new_tokens=max_new, do_sample=False, eos_token_id=stop_ids,
                                 pad_token_id=pad, output_logits=True, return_dict_in_generate=True,
                                 attention_mask=torch.ones_like(x))
            tokens = out.sequences[0, len(ids):].tolist()
            gaps = [float(d[0] - d[1]) for d in (torch.topk(step[0].float(), 2).values for step in out.logits)]
            while tokens and tokens[-1] in stop_ids:
                tokens.pop()
            refs.append(Reference(tokens, gaps, model(x).logits[0].float().numpy()))
    return refs


def compare(got: list[int], ref: Reference, tie: float) -> str:
    """equal | near_tie (first divergence at an HF near-tie) | differ."""
    if got == ref.tokens:
        return "equal"
    first = next((i for i, (a, b) in enumerate(zip(got, ref.tokens)) if a != b), min(len(got), len(ref.tokens)))
    return "near_tie" if first < len(ref.gaps) and ref.gaps[first] < tie else "differ"


def edge_parity(root: Path, precision: str, requests: list, prompt_ids: list[list[int]],
                refs: dict[str | None, list[Reference]], max_new: int, tie: float, threads: int = 0) -> dict:
    """Greedy tokens of the edge Generator vs HF, and max |logit difference| on the prompts."""
    from dataclasses import replace

    from infer.edge_runner import EdgeRunner
    from infer.runtime import Generator, SamplingParams

    index = _edge_entry(root, precision)
    report: dict = {}
    with Generator.open(root, backend="edge", precision=precision, verify="none", max_batch=4, threads=threads) as gen:
        for adapter in refs:
            outcomes = []
            for request, ref in zip(requests, refs[adapter]):
                asked = replace(request, adapter=adapter, sampling=SamplingParams(max_tokens=max_new))
                outcomes.append(compare(gen.generate(asked).token_ids, ref, tie))
            report[adapter or "base"] = {"prompts": len(requests), "equal": outcomes.count("equal"),
                                         "near_tie": outcomes.count("near_tie"), "differ": outcomes.count("differ")}
    runner = EdgeRunner(root / index["path"], {n: root / p for n, p in index.get("adapters", {}).items()}, max_slots=1,
                        threads=threads)
    names = list(index.get("adapters", {}))
    for adapter in refs:
        slot = 0 if adapter is None else names.index(adapter) + 1
        diffs = [float(np.abs(runner.score(ids, slot) - ref.prompt_logits).max())
                 for ids, ref in zip(prompt_ids, refs[adapter])]
        report[adapter or "base"]["max_logit_diff"] = max(diffs)
    runner.close()
    return report


def genai_adapter_parity(folder: Path, adapter_files: dict[str, Path], prompt_ids: list[int],
                         refs: dict[str | None, Reference], max_new: int, tie: float) -> dict:
    """onnxruntime-genai's own Generator with each .onnx_adapter activated at run time."""
    import onnxruntime_genai as og

    model = og.Model(str(folder))
    adapters = og.Adapters(model)
    for name, path in adapter_files.items():
        adapters.load(str(path), name)
    stop = _stop_ids(folder)
    report = {}
    for name, ref in refs.items():
        params = og.GeneratorParams(model)
        params.set_search_options(do_sample=False, max_length=len(prompt_ids) + max_new)
        generator = og.Generator(model, params)
        if name is not None:
            generator.set_active_adapter(adapters, name)
        generator.append_tokens(np.asarray(prompt_ids, dtype=np.int32))
        tokens = []
        while not generator.is_done():
            generator.generate_next_token()
            tokens.append(int(generator.get_next_tokens()[0]))
        while tokens and tokens[-1] in stop:
            tokens.pop()
        report[name or "base"] = compare(tokens, ref, tie)
        del generator
    return report


def _stop_ids(folder: Path) -> set[int]:
    import json

    value = json.loads((folder / "genai_config.json").read_text())["model"].get("eos_token_id")
    return set(value if isinstance(value, list) else [value])


def edge_perplexity(root: Path, precision: str, rows: np.ndarray, threads: int = 0) -> float:
    from infer.edge_runner import EdgeRunner

    runner = EdgeRunner(root / _edge_entry(root, precision)["path"], {}, max_slots=1, threads=threads)
    total, count = 0.0, 0
    for row in rows:
        logits = runner.score([int(t) for t in row]).astype(np.float64)
        logits -= logits.max(axis=-1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
        total -= float(logp[np.arange(len(row) - 1), row[1:]].sum())
        count += len(row) - 1
    runner.close()
    return math.exp(total / max(count, 1))


def _edge_entry(root: Path, precision: str) -> dict:
    import json

    return json.loads((root / "bundle.json").read_text())["edge"][precision]

"""nvidia-modelopt post-training quantization, run as its own process: ``python -m infer.quant_worker JOB``.

Why a subprocess: modelopt takes ~10 s to import, swaps module classes in place while it
quantizes, and may not be installed; keeping it out of the stage process keeps a failure or a
missing package to one clear line. It runs with our transformers (5.x): modelopt's core needs no
transformers pin, only its ``[hf]`` extra does, and that extra is not installed.

For each format: load the model, calibrate on curated text (the forward loop modelopt calls),
measure perplexity of the fake-quantized model on held-out curated text (the numerics the
exported checkpoint encodes), export a modelopt HF checkpoint (``hf_quant_config.json`` +
quantized safetensors: what TensorRT-LLM and vLLM load), and check the RoPE base survived.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

FORMATS = {"fp8": "FP8_DEFAULT_CFG", "int8_wo": "INT8_WEIGHT_ONLY_CFG", "int4_awq": "INT4_AWQ_CFG"}


def rope_theta(config: dict) -> float | None:
    params = config.get("rope_parameters") or config.get("rope_scaling") or {}
    value = config.get("rope_theta", params.get("rope_theta") if isinstance(params, dict) else None)
    return None if value is None else float(value)


def fix_rope(folder: Path, source_theta: float | None) -> dict:
    """Check the exported config keeps the source's RoPE base; also write the flat ``rope_theta``
    that readers pinned to transformers 4 (TensorRT-LLM, vLLM) look for, so none falls back to
    the 10000 default silently."""
    path = folder / "config.json"
    config = json.loads(path.read_text())
    exported = rope_theta(config)
    if source_theta is not None and config.get("rope_theta") != source_theta:
        config["rope_theta"] = source_theta
        path.write_text(json.dumps(config, indent=2) + "\n")
    return {"source": source_theta, "exported": exported, "final": rope_theta(config),
            "ok": source_theta is None or (exported is not None and math.isclose(exported, source_theta))}


def perplexity(model, rows) -> float:
    import torch

    total, count = 0.0, 0
    with torch.inference_mode():
        for row in rows:
            ids = torch.as_tensor(row, dtype=torch.long)[None]
            loss = model(input_ids=ids, labels=ids).loss
            total += float(loss) * (ids.shape[1] - 1)
            count += ids.shape[1] - 1
    return math.exp(total / max(count, 1))


def main(job_path: str) -> int:
    import numpy as np
    import torch

    job = json.loads(Path(job_path).read_text())
    if job.get("threads"):
        torch.set_num_threads(int(job["threads"]))
    started = time.perf_counter()
    import modelopt.torch.quantization as mtq
    from modelopt.torch.export import export_hf_checkpoint
    from transformers import LlamaForCausalLM

    import_s = time.perf_counter() - started
    model_dir, out_root = Path(job["model"]), Path(job["out"])
    calib, heldout = np.load(job["calib"]), np.load(job["heldout"])
    source_theta = rope_theta(json.loads((model_dir / "config.json").read_text()))

    def load():
        return LlamaForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()

    result = {"modelopt_import_s": round(import_s, 2), "formats": {}}
    reference = perplexity(load(), heldout)
    result["ppl_reference"] = reference
    for name in job["formats"]:
        t0 = time.perf_counter()
        model = load()

        def forward_loop(m):
            with torch.inference_mode():
                for row in calib:
                    m(input_ids=torch.as_tensor(row, dtype=torch.long)[None])

        model = mtq.quantize(model, getattr(mtq, FORMATS[name]), forward_loop)
        quantized_s = time.perf_counter() - t0
        ppl = perplexity(model, heldout)
        folder = out_root / name
        with torch.inference_mode():
            export_hf_checkpoint(model, export_dir=str(folder))
        rope = fix_rope(folder, source_theta)
        quant_config = json.loads((folder / "hf_quant_config.json").read_text()) if (folder / "hf_quant_config.json").is_file() else {}
        result["formats"][name] = {
            "quant_algo": (quant_config.get("quantization") or {}).get("quant_algo"),
            "ppl": ppl, "ppl_delta": ppl - reference, "ppl_delta_pct": 100.0 * (ppl - reference) / reference,
            "rope": rope, "calibration_rows": len(calib), "quantize_s": round(quantized_s, 2),
            "total_s": round(time.perf_counter() - t0, 2),
        }
        del model
    Path(job["result"]).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

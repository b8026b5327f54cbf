"""onnxruntime-genai on CUDA against our torch runner, on the same random weights (one GPU).

The edge engine (infer/edge_runner.py) runs onnxruntime with our own batching loop because, on CPU,
onnxruntime-genai's ``Engine`` batches statically (docs/infer.md). On CUDA its builder makes a
paged-attention fp16 model and the ``Engine`` batches dynamically, so this measures, for a preset
(configs/model/*.yaml, random weights, a BPE tokenizer trained on the manual):

1. the model builder's CUDA models (``--variants``: fp16; fp16 with its CUDA graphs; fp16 with
   PagedAttention, which its ``Engine`` batches dynamically; int4): build time and folder size;
2. batch-1 greedy decode after a 128-token prompt: ``og.Generator`` (the id read back every step,
   as our runner does), or for the paged model one ``Engine`` request (steady tokens/s);
3. ``og.Engine`` with N requests added at once (128-token prompts, ``tokens`` new tokens each,
   greedy, min = max so that every request runs to the end): total tokens/s;
4. in the same process and on the same weights, our torch runner (CUDA graphs, fused layers) batch 1
   and the Generator with N concurrent requests (``benchmarks/infer_gpu.py``'s measurement).

    PYTHONPATH=/tmp/site:$PYTHONPATH python benchmarks/genai_cuda.py --presets small 1b --json genai_cuda.json
    python benchmarks/genai_cuda.py --ep cpu --variants fp32 --presets tiny   # the same code on CPU

Needs onnxruntime-genai-cuda + onnxruntime-gpu (brought with ../shared/tools/gpu_wheels.py, see
docs/benchmarks.md) for ``--ep cuda``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
PROMPT_LEN = 128


def make_model_dir(root: Path, preset_name: str, device: str) -> Path:
    """Random weights of the preset (bf16 on CUDA, fp32 on CPU) and a BPE tokenizer on the manual."""
    import torch

    from benchmarks.train_gpu import preset
    from tests.support.lora_models import make_tokenizer
    from train import model as llama
    from train import tokenizer as tok

    folder = root / preset_name
    make_tokenizer(folder, 4096)
    ids = tok.special_ids(tok.load(folder))
    cfg = preset(preset_name)
    with torch.device(device):
        model = llama.create(llama.llama_config(cfg, cfg.vocab_size, ids["bos"], ids["eos"], ids["pad"]), seed=0)
    if device == "cuda":
        model.to(torch.bfloat16)
    llama.save_hf(model, folder)
    del model
    if device == "cuda":
        torch.cuda.empty_cache()
    return folder


# builder variants: precision and extra options. The paged model (PagedAttention, CUDA fp16/bf16
# only) is what og.Engine batches dynamically; the plain one runs og.Generator and a static Engine.
VARIANTS = {"fp16": ("fp16", {}), "fp16-graphs": ("fp16", {"enable_cuda_graph": "true"}),
            "fp16-paged": ("fp16", {"use_paged_attention": "true"}), "int4": ("int4", {}), "fp32": ("fp32", {})}


def build(hf_dir: Path, out: Path, variant: str, ep: str) -> float:
    precision, extra = VARIANTS[variant]
    started = time.perf_counter()
    command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(hf_dir), "-o", str(out),
               "-p", precision, "-e", ep, "-c", str(out.parent / f"cache-{variant}")]
    if extra:
        command += ["--extra_options", *(f"{k}={v}" for k, v in extra.items())]
    proc = subprocess.run(command, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    if proc.returncode != 0 or not (out / "genai_config.json").is_file():
        raise RuntimeError(f"builder failed ({variant}, {ep}): {(proc.stderr or proc.stdout).strip()[-600:]}")
    return time.perf_counter() - started


def open_model(folder: Path, ep: str):
    import onnxruntime_genai as og

    config = og.Config(str(folder))
    config.clear_providers()
    if ep != "cpu":
        config.append_provider(ep)
    return og.Model(config)


def generator_decode(model, steps: int) -> float:
    """Seconds per greedy decode step at batch 1 (the new id read back each step)."""
    import onnxruntime_genai as og

    params = og.GeneratorParams(model)
    params.set_search_options(max_length=PROMPT_LEN + steps + 16, do_sample=False)
    generator = og.Generator(model, params)
    generator.append_tokens(np.arange(10, 10 + PROMPT_LEN, dtype=np.int32))
    for _ in range(8):
        generator.generate_next_token()
        generator.get_next_tokens()
    started = time.perf_counter()
    for _ in range(steps):
        generator.generate_next_token()
        generator.get_next_tokens()
    return (time.perf_counter() - started) / steps


def engine_throughput(model, requests: int, tokens: int) -> dict:
    """N requests added at once to og.Engine; every request generates exactly ``tokens`` tokens."""
    import onnxruntime_genai as og

    engine = og.Engine(model)
    caps = engine.get_capabilities()
    buffer = engine.create_event_buffer(4 * requests * tokens)
    made = []
    for i in range(requests):
        request = engine.create_request()
        options = og.TurnOptions(request)
        options.set_do_sample(False)
        options.set_max_generated_tokens(tokens)
        options.set_min_generated_tokens(tokens)
        request.begin_turn(np.arange(10 + i % 7, 10 + i % 7 + PROMPT_LEN, dtype=np.int32), options)
        made.append(request)
    started, generated, first = time.perf_counter(), 0, None
    while engine.has_pending_requests():
        events = engine.run(buffer) or []
        for event in events:
            if event.token is not None and event.token >= 0:
                generated += 1
                if first is None:
                    first, after_first = time.perf_counter(), generated
    wall = time.perf_counter() - started
    for request in made:
        request.close()
    out = {"engine_requests": requests, "engine_tokens": generated, "engine_tok_s": generated / wall,
           "engine_first_token_ms": 1000 * ((first or started) - started),
           "engine_max_batch": caps.configured_max_batch_size}
    if first is not None and generated > after_first:  # steady decode: the steps after the first token
        out["engine_decode_tok_s"] = (generated - after_first) / (started + wall - first)
    return out


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def measure(name: str, root: Path, args, report) -> None:
    device = "cuda" if args.ep == "cuda" else "cpu"
    hf = make_model_dir(root, name, device)
    for variant in args.variants:
        row = {"preset": name, "engine": f"onnxruntime-genai {variant} ({args.ep})"}
        try:
            out = root / f"{name}-{variant}"
            row["build_s"] = build(hf, out, variant, args.ep)
            row["model_mb"] = folder_mb(out)
            row["engine_config"] = json.loads((out / "genai_config.json").read_text()).get("engine", {})
            model = open_model(out, args.ep)
            if "paged" in variant:  # the paged model runs only in the Engine: batch 1 is one request
                one = engine_throughput(model, 1, args.steps)
                step = 1 / one["engine_decode_tok_s"]
            else:
                step = generator_decode(model, args.steps)
            row.update({"b1_ms_per_token": 1000 * step, "b1_tok_s": 1 / step})
            row.update(engine_throughput(model, args.concurrency, args.tokens))
            del model
        except Exception as err:  # noqa: BLE001 - report and go on
            row["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:400]}"
            traceback.print_exc()
        report(row)
    if device != "cuda" or args.skip_torch:
        return
    from benchmarks.infer_gpu import MODES, concurrent, runner_decode
    from infer.runtime import GenerationRequest, Generator, SamplingParams

    row = {"preset": name, "engine": "ours: torch runner, CUDA graphs (bf16)"}
    try:
        with Generator.open(hf, backend="torch", max_batch=args.concurrency, max_len=2048,
                            **MODES["cuda_graphs"]) as gen:
            gen._engine.scheduler.stop_ids = frozenset()  # every token asked for
            step = runner_decode(gen, args.steps, PROMPT_LEN)
            row.update({"b1_ms_per_token": 1000 * step, "b1_tok_s": 1 / step})
            requests = [GenerationRequest(prompt="The charging port " * (1 + i % 4),
                                          sampling=SamplingParams(max_tokens=args.tokens)) for i in range(args.concurrency)]
            concurrent(gen, requests[:4])
            results, wall = concurrent(gen, requests)
            row.update({"engine_requests": args.concurrency, "engine_tokens": sum(r.completion_tokens for r in results),
                        "engine_tok_s": sum(r.completion_tokens for r in results) / wall})
    except Exception as err:  # noqa: BLE001
        row["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:400]}"
        traceback.print_exc()
    report(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["small", "1b"])
    parser.add_argument("--variants", nargs="+", default=["fp16", "fp16-paged"], choices=list(VARIANTS))
    parser.add_argument("--ep", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--skip-torch", action="store_true", help="no torch-runner rows")
    parser.add_argument("--json", type=Path, default=Path("genai_cuda.json"))
    args = parser.parse_args()
    import onnxruntime
    import onnxruntime_genai as og

    device = "cpu"
    if args.ep == "cuda":
        import torch

        device = torch.cuda.get_device_name()
    print(f"{device}: onnxruntime {onnxruntime.__version__} ({','.join(onnxruntime.get_available_providers())}), "
          f"onnxruntime-genai {og.__version__}", flush=True)
    rows: list[dict] = []

    def report(row: dict) -> None:
        rows.append(row)
        print(json.dumps(row), flush=True)
        args.json.write_text(json.dumps({"device": device, "onnxruntime": onnxruntime.__version__,
                                         "onnxruntime_genai": og.__version__, "rows": rows}, indent=2))

    with tempfile.TemporaryDirectory() as tmp:
        for name in args.presets:
            measure(name, Path(tmp), args, report)
    c = args.concurrency
    print(f"\n{'preset':<7}{'engine':<44}{'build s':>8}{'MB':>8}{'b1 ms/tok':>10}{'b1 tok/s':>9}{f'{c} req tok/s':>13}")
    for r in rows:
        if "error" in r:
            print(f"{r['preset']:<7}{r['engine']:<44} failed: {r['error']}")
            continue
        print(f"{r['preset']:<7}{r['engine']:<44}{r.get('build_s', float('nan')):>8.1f}{r.get('model_mb', float('nan')):>8.0f}"
              f"{r['b1_ms_per_token']:>10.3f}{r['b1_tok_s']:>9.0f}{r.get('engine_tok_s', float('nan')):>13.0f}")
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()

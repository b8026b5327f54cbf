"""GPU decode: the torch backend against the HBM roofline, and batched throughput (one GPU).

For the ``small`` and ``1b`` presets (configs/model/*.yaml, random bf16 weights):

1. Copy bandwidth: a large device-to-device copy (bytes read + written / time), the roofline's
   denominator.
2. Batch-1 decode of the runner (our slot KV cache): per-token time over 256 steps after a
   128-token prompt, in modes - eager, CUDA graphs, torch.compile + CUDA graphs, each with the
   runner's fused layers or HF's modules (``hf_modules+...``) - against
   the roofline time ``(weight bytes read per token + KV bytes of the actual context) / bandwidth``
   (the embedding table counts one row; the LM head counts whole).
3. The same through the full Generator (scheduler, sampling, detokenizer): batch-1 tokens/s.
4. 64 concurrent requests (threads) through the Generator: total tokens/s, base model only and
   mixed over two random LoRA adapters.
5. HF ``model.generate`` at batch 1 (eager, dynamic cache) as the reference point.

Needs only torch + transformers + tokenizers + peft (for the adapters) on the GPU machine; the
tokenizer is trained on data/manual. Prints a table and writes JSON.

    python benchmarks/infer_gpu.py --presets small 1b --json infer_gpu.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# The runner's fused layers are the default; "hf_modules" runs HF's modules (the baseline before them).
MODES = {"eager": {"cuda_graphs": False}, "cuda_graphs": {"cuda_graphs": True},
         "compile+cuda_graphs": {"cuda_graphs": True, "compile": True},
         "hf_modules+cuda_graphs": {"cuda_graphs": True, "fused": False},
         "hf_modules+compile+graphs": {"cuda_graphs": True, "compile": True, "fused": False}}


def copy_bandwidth(gib: float = 2.0, repeats: int = 20) -> float:
    import torch

    n = int(gib * 2**30) // 2
    src = torch.empty(n, dtype=torch.bfloat16, device="cuda").normal_()
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        dst.copy_(src)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1000)
    return 2 * src.numel() * src.element_size() / statistics.median(times)


def make_model_dir(root: Path, preset_name: str) -> Path:
    """Random bf16 weights of the preset, saved with a BPE tokenizer trained on the manual."""
    import torch

    from benchmarks.train_gpu import preset
    from tests.support.lora_models import make_tokenizer
    from train import model as llama
    from train import tokenizer as tok

    folder = root / preset_name
    make_tokenizer(folder, 4096)
    ids = tok.special_ids(tok.load(folder))
    cfg = preset(preset_name)
    with torch.device("cuda"):
        model = llama.create(llama.llama_config(cfg, cfg.vocab_size, ids["bos"], ids["eos"], ids["pad"]), seed=0)
    model.to(torch.bfloat16)
    llama.save_hf(model, folder)
    del model
    torch.cuda.empty_cache()
    return folder


def make_adapters(folder: Path, root: Path) -> Path | None:
    """Two random PEFT adapters (ranks 8 and 4); None where peft is not installed."""
    try:
        import peft  # noqa: F401
    except ImportError:
        print("peft is not installed: the multi-LoRA row is skipped")
        return None
    from tests.support.lora_models import make_adapters as build

    build(folder, root / "adapters")
    return root / "adapters"


def bytes_per_token(config, context: int) -> tuple[float, float]:
    hidden, layers = config.hidden_size, config.num_hidden_layers
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads
    head_dim = getattr(config, "head_dim", None) or hidden // heads
    inter, vocab = config.intermediate_size, config.vocab_size
    per_layer = hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim + heads * head_dim * hidden \
        + 3 * hidden * inter + 2 * hidden
    weights = (layers * per_layer + hidden + vocab * hidden + hidden) * 2  # bf16; embedding: one row
    kv = 2 * layers * kv_heads * head_dim * context * 2
    return weights, kv


def runner_decode(gen, steps: int, prompt_len: int) -> float:
    """Seconds per decode step of the raw runner at batch 1 (greedy ids fetched each step)."""
    import torch

    runner = gen._engine.scheduler.runner
    tokens = list(range(10, 10 + prompt_len))
    logits = runner.prefill(0, tokens, 0)
    token = int(logits.argmax()[0])
    # warm-up over every position the timed loop meets: each context bucket is captured (and, with
    # torch.compile, compiled: ~15-30 s, which once landed inside the timed loop) before timing
    for i in range(steps + 8):
        token = int(runner.decode([token], [prompt_len + i], [0]).argmax()[0])
    torch.cuda.synchronize()
    started = time.perf_counter()
    for i in range(steps):
        token = int(runner.decode([token], [prompt_len + 8 + i], [0]).argmax()[0])
    torch.cuda.synchronize()
    return (time.perf_counter() - started) / steps


def concurrent(gen, requests):
    results: list = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def work(i):
        barrier.wait()
        results[i] = gen.generate(requests[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(requests))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def measure_preset(name: str, root: Path, bandwidth: float, steps: int, concurrency: int, tokens: int,
                   modes: list[str], report) -> list[dict]:
    import torch

    from infer.runtime import GenerationRequest, Generator, SamplingParams

    folder = make_model_dir(root, name)
    adapters = make_adapters(folder, root / f"{name}-lora")
    rows = []
    prompt_len = 128
    for mode in modes:
        options = MODES[mode]
        row = {"preset": name, "mode": mode}
        try:
            extra = {"adapters": adapters} if adapters else {}
            with Generator.open(folder, backend="torch", max_batch=concurrency, **extra,
                                max_len=2048, **options) as gen:
                gen._engine.scheduler.stop_ids = frozenset()  # benchmark: every token asked for
                config = gen._engine.scheduler.runner.model.config
                step = runner_decode(gen, steps, prompt_len)
                weights, kv = bytes_per_token(config, prompt_len + 8 + steps // 2)
                roofline = (weights + kv) / bandwidth
                row.update({"runner_ms_per_token": 1000 * step, "runner_tok_s": 1 / step,
                            "roofline_ms_per_token": 1000 * roofline, "roofline_pct": 100 * roofline / step,
                            "weight_mb": weights / 1e6, "kv_mb": kv / 1e6})
                request = GenerationRequest(prompt="The charging port", sampling=SamplingParams(max_tokens=tokens))
                gen.generate(request)
                single = gen.generate(request)
                row["generator_b1_tok_s"] = (single.completion_tokens - 1) / (single.total_s - single.ttft_s)
                row["generator_ttft_ms"] = 1000 * single.ttft_s
                mixes = [("base", [None])] + ([("2 adapters", [None, *gen.adapters])] if gen.adapters else [])
                # compile specialises the decode step on the batch size: a 64-request run recompiles
                # past dynamo's limit and measures compilation, so concurrency runs without it
                for label, names in ([] if options.get("compile") else mixes):
                    requests = [GenerationRequest(prompt="The charging port " * (1 + i % 4), adapter=names[i % len(names)],
                                                  sampling=SamplingParams(max_tokens=tokens)) for i in range(concurrency)]
                    concurrent(gen, requests[:4])  # warm the larger batch buckets
                    results, wall = concurrent(gen, requests)
                    row[f"c{concurrency}_{label}_tok_s"] = sum(r.completion_tokens for r in results) / wall
        except Exception as err:  # noqa: BLE001 - report and go on with the next mode
            row["error"] = f"{type(err).__name__}: {str(err).splitlines()[0][:300]}"
            traceback.print_exc()
        rows.append(row)
        report(row)
        torch.cuda.empty_cache()
    rows.append(hf_generate_row(folder, name, tokens))
    report(rows[-1])
    return rows


def hf_generate_row(folder: Path, name: str, tokens: int) -> dict:
    import torch
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(str(folder), dtype=torch.bfloat16).cuda().eval()
    ids = torch.arange(10, 138, device="cuda")[None]

    def run(new):
        torch.cuda.synchronize()
        started = time.perf_counter()
        with torch.inference_mode():
            model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new, min_new_tokens=new,
                           do_sample=False, eos_token_id=None, pad_token_id=0)
        torch.cuda.synchronize()
        return time.perf_counter() - started

    run(8)
    first, total = run(1), run(tokens)
    model.cpu()
    torch.cuda.empty_cache()
    return {"preset": name, "mode": "HF generate (eager)", "runner_tok_s": (tokens - 1) / (total - first),
            "runner_ms_per_token": 1000 * (total - first) / (tokens - 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["small", "1b"])
    parser.add_argument("--steps", type=int, default=256)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--json", type=Path, default=Path("infer_gpu.json"))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        raise SystemExit("needs a CUDA GPU")
    bandwidth = copy_bandwidth()
    print(f"{torch.cuda.get_device_name()}: copy bandwidth {bandwidth / 1e9:.0f} GB/s (torch {torch.__version__})", flush=True)
    rows: list[dict] = []

    def report(row: dict) -> None:
        # each row as soon as it is measured: a run cut by a time limit keeps what it measured
        rows.append(row)
        print(json.dumps(row), flush=True)
        args.json.write_text(json.dumps({"device": torch.cuda.get_device_name(), "bandwidth": bandwidth,
                                         "torch": torch.__version__, "rows": rows}, indent=2))

    with tempfile.TemporaryDirectory() as tmp:
        for name in args.presets:
            measure_preset(name, Path(tmp), bandwidth, args.steps, args.concurrency, args.tokens, args.modes, report)
    print(f"\n{'preset':<7}{'mode':<27}{'ms/tok':>8}{'tok/s':>9}{'roofline ms':>12}{'% roofline':>11}"
          f"{'Gen b1 tok/s':>13}{'c' + str(args.concurrency) + ' tok/s':>11}{'+LoRA tok/s':>12}")
    for r in rows:
        if "error" in r:
            print(f"{r['preset']:<7}{r['mode']:<27} failed: {r['error']}")
            continue
        print(f"{r['preset']:<7}{r['mode']:<27}{r.get('runner_ms_per_token', float('nan')):>8.3f}"
              f"{r.get('runner_tok_s', float('nan')):>9.0f}{r.get('roofline_ms_per_token', float('nan')):>12.3f}"
              f"{r.get('roofline_pct', float('nan')):>10.1f}%{r.get('generator_b1_tok_s', float('nan')):>13.0f}"
              f"{r.get(f'c{args.concurrency}_base_tok_s', float('nan')):>11.0f}"
              f"{r.get(f'c{args.concurrency}_2 adapters_tok_s', float('nan')):>12.0f}")
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()

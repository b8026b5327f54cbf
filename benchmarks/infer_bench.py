"""CPU inference: the edge runtime vs our torch runtime vs HF ``model.generate``, same model, one run.

The ``tiny`` preset (random weights, rope/shape as configs/model/tiny.yaml) with a BPE tokenizer
trained on the manual and two LoRA adapters, exported with the real edge builder. Measured:

- decode tokens/s at batch 1 and 8 (time after the first token), and time to first token;
- 16 concurrent requests of mixed prompt and output lengths (threads submit at once): total
  tokens/s and mean latency; for HF, ``generate`` one request after another (what a server
  without a batcher does) and as one left-padded static batch;
- the same 16 requests spread over base + two adapters (multi-LoRA in one batch), edge and torch.

Also onnxruntime-genai's own C++ generate loop at batch 1 (what our Python loop must not lose
to). Greedy decoding; EOS is ignored everywhere so every run generates exactly the tokens asked
for. The suite runs ``--rounds`` times; each row shows its best round (on a shared machine the
best round is the one least disturbed by other processes).

    python benchmarks/infer_bench.py --threads 1 --tokens 128 --rounds 3 --json /tmp/infer_bench.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from infer_gpu import concurrent  # noqa: E402  (threads released at once through a barrier)

PROMPTS = ["To charge the Kestrel EV7 at home, connect", "The tyre pressure warning light",
           "How do I open the charge port? The charge port door is on the left rear side and",
           "Seat heater", "When the battery is below ten percent the car will limit power and"]


def build(root: Path, precisions: list[str]) -> Path:
    import torch

    from benchmarks.train_gpu import preset
    from infer.bundle import write_index
    from infer.edge_build import build_edge
    from infer.lora import read_adapter
    from infer.textio import Codec
    from tests.support.lora_models import make_adapters, make_tokenizer
    from train import model as llama
    from train import tokenizer as tok

    base = root / "hf" / "base"
    make_tokenizer(base, 4096)
    ids = tok.special_ids(tok.load(base))
    cfg = preset("tiny")
    model = llama.create(llama.llama_config(cfg, cfg.vocab_size, ids["bos"], ids["eos"], ids["pad"]), seed=0)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.mul_(3.0)
    llama.save_hf(model, base)
    folders = make_adapters(base, root / "hf" / "adapters")
    adapters = [read_adapter(p, n) for n, p in folders.items()]
    edge = {}
    for precision in precisions:
        build_edge(base, root / "edge" / precision, precision, adapters, root / "work", Codec(base).stop_ids)
        edge[precision] = {"path": f"edge/{precision}",
                           "adapters": {n: f"edge/{precision}/adapters/{n}.onnx_adapter" for n in folders}}
    write_index(root, {"model_name": "tiny-bench", "hf": {"base": "hf/base", "adapters": {n: f"hf/adapters/{n}" for n in folders}},
                       "edge": edge})
    return root


def _requests(n: int, tokens: int, adapters: bool):
    from infer.runtime import GenerationRequest, SamplingParams

    names = [None, "manual_qa", "cockpit_commands"] if adapters else [None]
    return [GenerationRequest(prompt=PROMPTS[i % len(PROMPTS)] * (1 + i % 3), adapter=names[i % len(names)],
                              sampling=SamplingParams(max_tokens=tokens // 4 + (i * tokens) // (2 * n)))
            for i in range(n)]


def runtime_rows(bundle: Path, backend: str, threads: int, tokens: int, **options) -> list[dict]:
    from infer.runtime import GenerationRequest, Generator, SamplingParams

    rows = []
    with Generator.open(bundle, backend=backend, max_batch=16, threads=threads, **options) as gen:
        gen._engine.scheduler.stop_ids = frozenset()  # benchmark only: generate every token asked for
        label = backend + (f" {options['precision']}" if "precision" in options else "")
        warm = GenerationRequest(prompt=PROMPTS[0], sampling=SamplingParams(max_tokens=8))
        gen.generate(warm)
        for batch in (1, 8):
            results, _ = concurrent(gen, [GenerationRequest(prompt=PROMPTS[0], sampling=SamplingParams(max_tokens=tokens))] * batch)
            decode_s = max(r.total_s for r in results) - max(r.ttft_s for r in results)
            generated = sum(r.completion_tokens - 1 for r in results)
            rows.append({"runtime": label, "case": f"decode batch {batch}", "tok_s": generated / decode_s,
                         "ttft_ms": 1000 * statistics.median(r.ttft_s for r in results)})
        for with_adapters in (False, True):
            requests = _requests(16, tokens, with_adapters)
            started = time.perf_counter()
            results, _ = concurrent(gen, requests)
            wall = time.perf_counter() - started
            rows.append({"runtime": label, "case": "16 mixed" + (" + 2 adapters" if with_adapters else ""),
                         "tok_s": sum(r.completion_tokens for r in results) / wall,
                         "ttft_ms": 1000 * statistics.median(r.ttft_s for r in results),
                         "latency_s": statistics.mean(r.total_s for r in results)})
    return rows


def genai_rows(bundle: Path, tokens: int, threads: int) -> list[dict]:
    import numpy as np
    import onnxruntime_genai as og

    rows = []
    for precision in ("fp32", "int4"):
        config = og.Config(str(bundle / "edge" / precision))
        config.overlay(json.dumps({"model": {"decoder": {"session_options": {"intra_op_num_threads": threads}}}}))
        model = og.Model(config)
        tokenizer = og.Tokenizer(model)
        ids = np.asarray(tokenizer.encode(PROMPTS[0]), dtype=np.int32)
        params = og.GeneratorParams(model)
        params.set_search_options(do_sample=False, max_length=len(ids) + tokens, min_length=len(ids) + tokens)
        generator = og.Generator(model, params)
        started = time.perf_counter()
        generator.append_tokens(ids)
        generator.generate_next_token()
        first = time.perf_counter()
        count = 0
        while not generator.is_done():
            generator.generate_next_token()
            count += 1
        rows.append({"runtime": f"onnxruntime-genai {precision}", "case": "decode batch 1",
                     "tok_s": count / (time.perf_counter() - first), "ttft_ms": 1000 * (first - started)})
        del generator
    return rows


def hf_rows(bundle: Path, tokens: int) -> list[dict]:
    import torch
    from transformers import AutoTokenizer, LlamaForCausalLM

    base = bundle / "hf" / "base"
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    tokenizer.padding_side = "left"
    model = LlamaForCausalLM.from_pretrained(str(base), dtype=torch.float32).eval()

    def run(prompts, new):
        batch = tokenizer(prompts, return_tensors="pt", padding=True)
        started = time.perf_counter()
        with torch.inference_mode():
            model.generate(**batch, max_new_tokens=new, min_new_tokens=new, do_sample=False,
                           pad_token_id=tokenizer.pad_token_id, eos_token_id=None)
        return time.perf_counter() - started

    run([PROMPTS[0]], 4)
    rows = []
    for batch in (1, 8):
        first = run([PROMPTS[0]] * batch, 1)
        total = run([PROMPTS[0]] * batch, tokens)
        rows.append({"runtime": "HF generate", "case": f"decode batch {batch}",
                     "tok_s": batch * (tokens - 1) / (total - first), "ttft_ms": 1000 * first})
    requests = _requests(16, tokens, False)
    started = time.perf_counter()
    latencies = []
    for r in requests:  # one after another: request i waits for all before it
        run([r.prompt], r.sampling.max_tokens)
        latencies.append(time.perf_counter() - started)
    wall = time.perf_counter() - started
    total_tokens = sum(r.sampling.max_tokens for r in requests)
    rows.append({"runtime": "HF generate", "case": "16 mixed", "tok_s": total_tokens / wall,
                 "latency_s": statistics.mean(latencies), "note": "sequential"})
    longest = max(r.sampling.max_tokens for r in requests)
    wall = run([r.prompt for r in requests], longest)
    rows.append({"runtime": "HF generate (static batch)", "case": "16 mixed", "tok_s": total_tokens / wall,
                 "latency_s": wall, "note": f"all padded to {longest} new tokens"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--bundle", type=Path, help="reuse a bundle built by an earlier run")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        bundle = args.bundle if args.bundle and (args.bundle / "bundle.json").is_file() else build(
            args.bundle or Path(tmp), ["fp32", "int4"])
        rounds = []
        for _ in range(args.rounds):
            rows = hf_rows(bundle, args.tokens) + genai_rows(bundle, args.tokens, args.threads)
            rows += runtime_rows(bundle, "edge", args.threads, args.tokens, precision="fp32")
            rows += runtime_rows(bundle, "edge", args.threads, args.tokens, precision="int4")
            rows += runtime_rows(bundle, "torch", args.threads, args.tokens)
            rounds.append(rows)
        rows = [max(same, key=lambda r: r["tok_s"]) for same in zip(*rounds)]
    hf1 = next(r["tok_s"] for r in rows if r["runtime"] == "HF generate" and r["case"] == "decode batch 1")
    print(f"\n{'runtime':<28}{'case':<26}{'tok/s':>10}{'vs HF b1':>10}{'TTFT ms':>10}{'latency s':>11}")
    for r in rows:
        print(f"{r['runtime']:<28}{r['case']:<26}{r['tok_s']:>10,.0f}{r['tok_s'] / hf1:>9.1f}x"
              f"{r.get('ttft_ms', float('nan')):>10.1f}{r.get('latency_s', float('nan')):>11.2f}")
    if args.json:
        args.json.write_text(json.dumps({"threads": args.threads, "tokens": args.tokens, "rows": rows,
                                         "rounds": rounds}, indent=2))


if __name__ == "__main__":
    main()

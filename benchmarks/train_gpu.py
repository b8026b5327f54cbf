"""GPU training throughput and MFU of our loop for the model presets (bf16 autocast).

Runs the real ``TrainLoop`` step (fused AdamW, chunked LM-head cross-entropy, SDPA attention,
optional torch.compile) on random token rows of the preset's shape and prints one table row per
configuration: tokens/s, MFU against the GPU's dense bf16 peak, peak memory. Needs only torch,
transformers, numpy, pyyaml and tqdm, so it runs on the GPU machine without the pipeline's deps.

    python benchmarks/train_gpu.py --presets small,1b --steps 12 --compile both
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MICRO_BATCH = {"tiny": 8, "small": 16, "1b": 8, "h4096": 4}


# Shapes that are not presets: hidden 4096 (Llama-2-7B widths) with few layers, to fit the time box.
SHAPES = {"h4096": {"base": "1b", "hidden_size": 4096, "intermediate_size": 11008, "num_heads": 32,
                    "num_kv_heads": 8, "num_layers": 4}}


def preset(name: str):
    import yaml

    from train.config import ModelConfig

    overrides = dict(SHAPES.get(name, {}))
    base = overrides.pop("base", name)
    values = yaml.safe_load((REPO / "configs" / "model" / f"{base}.yaml").read_text())
    return ModelConfig(**{**values, **overrides, "name": name})


def measure(name: str, steps: int, seq_len: int, micro: int, compile_model: bool, label: str,
            fp8_history: int | None = None) -> dict:
    """``label``: bf16 | fp8 (TE whole layers, the default) | fp8-linear (TE linears only)."""
    import numpy as np
    import torch

    from train import model as llama
    from train.config import TrainConfig
    from train.core.distributed import World
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog
    from train.packing import PackedRows

    model_cfg = preset(name)
    from train.config import FP8Config

    precision, _, te_modules = label.partition("-")

    cfg = TrainConfig(steps=steps + 1000, seq_len=seq_len, micro_batch_size=micro, precision=precision,
                      compile=compile_model, loss_chunk_rows=4096)
    cfg.fp8 = FP8Config(backend="auto", te_modules=te_modules or "layer")
    if fp8_history is not None:
        cfg.fp8.amax_history_len = fp8_history
    cfg.optim = dataclasses.replace(cfg.optim, warmup_steps=10)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    rng = np.random.default_rng(0)
    rows = PackedRows([rng.integers(0, model_cfg.vocab_size, (micro * (steps + 4), seq_len + 1)).astype(np.int32)],
                      seq_len)
    config = llama.llama_config(model_cfg, model_cfg.vocab_size, 0, 1, 2)
    model = llama.create(config, cfg.seed)
    counts = llama.parameter_count(model)
    with tempfile.TemporaryDirectory() as tmp:
        loop = TrainLoop(cfg, LoopInputs(
            model=model, train=rows, val=rows, world=World(0, 1, 0, device),
            checkpoint_dir=Path(tmp), metrics=MetricsLog(Path(tmp) / "m.jsonl", enabled=False),
            flops_per_token=llama.flops_per_token(config, seq_len, counts["params_non_embedding"]),
            peak_flops=llama.peak_flops(device),
        ))
        module = loop.step_module()
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats()
        started = time.perf_counter()
        records = []
        for _ in range(steps):
            records.append(loop.train_step(module))
            loop.step += 1
        wall = time.perf_counter() - started
    timed = records[3:] if len(records) > 5 else records[1:]  # warm-up and compilation excluded
    tokens_s = statistics.median(r["tokens_per_s"] for r in timed)
    mfu = statistics.median(r["mfu"] for r in timed) if timed and "mfu" in timed[0] else None
    return {
        "preset": name, "params_M": round(counts["params"] / 1e6, 1), "precision": label,
        "compile": compile_model, "micro_batch": micro, "seq_len": seq_len, "steps": steps,
        "tokens_per_s": round(tokens_s), "mfu": round(mfu, 4) if mfu is not None else None,
        "first_step_s": round(records[0]["step_s"], 1), "wall_s": round(wall, 1),
        "loss_first": round(records[0]["loss"], 3), "loss_last": round(records[-1]["loss"], 3),
        "peak_mem_GiB": round(torch.cuda.max_memory_allocated() / 2**30, 1) if device.type == "cuda" else None,
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "fp8_backend": f"{loop.fp8.backend}:{loop.fp8.modules}" if loop.fp8 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="small,1b")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--seq-len", type=int, default=2048)
    parser.add_argument("--micro", default="", help="preset=N,... overrides of the micro batch")
    parser.add_argument("--compile", choices=["off", "on", "both"], default="both")
    parser.add_argument("--precision", default="bf16",
                        help="comma-separated: bf16, fp8 (TE TransformerLayers), fp8-linear (TE linears only)")
    parser.add_argument("--json", default="", help="also append the rows to this JSONL file")
    args = parser.parse_args()
    from train.fp8 import preload_te

    preload_te()  # before CUDA libraries load (see train/fp8.py)
    micro = dict(MICRO_BATCH)
    for item in filter(None, args.micro.split(",")):
        key, value = item.split("=")
        micro[key] = int(value)
    modes = {"off": [False], "on": [True], "both": [False, True]}[args.compile]
    rows = []
    for name in args.presets.split(","):
        for compile_model, precision in [(c, p) for c in modes for p in args.precision.split(",")]:
            try:
                row = measure(name, args.steps, args.seq_len, micro[name], compile_model, precision)
            except Exception as err:  # an OOM or compile failure is a result to record, not a crash
                row = {"preset": name, "compile": compile_model, "precision": precision,
                       "error": f"{type(err).__name__}: {str(err)[:300]}"}
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.json:
                with open(args.json, "a") as handle:
                    handle.write(json.dumps(row) + "\n")
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    print(f"\n{'preset':>6} {'prec':>10} {'compile':>7} {'micro':>5} {'tokens/s':>10} {'MFU':>6} {'mem GiB':>7} "
          f"{'vs bf16':>7}  device")
    bf16 = {(r["preset"], r["compile"]): r["tokens_per_s"] for r in rows
            if r.get("precision") == "bf16" and "error" not in r}
    for row in rows:
        if "error" in row:
            print(f"{row['preset']:>6} {row['precision']:>10} {str(row['compile']):>7}  error: {row['error']}")
            continue
        mfu = f"{row['mfu'] * 100:.1f}%" if row["mfu"] is not None else "-"
        base = bf16.get((row["preset"], row["compile"]))
        ratio = f"{row['tokens_per_s'] / base:.2f}x" if base else "-"
        print(f"{row['preset']:>6} {row['precision']:>10} {str(row['compile']):>7} {row['micro_batch']:>5} "
              f"{row['tokens_per_s']:>10} {mfu:>6} {str(row['peak_mem_GiB']):>7} {ratio:>7}  {row['device']}")


if __name__ == "__main__":
    main()

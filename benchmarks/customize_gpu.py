"""GPU LoRA throughput and peak memory for the model presets: our stage's loop vs a plain HF PEFT loop.

For each preset (random init, as in benchmarks/train_gpu.py) and configuration, trains a LoRA
(rank 16, alpha 32, all seven projections) for ``--steps`` steps on synthetic chat examples:
random tokens, ``--seq-len`` long, the last ``--answer-frac`` of each labelled (the rest is
prompt, label -100), lengths varying by up to 25% so right padding is exercised. Prints one
table row per configuration and appends JSON rows to ``--json``.

Configurations (``--configs``, comma-separated):
  ours          train.core.loop.TrainLoop + customize.loss.AnswerLoss (LM head on answer tokens
                only), frozen base in bf16, LoRA weights fp32, bf16 autocast, fused AdamW
  ours+compile  the same with torch.compile
  hf            baseline: PEFT model on the bf16 base, bf16 autocast, HF's own loss
                (``model(input_ids, labels=...)``: full logits), torch AdamW (fused)
  fp8           ours with precision=fp8 (train/fp8.py: Transformer Engine when importable and the
                GPU has FP8, else the emulated backend). Whether TE's FP8 path works under PEFT's
                LoRA wrappers is what this row measures: an error is recorded, not raised.

Needs only torch, transformers, peft, numpy, pyyaml and tqdm (TE optional for fp8).

    python benchmarks/customize_gpu.py --presets small,1b --steps 20 --configs ours,hf,ours+compile,fp8 \
        --json customize_gpu.jsonl
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

MICRO_BATCH = {"tiny": 16, "small": 16, "1b": 8}
LORA = {"rank": 16, "alpha": 32, "dropout": 0.0,  # the stage default
        "targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]}


def synthetic(vocab: int, count: int, seq_len: int, answer_frac: float, seed: int = 0):
    import numpy as np

    from customize.batches import ChatBatches

    rng = np.random.default_rng(seed)
    ids, labels = [], []
    for _ in range(count):
        length = int(seq_len * rng.uniform(0.75, 1.0))
        row = rng.integers(3, vocab, length).astype(np.int64)
        target = row.copy()
        target[: length - int(length * answer_frac)] = -100
        ids.append(row)
        labels.append(target)
    return ChatBatches(ids, labels, pad_id=2)


def _base(name: str, dtype):
    import torch

    from benchmarks.train_gpu import preset
    from train import model as llama

    model_cfg = preset(name)
    model = llama.create(llama.llama_config(model_cfg, model_cfg.vocab_size, 0, 1, 2), 1234).to(dtype)
    return model, model_cfg, torch


def _peft(model, autocast: bool = False):
    from customize import lora

    return lora.wrap(model, "bench", LORA["rank"], LORA["alpha"], LORA["dropout"], LORA["targets"], seed=1234,
                     autocast=autocast)


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(name: str, config: str, steps: int, seq_len: int, micro: int, answer_frac: float,
            device_name: str = "cuda") -> dict:
    import torch

    from customize.config import _adapter_optim
    from customize.loss import AnswerLoss
    from train.core.distributed import World
    from train.core.loop import LoopInputs, LoopSettings, TrainLoop
    from train.core.metrics import MetricsLog
    from train.model import peak_flops

    device = torch.device(device_name)
    base, model_cfg, _ = _base(name, torch.bfloat16)
    model = _peft(base, autocast=config != "hf")
    batches = synthetic(model_cfg.vocab_size, micro * (steps + 2), seq_len, answer_frac)
    lengths = batches.lengths()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    times, tokens = [], []
    if config == "hf":
        model.to(device).train()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=1e-3, fused=True)
        fp8 = None
        for step in range(steps):
            rows = list(range(step * micro, (step + 1) * micro))
            batch = {k: v.to(device) for k, v in batches.batch(rows).items()}
            _sync(device)
            started = time.perf_counter()
            with torch.autocast(device.type, dtype=torch.bfloat16):
                loss = model(input_ids=batch["input_ids"], labels=batch["labels"]).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            _sync(device)
            times.append(time.perf_counter() - started)
            tokens.append(int(lengths[rows].sum()))
    else:
        precision = "fp8" if config == "fp8" else "bf16"
        settings = LoopSettings(steps=steps + 1000, micro_batch_size=micro, precision=precision,
                                optim=_adapter_optim(), compile=config == "ours+compile")
        with tempfile.TemporaryDirectory() as tmp:
            loop = TrainLoop(settings, LoopInputs(
                model=model, loss=AnswerLoss(model), train=batches, val=batches, world=World(0, 1, 0, device),
                checkpoint_dir=Path(tmp), metrics=MetricsLog(Path(tmp) / "m.jsonl", enabled=False),
                flops_per_token=1.0, peak_flops=peak_flops(device), trainable_only=True,
            ))
            module = loop.step_module()
            for _ in range(steps):
                rows = loop.order.micro_rows(loop.step, 0, 0, 1, micro)
                _sync(device)
                started = time.perf_counter()
                loop.train_step(module)
                _sync(device)
                times.append(time.perf_counter() - started)
                tokens.append(int(lengths[rows].sum()))
                loop.step += 1
            fp8 = f"{loop.fp8.backend}:{loop.fp8.modules}" if loop.fp8 is not None else None
    timed = list(zip(tokens, times))[3:] if steps > 5 else list(zip(tokens, times))[1:]
    return {
        "preset": name, "config": config, "micro_batch": micro, "seq_len": seq_len, "steps": steps,
        "tokens_per_s": round(statistics.median(t / s for t, s in timed)),
        "first_step_s": round(times[0], 2),
        "peak_mem_GiB": round(torch.cuda.max_memory_allocated() / 2**30, 2) if device.type == "cuda" else None,
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu", "fp8_backend": fp8 if config == "fp8" else None,
        "torch": torch.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="small,1b")
    parser.add_argument("--configs", default="ours,hf,ours+compile,fp8")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seq-len", type=int, default=1024)
    parser.add_argument("--answer-frac", type=float, default=0.25)
    parser.add_argument("--micro", default="", help="preset=N,... overrides of the micro batch")
    parser.add_argument("--json", default="customize_gpu.jsonl", help="append the rows to this JSONL file")
    parser.add_argument("--device", default="cuda", help="cpu: a functional check of the script (tiny preset)")
    args = parser.parse_args()

    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("customize_gpu.py needs a CUDA GPU (or --device cpu for a functional check)")
    if "fp8" in args.configs.split(","):
        from train.fp8 import preload_te

        preload_te()  # before CUDA libraries load (see train/fp8.py)
    micro = dict(MICRO_BATCH)
    for item in filter(None, args.micro.split(",")):
        key, value = item.split("=")
        micro[key] = int(value)
    rows = []
    for name in args.presets.split(","):
        for config in args.configs.split(","):
            try:
                row = measure(name, config, args.steps, args.seq_len, micro[name], args.answer_frac, args.device)
            except Exception as err:  # an OOM, a compile failure or FP8 under LoRA failing is a result
                row = {"preset": name, "config": config, "error": f"{type(err).__name__}: {str(err)[:400]}"}
            rows.append(row)
            print(json.dumps(row), flush=True)
            with open(args.json, "a") as handle:
                handle.write(json.dumps(row) + "\n")
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
    print(f"\nLoRA r{LORA['rank']} on all 7 projections, seq {args.seq_len} ({args.answer_frac:.0%} answer tokens), "
          f"{args.steps} steps, median of steps 4..")
    print(f"{'preset':>6} {'config':>13} {'micro':>5} {'tokens/s':>10} {'vs hf':>6} {'peak GiB':>8} {'first s':>7}")
    hf = {r["preset"]: r["tokens_per_s"] for r in rows if r.get("config") == "hf" and "error" not in r}
    for row in rows:
        if "error" in row:
            print(f"{row['preset']:>6} {row['config']:>13}  error: {row['error'][:200]}")
            continue
        ratio = f"{row['tokens_per_s'] / hf[row['preset']]:.2f}x" if row["preset"] in hf else "-"
        print(f"{row['preset']:>6} {row['config']:>13} {row['micro_batch']:>5} {row['tokens_per_s']:>10} {ratio:>6} "
              f"{row['peak_mem_GiB']!s:>8} {row['first_step_s']:>7}")


if __name__ == "__main__":
    main()

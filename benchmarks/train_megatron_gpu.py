"""megatron engine vs our native engine on one GPU: tokens/s, MFU, peak memory, FP8 speed-ups, and
where each step's GPU time goes.

Same preset, sequence length, micro batch and random token rows for every row; the initial weights
are the same HF Llama (seeded) for both engines. Modes:

- ``native-bf16``: our TrainLoop, HF layers (SDPA attention), bf16 autocast (the FP8 tables' baseline);
- ``native-bf16-te``: the same with every decoder layer swapped for a te.TransformerLayer but no FP8
  (TE's fused norm+GEMM, SwiGLU and attention alone: separates fusion from FP8 GEMMs);
- ``native-fp8``: TE layers under FP8 delayed scaling (train.fp8 defaults);
- ``megatron-bf16`` / ``megatron-fp8``: megatron-core GPTModel (TE layer spec when TE imports), bf16
  weights with fp32 masters, distributed optimizer, FP8 through megatron's TE integration.

MFU = tokens/s x (6 N + 12 L H T) / peak, with the GPU's dense bf16 peak (train/model.py:
989.4 TFLOP/s for H100 SXM and H200), for FP8 rows too. ``--profile`` adds a per-step GPU time split
from torch.profiler kernel names: GEMMs, attention, optimizer, everything else (norms, RoPE,
activations, casts: mostly memory-bound) and the step time no kernel covered (launch gaps).

    python benchmarks/train_megatron_gpu.py --presets 1b --modes all --steps 12 --profile --json out.jsonl
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

MODES = ("native-bf16", "native-bf16-te", "native-fp8", "megatron-bf16", "megatron-fp8")
KERNEL_KINDS = (  # first match wins; lower-case substrings of CUDA kernel names
    ("attention", ("flash", "fmha", "attn", "attention", "cudnn_generated", "sdpa")),
    ("gemm", ("gemm", "cutlass", "nvjet", "xmma", "cublas", "matmul", "sm90_", "sm100_", "wgmma")),
    ("optimizer", ("adam", "multi_tensor", "multitensor")),
)


def rows_for(vocab: int, micro: int, steps: int, seq: int):
    import numpy as np

    from train.packing import PackedRows

    rng = np.random.default_rng(0)
    return PackedRows([rng.integers(0, vocab, (micro * (steps + 4), seq + 1)).astype(np.int32)], seq)


def train_config(mode: str, steps: int, seq: int, micro: int):
    from train.config import FP8Config, TrainConfig

    engine, _, precision = mode.partition("-")
    precision = "fp8" if precision.startswith("fp8") or precision == "bf16-te" else "bf16"
    cfg = TrainConfig(
        steps=steps + 1000,
        seq_len=seq,
        micro_batch_size=micro,
        precision=precision,
        loss_chunk_rows=4096,
        engine=engine,
        eval_every=10**6,
        checkpoint_every=10**6,
    )
    cfg.fp8 = FP8Config(backend="te", te_modules="layer")
    cfg.optim.warmup_steps = 10
    return cfg


@contextlib.contextmanager
def native_stepper(mode: str, model_cfg, steps: int, seq: int, micro: int, compile_model: bool):
    import contextlib as ctx

    import torch

    from train import model as llama
    from train.core.distributed import World
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog

    cfg = train_config(mode, steps, seq, micro)
    cfg.compile = compile_model
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # cpu: a smoke run of the script
    config = llama.llama_config(model_cfg, model_cfg.vocab_size, 0, 1, 2)
    model = llama.create(config, cfg.seed)
    counts = llama.parameter_count(model)
    rows = rows_for(model_cfg.vocab_size, micro, steps, seq)
    with tempfile.TemporaryDirectory() as tmp:
        loop = TrainLoop(
            cfg,
            LoopInputs(
                model=model,
                train=rows,
                val=rows,
                world=World(0, 1, 0, device),
                checkpoint_dir=Path(tmp),
                metrics=MetricsLog(Path(tmp) / "m.jsonl", enabled=False),
                flops_per_token=llama.flops_per_token(config, seq, counts["params_non_embedding"]),
                peak_flops=llama.peak_flops(device),
            ),
        )
        if mode == "native-bf16-te":
            loop.fp8.autocast = ctx.nullcontext  # TE layers, no FP8 recipe: fusion alone
        module = loop.step_module()

        def step():
            record = loop.train_step(module)
            loop.step += 1
            return record

        yield step, counts["params"], f"te:{loop.fp8.modules}" if loop.fp8 else "hf-sdpa"


@contextlib.contextmanager
def megatron_stepper(mode: str, model_cfg, steps: int, seq: int, micro: int):
    from train import megatron_engine as engine
    from train import model as llama
    from train.megatron_model import param_counts

    cfg = train_config(mode, steps, seq, micro)
    config = llama.llama_config(model_cfg, model_cfg.vocab_size, 0, 1, 2)
    hf = llama.create(config, cfg.seed)
    rows = rows_for(model_cfg.vocab_size, micro, steps, seq)
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        with engine.single_run(
            cfg, hf, rows, rows, Path(tmp), peak_flops=llama.peak_flops(torch.device("cuda"))
        ) as trainer:
            del hf

            def step():
                record = trainer.train_step()
                trainer.step += 1
                return record

            yield step, param_counts(trainer.plan.shape)["params"], f"megatron:{trainer.plan.layout}"


def kernel_split(step, repeats: int = 2) -> dict[str, float]:
    """Milliseconds per step by kernel kind, from torch.profiler's CUDA kernel events."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    torch.cuda.synchronize()
    started = time.perf_counter()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(repeats):
            step()
        torch.cuda.synchronize()
    wall = (time.perf_counter() - started) * 1e3 / repeats
    split = {kind: 0.0 for kind, _ in KERNEL_KINDS} | {"other": 0.0}
    for event in prof.events():
        if getattr(event, "device_type", None) != torch.autograd.DeviceType.CUDA:
            continue
        name = event.name.lower()
        kind = next((k for k, keys in KERNEL_KINDS if any(key in name for key in keys)), "other")
        split[kind] += event.time_range.elapsed_us() / 1e3 / repeats
    busy = sum(split.values())
    return {
        **{f"{k}_ms": round(v, 2) for k, v in split.items()},
        "kernels_ms": round(busy, 2),
        "step_ms_profiled": round(wall, 2),
        "idle_ms": round(max(wall - busy, 0.0), 2),
    }


def measure(
    name: str, mode: str, steps: int, seq: int, micro: int, compile_model: bool, profile: bool
) -> dict:
    import torch
    from train_gpu import preset

    from train import model as llama

    model_cfg = preset(name)
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    stepper = (
        megatron_stepper(mode, model_cfg, steps, seq, micro)
        if mode.startswith("megatron")
        else native_stepper(mode, model_cfg, steps, seq, micro, compile_model)
    )
    started = time.perf_counter()
    with stepper as (step, params, impl):
        records = [step() for _ in range(steps)]
        split = {}
        if profile and cuda:
            try:
                split = kernel_split(step)
            except Exception as err:  # noqa: BLE001 a profiler problem must not lose the timing row
                split = {"profile_error": f"{type(err).__name__}: {str(err)[:120]}"}
    timed = records[3:] if len(records) > 5 else records[1:]
    step_s = statistics.median(r["step_s"] for r in timed)
    device = torch.device("cuda" if cuda else "cpu")
    return {
        "preset": name,
        "mode": mode,
        "impl": impl,
        "compile": compile_model,
        "params_M": round(params / 1e6, 1),
        "micro_batch": micro,
        "seq_len": seq,
        "steps": steps,
        "tokens_per_s": round(statistics.median(r["tokens_per_s"] for r in timed)),
        "mfu": round(statistics.median(r["mfu"] for r in timed), 4) if timed[0].get("mfu") else None,
        "step_ms": round(step_s * 1e3, 1),
        "loss_first": round(records[0]["loss"], 3),
        "loss_last": round(records[-1]["loss"], 3),
        "peak_mem_GiB": round(torch.cuda.max_memory_allocated() / 2**30, 1) if cuda else None,
        "wall_s": round(time.perf_counter() - started, 1),
        "device": torch.cuda.get_device_name() if cuda else "cpu",
        "peak_tflops": (llama.peak_flops(device) or 0) / 1e12,
        **split,
    }


def print_tables(rows: list[dict]) -> None:
    print(
        f"\n{'preset':>6} {'mode':>15} {'impl':>16} {'tokens/s':>9} {'MFU':>6} {'step ms':>8} {'mem GiB':>7}  device"
    )
    for r in rows:
        if "error" in r:
            print(f"{r['preset']:>6} {r['mode']:>15}  error: {r['error']}")
            continue
        mfu = f"{r['mfu'] * 100:.1f}%" if r["mfu"] is not None else "-"
        print(
            f"{r['preset']:>6} {r['mode']:>15} {r['impl']:>16} {r['tokens_per_s']:>9} {mfu:>6} {r['step_ms']:>8} "
            f"{str(r['peak_mem_GiB']):>7}  {r['device']} (MFU vs {r['peak_tflops']:.1f} TFLOP/s dense bf16)"
        )
    ok = {(r["preset"], r["mode"]): r for r in rows if "error" not in r}
    print("\nFP8 speed-up (tokens/s ratio):")
    for preset in dict.fromkeys(r["preset"] for r in rows):
        pairs = (
            ("native-fp8", "native-bf16", "native: TE-layer FP8 vs HF-layer bf16 (the FP8 tables' ratio)"),
            ("native-bf16-te", "native-bf16", "native: TE layers without FP8 vs HF layers (fusion alone)"),
            ("native-fp8", "native-bf16-te", "native: FP8 vs bf16 on the same TE layers (FP8 GEMMs alone)"),
            ("megatron-fp8", "megatron-bf16", "megatron: FP8 vs bf16"),
            ("megatron-bf16", "native-bf16", "megatron bf16 vs native bf16"),
        )
        for a, b, what in pairs:
            if (preset, a) in ok and (preset, b) in ok:
                print(
                    f"  {preset:>6} {ok[(preset, a)]['tokens_per_s'] / ok[(preset, b)]['tokens_per_s']:5.2f}x  {what}"
                )
    split_rows = [r for r in rows if "gemm_ms" in r]
    if split_rows:
        print(
            f"\n{'preset':>6} {'mode':>15} {'step':>7} {'GEMM':>7} {'attn':>7} {'optim':>7} {'other':>7} {'idle':>7}  (ms per step)"
        )
        for r in split_rows:
            print(
                f"{r['preset']:>6} {r['mode']:>15} {r['step_ms_profiled']:>7} {r['gemm_ms']:>7} {r['attention_ms']:>7} "
                f"{r['optimizer_ms']:>7} {r['other_ms']:>7} {r['idle_ms']:>7}"
            )


# H100 SXM 3.35 TB/s vs H200 4.8 TB/s HBM, the same dense tensor-core peak: memory-bound kernels
# (elementwise, norms, casts, Adam) run ~1.43x longer on an H100, GEMMs and attention about the same.
BANDWIDTH_RATIO = {"H200": 4.8 / 3.35, "H100": 3.35 / 4.8}


def projection(rows: list[dict]) -> None:
    """The other Hopper's step time from this one's split: GEMM + attention unchanged, memory-bound
    kernels scaled by the HBM bandwidth ratio. If the FP8 speed-up projected for an H100 from an H200
    run lands near the H100's measured 1.96x (and vice versa), the bandwidth explains the gap."""
    split = {(r["preset"], r["mode"]): r for r in rows if "gemm_ms" in r}
    for (preset, mode), fp8 in split.items():
        base_mode = {"native-fp8": "native-bf16", "megatron-fp8": "megatron-bf16"}.get(mode)
        if base_mode is None or (preset, base_mode) not in split:
            continue
        base = split[(preset, base_mode)]
        gpu = next((k for k in BANDWIDTH_RATIO if k in fp8["device"]), None)
        if gpu is None:
            continue
        factor = 1 / BANDWIDTH_RATIO[gpu]  # this GPU's memory-bound time -> the other GPU's
        other = "H100" if gpu == "H200" else "H200"

        def projected(r: dict) -> float:
            return (
                r["gemm_ms"] + r["attention_ms"] + r["idle_ms"] + (r["other_ms"] + r["optimizer_ms"]) * factor
            )

        measured = base["step_ms_profiled"] / fp8["step_ms_profiled"]
        print(
            f"  {preset:>6} {mode}: measured {measured:.2f}x on this {gpu}; projected on an {other}: "
            f"{projected(base) / projected(fp8):.2f}x (bf16 step memory-bound share "
            f"{(base['other_ms'] + base['optimizer_ms']) / base['step_ms_profiled']:.0%}, fp8 "
            f"{(fp8['other_ms'] + fp8['optimizer_ms']) / fp8['step_ms_profiled']:.0%})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="1b,h4096")
    parser.add_argument("--modes", default="all", help=f"comma-separated of {', '.join(MODES)}, or all")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--seq-len", type=int, default=2048)
    parser.add_argument("--micro", default="", help="preset=N,... overrides of the micro batch")
    parser.add_argument("--compile", action="store_true", help="torch.compile the native rows")
    parser.add_argument("--profile", action="store_true", help="add the per-step GPU time split")
    parser.add_argument("--json", default="", help="also append the rows to this JSONL file")
    args = parser.parse_args()
    from train.fp8 import preload_te

    preload_te()  # before CUDA libraries load (see train/fp8.py)
    from train_gpu import MICRO_BATCH

    micro = dict(MICRO_BATCH)
    for item in filter(None, args.micro.split(",")):
        key, value = item.split("=")
        micro[key] = int(value)
    modes = MODES if args.modes == "all" else tuple(args.modes.split(","))
    rows = []
    for name in args.presets.split(","):
        for mode in modes:
            try:
                row = measure(name, mode, args.steps, args.seq_len, micro[name], args.compile, args.profile)
            except Exception as err:  # noqa: BLE001 an OOM or a missing library is a row, not a crash
                row = {"preset": name, "mode": mode, "error": f"{type(err).__name__}: {str(err)[:300]}"}
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.json:
                with open(args.json, "a") as handle:
                    handle.write(json.dumps(row) + "\n")
    print_tables(rows)
    if any("gemm_ms" in r for r in rows):
        print("\nFP8 speed-up on the other Hopper GPU, projected from this run's kernel split:")
        projection(rows)


if __name__ == "__main__":
    main()

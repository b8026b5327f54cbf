"""One training run for the multi-GPU comparisons (issue 18): either engine, any tp / pp / dp.

Launched as one process (1 GPU) or under torchrun (DDP for the native engine, tp x pp x dp for
megatron). Every run of a comparison reads the same rows: a seeded order-2 Markov source
(benchmarks/train_fp8_parity.py, learnable, never repeating), the same global batch
(micro x accum x data-parallel size) and starts from the same seeded HF Llama, so the loss curves
of 1 and 2 GPUs should agree step by step. Rank 0 writes ``result.json`` (per-step losses,
tokens/s overall and per GPU, peak memory of every rank) and the HF export ``hf/``.

    python benchmarks/multigpu/lm_run.py --engine native --precision bf16 --accum 2 --out /tmp/mg/native-1gpu
    torchrun --standalone --nproc_per_node 2 benchmarks/multigpu/lm_run.py --engine megatron --tp 2 \\
        --accum 2 --out /tmp/mg/megatron-tp2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def markov_rows(vocab: int, rows: int, seq: int, seed: int):
    from train_fp8_parity import MarkovSource

    from train.packing import PackedRows

    source = MarkovSource(vocab, successors=8, zipf=1.0, classes=2, seed=seed)
    return PackedRows([source.rows(rows, seq + 1, stream=0).astype("int64")], seq)


def train_config(args):
    from train.config import FP8Config, ParallelConfig, TrainConfig

    cfg = TrainConfig(
        steps=args.steps,
        seq_len=args.seq_len,
        micro_batch_size=args.micro,
        grad_accum=args.accum,
        precision=args.precision,
        engine=args.engine,
        eval_every=10**6,
        checkpoint_every=10**6,
        loss_chunk_rows=4096,
        device=args.device,
        parallel=ParallelConfig(tp=args.tp, pp=args.pp, sequence_parallel=args.sequence_parallel),
    )
    cfg.fp8 = FP8Config(backend="te" if args.device != "cpu" else "emulated", reduce_amax=True)
    cfg.optim.lr, cfg.optim.warmup_steps = args.lr, 10
    cfg.validate()
    return cfg


# Objects that hold the process group (the DDP wrapper's Reducer). Freeing them at function exit
# deadlocked a CPU run (torch 2.13, gloo): ~ProcessGroupGloo joined its worker thread while holding
# the GIL, and the worker, finishing the last barrier, waited for the GIL to free a tensor. Each
# rank therefore ends with os._exit once its results are written, without running destructors.
_KEEP: list = []


def gather_floats(value: float, device) -> list[float]:
    import torch

    if not (torch.distributed.is_available() and torch.distributed.is_initialized()):
        return [value]
    out = [torch.zeros(1, device=device) for _ in range(torch.distributed.get_world_size())]
    torch.distributed.all_gather(out, torch.tensor([value], device=device))
    return [t.item() for t in out]


def peak_memory(device) -> float:
    import torch

    return torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else 0.0


def run_native(args, cfg, hf, rows, out: Path) -> dict:
    from train import model as llama
    from train.core import distributed
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog

    world = distributed.init(cfg.device)
    try:
        counts = llama.parameter_count(hf)
        loop = TrainLoop(
            cfg,
            LoopInputs(
                model=hf,
                train=rows,
                val=rows,
                world=world,
                checkpoint_dir=out / "ckpt",
                metrics=MetricsLog(out / "metrics.jsonl", enabled=False),
                flops_per_token=llama.flops_per_token(hf.config, cfg.seq_len, counts["params_non_embedding"]),
                peak_flops=llama.peak_flops(world.device),
            ),
        )
        module = loop.step_module()
        records = []
        for _ in range(cfg.steps):
            records.append(loop.train_step(module))
            loop.step += 1
        memory = gather_floats(peak_memory(world.device), world.device)
        if loop.fp8 is not None:
            loop.fp8.restore(loop.model)
        if world.is_main:
            llama.save_hf(loop.model, out / "hf")
        distributed.barrier(world)  # the others wait for the export: leaving early hung gloo's teardown
        info = {
            "world_size": world.size,
            "dp": world.size,
            "tp": 1,
            "pp": 1,
            "global_batch": loop.global_batch,
            "impl": f"native:{loop.fp8.backend}:{loop.fp8.modules}" if loop.fp8 else "native:hf",
        }
        _KEEP.extend([module, loop])  # freed only by os._exit: see _KEEP
        return {"records": records, "memory": memory, "is_main": world.is_main, **info}
    finally:
        distributed.shutdown(world)


def run_megatron(args, cfg, hf, rows, out: Path) -> dict:
    import torch

    from train import megatron_engine as engine
    from train import model as llama
    from train.core import checkpoint

    config = hf.config
    peak = llama.peak_flops(torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0"))))
    with engine.single_run(cfg, hf, rows, rows, out, peak_flops=peak) as trainer:
        layout = trainer.layout
        records = []
        for _ in range(cfg.steps):
            records.append(trainer.train_step())
            trainer.step += 1
        memory = gather_floats(peak_memory(layout.device), layout.device)
        trainer.save()
        if layout.is_main:
            state = engine.hf_state_from_checkpoint(checkpoint.latest(out / "ckpt"), trainer.plan.shape)
            llama.save_hf(engine.to_hf_model(config, state), out / "hf")
        info = {
            "world_size": layout.world_size,
            "dp": layout.dp,
            "tp": layout.tp,
            "pp": layout.pp,
            "global_batch": trainer.global_batch,
            "impl": f"megatron:{trainer.plan.layout}",
            "fp8_check": trainer.fp8_state,
        }
        return {"records": records, "memory": memory, "is_main": layout.is_main, **info}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["native", "megatron"], required=True)
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp8"], default="bf16")
    parser.add_argument("--preset", default="1b", help="a configs/model preset, or h4096")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--seq-len", type=int, default=2048)
    parser.add_argument("--micro", type=int, default=8)
    parser.add_argument("--accum", type=int, default=1)
    parser.add_argument("--tp", type=int, default=1)
    parser.add_argument("--pp", type=int, default=1)
    parser.add_argument("--sequence-parallel", action="store_true")
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    from train.fp8 import preload_te

    preload_te()
    import torch
    from train_gpu import preset

    from train import model as llama

    model_cfg = preset(args.preset)
    cfg = train_config(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    dp = world // (args.tp * args.pp)
    rows = markov_rows(model_cfg.vocab_size, args.micro * args.accum * dp * args.steps, args.seq_len, seed=7)
    hf = llama.create(llama.llama_config(model_cfg, model_cfg.vocab_size, 0, 1, 2), cfg.seed)
    started = time.perf_counter()
    result = (run_native if args.engine == "native" else run_megatron)(args, cfg, hf, rows, out)
    if not result.pop("is_main"):
        _exit()
    records = result.pop("records")
    memory = result.pop("memory")
    timed = records[3:] if len(records) > 5 else records[1:]
    tokens_s = statistics.median(r["tokens_per_s"] for r in timed)
    summary = {
        "name": out.name,
        "engine": args.engine,
        "precision": args.precision,
        "preset": args.preset,
        "micro": args.micro,
        "accum": args.accum,
        "seq_len": args.seq_len,
        "steps": args.steps,
        **result,
        "losses": [r["loss"] for r in records],
        "tokens_per_s": round(tokens_s),
        "tokens_per_s_per_gpu": round(tokens_s / result["world_size"]),
        "mfu": statistics.median(r["mfu"] for r in timed) if timed[0].get("mfu") else None,
        "peak_mem_GiB_per_rank": [round(m, 1) for m in memory],
        "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
        "wall_s": round(time.perf_counter() - started, 1),
    }
    (out / "result.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "losses"}), flush=True)
    _exit()


def _exit() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()

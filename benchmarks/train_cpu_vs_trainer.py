"""CPU training throughput: our loop vs a plain ``transformers.Trainer``, same model, data and threads.

Both train the ``tiny`` preset (a fresh model from the same seed) on the same packed rows of the
embedded owner's manual, batch 8 x 256 tokens, AdamW with clipping, on the same number of
threads. Configurations run alternately, ``--rounds`` times each, so a load spike on a shared
machine hits both; the table shows the median step throughput of each (first 2 steps excluded).
A short uncounted warm-up round comes first: on this VM the first configuration in a fresh
process ran up to 10x slower (fresh memory pages are slow to fault in), whichever it was.
``ours+compile`` (torch.compile, bf16) runs once, in the last round; its compile time is
reported separately, as it is paid once per run.

    python benchmarks/train_cpu_vs_trainer.py --threads 2 --steps 12 --rounds 2
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SEQ, MICRO = 256, 8


def packed_rows(tmp: Path, vocab: int):
    from tests.train_support import manual_sections
    from train import tokenizer as tok
    from train.corpus import Document
    from train.packing import PackedRows, pack_documents

    docs = manual_sections()
    tokenizer = tok.train_bpe([t for _, t in docs], vocab)
    pack_documents((Document(i, t) for i, t in docs),
                   lambda texts: [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)],
                   tok.eos_id(tokenizer), vocab, SEQ, 1234, 0.05, tmp)
    return PackedRows.open(tmp, "train")


def fresh_model():
    from benchmarks.train_gpu import preset
    from train import model as llama

    model_cfg = preset("tiny")
    return llama.create(llama.llama_config(model_cfg, model_cfg.vocab_size, 0, 1, 2), seed=1234)


def ours_compiled(rows, steps: int, precision: str) -> list[float]:
    return ours(rows, steps, precision, compile_model=True)


def ours(rows, steps: int, precision: str, compile_model: bool = False) -> list[float]:
    import torch

    from train.config import TrainConfig
    from train.core.distributed import World
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog

    cfg = TrainConfig(steps=steps, seq_len=SEQ, micro_batch_size=MICRO, precision=precision, compile=compile_model)
    cfg.optim = dataclasses.replace(cfg.optim, warmup_steps=2)
    with tempfile.TemporaryDirectory() as tmp:
        loop = TrainLoop(cfg, LoopInputs(fresh_model(), rows, rows, World(0, 1, 0, torch.device("cpu")), Path(tmp),
                                         MetricsLog(Path(tmp) / "m.jsonl", enabled=False), 1.0, None))
        module = loop.step_module()
        speeds = []
        for _ in range(steps):
            record = loop.train_step(module)
            speeds.append(record["tokens_per_s"])
            loop.step += 1
            if compile_model and loop.step == 1:
                print(f"  first (compiling) step: {record['step_s']:.0f} s", flush=True)
    return speeds[2:]


def hf_trainer(rows, steps: int, precision: str) -> list[float]:
    import numpy as np
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return len(rows)

        def __getitem__(self, i):
            ids = torch.from_numpy(rows.take(np.array([i]))[0, :SEQ])
            return {"input_ids": ids, "labels": ids}

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.speeds: list[float] = []

        def on_step_begin(self, args, state, control, **kwargs):
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.speeds.append(MICRO * SEQ / (time.perf_counter() - self.started))

    timer = StepTimer()
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp, per_device_train_batch_size=MICRO, max_steps=steps, learning_rate=3e-4,
            warmup_steps=2, lr_scheduler_type="cosine", weight_decay=0.1, adam_beta2=0.95, max_grad_norm=1.0,
            use_cpu=True, bf16=precision == "bf16", report_to=[], save_strategy="no", logging_steps=10**6,
            dataloader_num_workers=0, seed=1234, disable_tqdm=True,
        )
        Trainer(model=fresh_model(), args=args, train_dataset=Rows(), callbacks=[timer]).train()
    return timer.speeds[2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile configuration")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        rows = packed_rows(Path(tmp), 8192)
        runs = [(name, precision) for precision in args.precisions.split(",") for name in ("Trainer", "ours")]
        speeds: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
        for name, precision in runs:  # warm-up round, not counted
            (ours if name == "ours" else hf_trainer)(rows, 4, precision)
        functions = {"Trainer": hf_trainer, "ours": ours, "ours+compile": ours_compiled}
        for round_no in range(args.rounds):
            last = round_no == args.rounds - 1
            extra = [("ours+compile", "bf16")] if last and not args.no_compile else []
            for name, precision in runs + extra:
                got = functions[name](rows, args.steps, precision)
                speeds.setdefault((name, precision), [])
                speeds[(name, precision)] += got
                print(f"round {round_no + 1}: {name:8} {precision}: median {statistics.median(got):8.0f} tok/s",
                      flush=True)
    print(f"\ntiny preset, batch {MICRO} x {SEQ}, {args.threads} threads, {args.steps} steps x {args.rounds} rounds "
          f"(torch {torch.__version__})")
    print(f"{'precision':>9} {'Trainer tok/s':>14} {'ours tok/s':>11} {'speed-up':>9}")
    for precision in args.precisions.split(","):
        base = statistics.median(speeds[("Trainer", precision)])
        mine = statistics.median(speeds[("ours", precision)])
        print(f"{precision:>9} {base:>14.0f} {mine:>11.0f} {mine / base:>8.2f}x")
    if ("ours+compile", "bf16") in speeds:
        base = statistics.median(speeds[("Trainer", "bf16")])
        mine = statistics.median(speeds[("ours+compile", "bf16")])
        print(f"{'bf16+compile':>9} {base:>14.0f} {mine:>11.0f} {mine / base:>8.2f}x")


if __name__ == "__main__":
    main()

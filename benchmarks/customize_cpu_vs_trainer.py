"""CPU LoRA throughput: the customize stage's loop vs ``transformers.Trainer`` + PEFT, same everything.

Both train the same LoRA (rank 16, alpha 32, dropout 0 as the stage's default or --dropout, all seven projections) on the same
``tiny`` preset base (random init from one seed, tokenizer trained on the manual) on the same
tokenized cockpit_commands examples (chat template, answer-only labels, right padding to the
longest row of the batch), micro batch 16, AdamW + clipping, same threads and steps.
Configurations run alternately, ``--rounds`` times each, after an uncounted warm-up round (a
fresh process's first configuration runs slowly on this VM, whichever it is). The table shows
the median over steps 3.. of real (non-padding) tokens per second.

Ours: train.core.loop.TrainLoop with customize.loss.AnswerLoss (the LM head only where labels
exist), the frozen base stored in bf16 when precision is bf16, and the attention kernel the stage
picks (customize.lora.attention_for: eager for these ~120-token examples on CPU). Trainer: the
standard recipe, PEFT model on the fp32 base, ``bf16=True`` for bf16 (autocast), HF's loss.

    python benchmarks/customize_cpu_vs_trainer.py --threads 2 --steps 12 --rounds 2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MICRO = 16
LORA = {"rank": 16, "alpha": 32, "dropout": 0.0,  # the stage's default (--dropout to change)
        "targets": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]}


def build(tmp: Path):
    """(base folder, tokenizer, ChatBatches of the command training examples)."""
    import yaml

    from customize import chat
    from customize.batches import ChatBatches
    from customize.commands import SCHEMA_PATH
    from customize.data import command_examples
    from tests.support.train import manual_sections
    from train import model as llama
    from train import tokenizer as tok
    from train.config import ModelConfig

    tokenizer = tok.train_bpe([t for _, t in manual_sections()], 8192)
    tok.save_hf(tokenizer, tmp / "base")
    ids = tok.special_ids(tokenizer)
    model_cfg = ModelConfig(**yaml.safe_load((REPO / "configs" / "model" / "tiny.yaml").read_text()))
    llama.save_hf(llama.create(llama.llama_config(model_cfg, 8192, ids["bos"], ids["eos"], ids["pad"]), 1234),
                  tmp / "base")
    hf_tokenizer = chat.load_tokenizer(tmp / "base")
    examples = command_examples(REPO / "data" / "commands" / "train.jsonl", SCHEMA_PATH, [])
    return tmp / "base", hf_tokenizer, ChatBatches.from_examples(hf_tokenizer, examples)


def _peft(base_dir: Path, dtype, attention: str = "sdpa", autocast: bool = False):
    from customize import lora

    base = lora.load_base(base_dir, dtype)
    base.set_attn_implementation(attention)
    return lora.wrap(base, "bench", LORA["rank"], LORA["alpha"], LORA["dropout"],
                     LORA["targets"], seed=1234, autocast=autocast)


def ours(base_dir: Path, batches, steps: int, precision: str) -> list[float]:
    import torch

    from customize.config import _adapter_optim
    from customize.lora import attention_for
    from customize.loss import AnswerLoss
    from train.core.distributed import World
    from train.core.loop import LoopInputs, LoopSettings, TrainLoop
    from train.core.metrics import MetricsLog

    attention = attention_for("auto", "cpu", float(batches.lengths().mean()), precision == "bf16")  # the stage's pick
    model = _peft(base_dir, torch.bfloat16 if precision == "bf16" else torch.float32, attention, precision == "bf16")
    settings = LoopSettings(steps=steps, micro_batch_size=MICRO, precision=precision, optim=_adapter_optim())
    lengths = batches.lengths()
    with tempfile.TemporaryDirectory() as tmp:
        loop = TrainLoop(settings, LoopInputs(
            model=model, loss=AnswerLoss(model), train=batches, val=batches, world=World(0, 1, 0, torch.device("cpu")),
            checkpoint_dir=Path(tmp), metrics=MetricsLog(Path(tmp) / "m.jsonl", enabled=False), flops_per_token=1.0,
            peak_flops=None, trainable_only=True,
        ))
        module = loop.step_module()
        speeds = []
        for _ in range(steps):
            rows = loop.order.micro_rows(loop.step, 0, 0, 1, MICRO)
            started = time.perf_counter()
            loop.train_step(module)
            speeds.append(int(lengths[rows].sum()) / (time.perf_counter() - started))
            loop.step += 1
    return speeds[2:]


def hf_trainer(base_dir: Path, batches, steps: int, precision: str) -> list[float]:
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    from customize.chat import IGNORE_INDEX

    class Examples(torch.utils.data.Dataset):
        def __len__(self):
            return len(batches)

        def __getitem__(self, i):
            return {"input_ids": batches.ids[i], "labels": batches.labels[i]}

    real_tokens: list[int] = []

    def collate(items):
        width = -(-max(len(x["input_ids"]) for x in items) // 8) * 8  # the same rounding as ours
        ids = torch.full((len(items), width), batches.pad_id, dtype=torch.long)
        labels = torch.full((len(items), width), IGNORE_INDEX, dtype=torch.long)
        for row, item in enumerate(items):
            ids[row, :len(item["input_ids"])] = torch.from_numpy(item["input_ids"])
            labels[row, :len(item["labels"])] = torch.from_numpy(item["labels"])
        real_tokens.append(sum(len(x["input_ids"]) for x in items))
        return {"input_ids": ids, "labels": labels}

    class StepTimer(TrainerCallback):
        def __init__(self):
            self.seconds: list[float] = []

        def on_step_begin(self, args, state, control, **kwargs):
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.seconds.append(time.perf_counter() - self.started)

    timer = StepTimer()
    with tempfile.TemporaryDirectory() as tmp:
        args = TrainingArguments(
            output_dir=tmp, per_device_train_batch_size=MICRO, max_steps=steps, learning_rate=1e-3, warmup_steps=2,
            lr_scheduler_type="cosine", weight_decay=0.0, max_grad_norm=1.0, use_cpu=True, bf16=precision == "bf16",
            report_to=[], save_strategy="no", logging_steps=10**6, dataloader_num_workers=0, seed=1234,
            disable_tqdm=True, remove_unused_columns=False,
        )
        Trainer(model=_peft(base_dir, torch.float32), args=args, train_dataset=Examples(), data_collator=collate,
                callbacks=[timer]).train()
    # batch k is collated before step k starts (the dataloader is not prefetching with 0 workers)
    return [tokens / seconds for tokens, seconds in zip(real_tokens, timer.seconds)][2:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--dropout", type=float, default=LORA["dropout"])
    args = parser.parse_args()
    LORA["dropout"] = args.dropout

    import torch

    torch.set_num_threads(args.threads)
    functions = {"Trainer+PEFT": hf_trainer, "ours": ours}
    with tempfile.TemporaryDirectory() as tmp:
        base_dir, _, batches = build(Path(tmp))
        runs = [(name, precision) for precision in args.precisions.split(",") for name in functions]
        speeds: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
        for name, precision in runs:  # warm-up round, not counted
            functions[name](base_dir, batches, 4, precision)
        for round_no in range(args.rounds):
            for name, precision in runs:
                got = functions[name](base_dir, batches, args.steps, precision)
                speeds[(name, precision)] += got
                print(f"round {round_no + 1}: {name:13} {precision}: median {statistics.median(got):8.0f} tok/s",
                      flush=True)
    print(f"\ntiny preset + LoRA r{LORA['rank']} dropout {LORA['dropout']} (7 projections), cockpit_commands examples "
          f"(mean {batches.lengths().mean():.0f} tokens), micro batch {MICRO}, {args.threads} threads, "
          f"{args.steps} steps x {args.rounds} rounds (torch {torch.__version__})")
    print(f"{'precision':>9} {'Trainer+PEFT tok/s':>19} {'ours tok/s':>11} {'speed-up':>9}")
    for precision in args.precisions.split(","):
        base = statistics.median(speeds[("Trainer+PEFT", precision)])
        mine = statistics.median(speeds[("ours", precision)])
        print(f"{precision:>9} {base:>19.0f} {mine:>11.0f} {mine / base:>8.2f}x")


if __name__ == "__main__":
    main()

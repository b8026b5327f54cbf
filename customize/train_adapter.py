"""Train one LoRA adapter with the project's training core (train.core.loop), resumably.

The core owns the loop: seeded example order per epoch, AdamW + warmup/cosine, accumulation,
clipping, autocast, DDP, held-out loss every ``eval_every`` steps, and checkpoints that hold
only the trainable (LoRA) parameters with optimizer, scheduler and RNG state, so a kill -9 at
any step resumes exactly. This module builds the model and the loss for it, and publishes the
PEFT folder once (``final/`` with a DONE record) so a finished adapter is never trained again.
"""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from customize import lora
from customize.batches import ChatBatches
from customize.config import AdapterConfig, CustomizeConfig
from customize.loss import AnswerLoss, causal_lm

log = logging.getLogger("pipeline.customize")
DONE = "DONE.json"


@dataclass
class AdapterRun:
    name: str
    folder: Path  # the PEFT folder (adapter_config.json, adapter_model.safetensors)
    summary: dict[str, Any]
    metrics_path: Path


def uses_bf16(cfg: CustomizeConfig, device: torch.device) -> bool:
    """customize.precision=bf16 where the device computes bf16 fast (train/core/loop.py); else fp32."""
    from train.core.loop import bf16_usable

    return cfg.precision == "bf16" and bf16_usable(device, "customize.precision=bf16")


def base_dtype(bf16: bool) -> torch.dtype:
    # A frozen base needs no fp32 master weights: keeping it in bf16 saves memory and the
    # per-step weight casts autocast would otherwise repeat (frozen weights are not cached).
    return torch.bfloat16 if bf16 else torch.float32


def write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def lora_flops_per_token(model, seq_len: int) -> float:
    """Forward 2N + input-gradient 2N for the frozen weights, 6N for the LoRA ones, plus attention."""
    config = causal_lm(model).config
    frozen = sum(p.numel() for n, p in model.named_parameters() if not p.requires_grad and "embed_tokens" not in n)
    trained = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return 4.0 * frozen + 6.0 * trained + 12.0 * config.num_hidden_layers * config.hidden_size * seq_len


def train_adapter(name: str, adapter: AdapterConfig, cfg: CustomizeConfig, base_dir: Path, train: ChatBatches,
                  val: ChatBatches, world, work: Path) -> AdapterRun:
    from train.core.loop import LoopInputs, LoopSettings, TrainLoop
    from train.core.metrics import MetricsLog
    from train.model import peak_flops

    final, done, metrics_path = work / "final", work / DONE, work / "metrics.jsonl"
    if done.is_file():
        log.info("customize: adapter %s already trained (%s)", name, final)
        return AdapterRun(name, final, json.loads(done.read_text()), metrics_path)
    work.mkdir(parents=True, exist_ok=True)
    bf16 = uses_bf16(cfg, world.device)
    base = lora.load_base(base_dir, base_dtype(bf16))
    attention = lora.attention_for(cfg.attention, world.device.type, float(train.lengths().mean()), bf16)
    base.set_attn_implementation(attention)
    model = lora.wrap(base, name, adapter.lora.rank, adapter.lora.alpha, adapter.lora.dropout,
                      list(adapter.lora.targets), cfg.seed, autocast=bf16)
    counts = lora.trainable_count(model)
    settings = LoopSettings(
        steps=adapter.steps, micro_batch_size=adapter.micro_batch_size, grad_accum=adapter.grad_accum,
        seed=cfg.seed, precision="bf16" if bf16 else "fp32", optim=adapter.optim, compile=cfg.compile, log_every=cfg.log_every,
        eval_every=adapter.eval_every, eval_rows=adapter.eval_rows, checkpoint_every=cfg.checkpoint_every,
        keep_checkpoints=cfg.keep_checkpoints,
    )
    mean_len = float(train.lengths().mean())
    loop = TrainLoop(settings, LoopInputs(
        model=model, loss=AnswerLoss(model), train=train, val=val, world=world,
        checkpoint_dir=work / "checkpoints", metrics=MetricsLog(metrics_path, enabled=world.is_main),
        flops_per_token=lora_flops_per_token(model, int(mean_len)), peak_flops=peak_flops(world.device),
        trainable_only=True,
    ))
    resumed = loop.resume()
    start_step = loop.step
    log.info("customize: adapter %s: %d trainable of %.2fM parameters (rank %d, %s), %d train / %d eval examples, "
             "%s%s", name, counts["trainable_params"], counts["total_params"] / 1e6, adapter.lora.rank,
             ",".join(adapter.lora.targets), len(train), len(val), f"{adapter.steps} steps",
             f", resumed at step {loop.step}" if resumed else "")
    started = time.perf_counter()
    loop.run()
    summary = {**counts, "steps": adapter.steps, "attention": attention, "resumed_from_step": start_step if resumed else None,
               "train_seconds_this_attempt": round(time.perf_counter() - started, 2),
               "train_examples": len(train), "eval_examples": len(val), "mean_example_tokens": round(mean_len, 1),
               "answer_tokens_train": train.answer_tokens()}
    if world.is_main:
        import shutil

        tmp = work / "final.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        lora.save_adapter(model, name, tmp)
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        write_json(done, summary)  # last: a folder without it is redone
    return AdapterRun(name, final, summary, metrics_path)

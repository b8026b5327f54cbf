"""The training loop of every recipe: AdamW, warmup + cosine, accumulation, clipping, autocast,
FP8, DDP, evaluation, resumable checkpoints.

Recipes (pretraining in train/stage.py, LoRA in customize/, ...) hand it a model, a loss module
and two ``Batches`` (train and validation examples by index); the loop owns the order, the steps
and the checkpoints. Deterministic by construction: a step's examples depend only on (seed,
step), and a checkpoint holds everything else (model, optimizer, scheduler, RNG), so a run
killed at any point and resumed computes the same losses as one that was never interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from train.config import FP8Config, OptimConfig, Precision
from train.core import checkpoint
from train.core.distributed import World, all_reduce_sum, barrier
from train.core.loss import CausalLMLoss
from train.core.metrics import MetricsLog, perplexity
from train.core.order import BatchOrder

log = logging.getLogger("pipeline.train")


class Batches(Protocol):
    """Examples addressed by index: the loop decides which indices form each micro-batch."""

    def __len__(self) -> int: ...

    def batch(self, indices: np.ndarray) -> dict[str, torch.Tensor]:
        """CPU tensors for these examples: ``input_ids`` (B, T+1), optional ``labels`` (B, T+1)."""
        ...


@dataclass
class LoopSettings:
    """What the loop reads from a recipe's config (``TrainConfig`` has all of these fields)."""

    steps: int
    micro_batch_size: int = 8
    grad_accum: int = 1
    seed: int = 1234
    precision: Any = "bf16"  # fp32 | bf16 | fp8 (a Precision or its value)
    optim: OptimConfig = field(default_factory=OptimConfig)
    fp8: FP8Config = field(default_factory=FP8Config)
    seq_len: int = 0  # fixed row length (FP8 checks its GEMM shapes against it); 0: variable
    compile: bool = False
    loss_chunk_rows: int = 1024
    log_every: int = 1
    eval_every: int = 50
    eval_rows: int = 64
    checkpoint_every: int = 50
    keep_checkpoints: int = 2


class ResumeError(ValueError):
    """A checkpoint that cannot continue this run (other world size or global batch)."""


def cfg_seq(cfg: LoopSettings) -> int:
    return int(getattr(cfg, "seq_len", 0) or 0)


class WarmupCosine:
    """LR multiplier: linear warmup to 1, cosine decay to ``min_ratio`` at ``total`` steps.

    A callable object (not a lambda) so LambdaLR's state_dict records its settings.
    """

    def __init__(self, warmup: int, total: int, min_ratio: float):
        self.warmup, self.total, self.min_ratio = warmup, total, min_ratio

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup
        progress = min(1.0, (step - self.warmup) / max(1, self.total - self.warmup))
        return self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def make_optimizer(model: nn.Module, cfg: LoopSettings, device: torch.device) -> torch.optim.Optimizer:
    # Weight decay on matrices only: decaying norm gains pulls them towards zero for no benefit.
    decay = [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.requires_grad and p.dim() < 2]
    groups = [{"params": decay, "weight_decay": cfg.optim.weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    betas = tuple(cfg.optim.betas)
    if len(betas) != 2:
        raise ValueError(f"train.optim.betas must hold two values, got {list(betas)}")
    # The fused kernel (one pass over all parameters) exists for CPU and CUDA float tensors.
    return torch.optim.AdamW(groups, lr=cfg.optim.lr, betas=betas, fused=device.type in ("cpu", "cuda"))


def cpu_bf16_is_fast() -> bool:
    """Whether this CPU runs bf16 GEMMs natively or through AVX-512 (oneDNN's own test). Without it (AVX2-only
    CPUs, e.g. AMD EPYC before Zen 4) bf16 is emulated: a 1024^3 GEMM took 3.9 s in bf16 vs 0.07 s in fp32 on
    such a machine (2026-12-07), where bf16 autocast is 1.3-1.4x faster than fp32 on the project's other CPUs."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def bf16_usable(device: torch.device, what: str = "train.precision=bf16") -> bool:
    """bf16 where the device computes it fast; otherwise a warning (once per process and setting) and fp32."""
    if device.type == "cuda" and not torch.cuda.is_bf16_supported():
        _warn_once(f"{what}: this GPU has no bf16 support, training in fp32")
        return False
    if device.type == "cpu" and not cpu_bf16_is_fast():
        _warn_once(f"{what}: this CPU has no fast bf16 (no AVX-512 / AMX; capability "
                   f"{torch.backends.cpu.get_cpu_capability()}): training in fp32, which is tens of times faster here")
        return False
    return True


@functools.lru_cache(maxsize=None)
def _warn_once(message: str) -> None:
    # customize asks once per adapter and again to score: the same fallback is news only the first time
    log.warning("%s", message)


def resolve_precision(cfg: LoopSettings, device: torch.device) -> torch.dtype | None:
    """The autocast dtype (None: plain fp32). With fp8, everything outside the FP8 GEMMs is bf16 (also on a CPU,
    where FP8 is emulated, whatever its bf16 speed)."""
    precision = Precision(cfg.precision)
    if precision == Precision.bf16:
        return torch.bfloat16 if bf16_usable(device) else None
    if precision == Precision.fp8:
        if device.type == "cuda" and not torch.cuda.is_bf16_supported():
            _warn_once("train.precision=fp8: this GPU has no bf16 support, the rest in fp32")
            return None
        return torch.bfloat16
    return None


@dataclass
class LoopInputs:
    model: nn.Module  # the module whose weights are trained and checkpointed (e.g. the HF model)
    train: Batches
    val: Batches
    world: World
    checkpoint_dir: Path
    metrics: MetricsLog
    flops_per_token: float
    peak_flops: float | None
    # batch -> mean loss; default: next-token cross-entropy of ``model`` (a CausalLMLoss)
    loss: nn.Module | None = None
    # checkpoints hold only parameters with requires_grad (adapters: the frozen base is not saved)
    trainable_only: bool = False


class TrainLoop:
    def __init__(self, cfg: LoopSettings, inputs: LoopInputs):
        self.cfg, self.io = cfg, inputs
        # The loop never draws from Python's or numpy's global generators, but checkpoints record
        # them: seed both so a checkpoint (and the artifact) does not depend on what ran earlier
        # in this process (curation's Dask client, say). torch's generator is the recipe's to seed.
        random.seed(cfg.seed)
        np.random.seed(cfg.seed % 2**32)
        self.world, self.device = inputs.world, inputs.world.device
        self.autocast_dtype = resolve_precision(cfg, self.device)
        compute = self.autocast_dtype or torch.float32
        self.model = inputs.model.to(self.device)
        self.fp8 = None
        if Precision(cfg.precision) == Precision.fp8:
            from train import fp8

            if cfg.seq_len:
                fp8.check_tokens(cfg.micro_batch_size, cfg.seq_len)
            self.fp8 = fp8.prepare(self.model, cfg.fp8, self.device)  # before the optimizer sees the weights
        self.loss_module = inputs.loss if inputs.loss is not None else CausalLMLoss(self.model, cfg.loss_chunk_rows, compute)
        self.loss_module.to(self.device)
        self.optimizer = make_optimizer(self.model, cfg, self.device)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, WarmupCosine(cfg.optim.warmup_steps, cfg.steps, cfg.optim.min_lr_ratio)
        )
        self.global_batch = cfg.micro_batch_size * cfg.grad_accum * self.world.size
        self.order = BatchOrder(len(inputs.train), self.global_batch, cfg.seed)
        self.step = 0
        self.tokens_seen = 0

    # -- set-up --------------------------------------------------------------------------------
    def resume(self) -> bool:
        found = checkpoint.latest(self.io.checkpoint_dir)
        if found is None:
            return False
        record = checkpoint.load(found, self.model, self.optimizer, self.scheduler, self.world.rank, self.device,
                                 strict=not self.io.trainable_only)
        if record["world_size"] != self.world.size or record["global_batch"] != self.global_batch:
            raise ResumeError(
                f"{found}: saved with world size {record['world_size']} and global batch "
                f"{record['global_batch']}; now {self.world.size} and {self.global_batch}"
            )
        self.step = record["step"]
        self.tokens_seen = record.get("tokens_seen", self.step * self.global_batch * cfg_seq(self.cfg))
        self.io.metrics.truncate_after(self.step)
        log.info("resumed from %s (step %d, %d samples seen)", found, self.step, record["samples_seen"])
        return True

    def step_module(self) -> nn.Module:
        module: nn.Module = self.loss_module
        if self.world.distributed:
            from torch.nn.parallel import DistributedDataParallel

            ids = [self.device.index] if self.device.type == "cuda" else None
            # No buffer broadcast: the only buffers are RoPE tables (equal everywhere) and FP8 amax
            # histories, which the recipe itself reduces across ranks (train.fp8.reduce_amax).
            module = DistributedDataParallel(module, device_ids=ids, broadcast_buffers=False)
        if self.cfg.compile:
            module = torch.compile(module)
        return module

    def _autocast(self, fp8: bool = False):
        """bf16 autocast where asked, plus the FP8 recipe for training forwards (evaluation stays
        in high precision, so validation losses compare across precisions)."""
        stack = contextlib.ExitStack()
        if self.autocast_dtype is not None:
            stack.enter_context(torch.autocast(self.device.type, dtype=self.autocast_dtype))
        if fp8 and self.fp8 is not None:
            stack.enter_context(self.fp8.autocast())
        return stack

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        from tqdm import tqdm

        cfg = self.cfg
        if self.step == 0:
            self.evaluate()
        module = self.step_module()
        self.model.train()
        bar = tqdm(total=cfg.steps, initial=self.step, desc="train", unit=" step",
                   disable=not self.world.is_main, mininterval=2.0)
        while self.step < cfg.steps:
            record = self.train_step(module)
            self.step += 1
            if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                self.io.metrics.write(record)
            bar.update(1)
            bar.set_postfix(loss=f"{record['loss']:.3f}", tok_s=f"{record['tokens_per_s']:.0f}")
            if self.step % cfg.eval_every == 0 or self.step == cfg.steps:
                self.evaluate()
            if self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps:
                self.save()
        bar.close()

    def train_step(self, module: nn.Module) -> dict[str, Any]:
        cfg, world = self.cfg, self.world
        started = time.perf_counter()
        lr = self.scheduler.get_last_lr()[0]
        total = torch.zeros((), dtype=torch.float32, device=self.device)
        tokens = 0
        for micro in range(cfg.grad_accum):
            batch = self._to_device(self.io.train.batch(
                self.order.micro_rows(self.step, world.rank, micro, cfg.grad_accum, cfg.micro_batch_size)
            ))
            ids = batch["input_ids"]
            tokens += ids.shape[0] * (ids.shape[1] - 1)
            last = micro == cfg.grad_accum - 1
            sync = contextlib.nullcontext() if last or not world.distributed else module.no_sync()
            with sync:
                with self._autocast(fp8=True):
                    loss = module(batch)
                (loss / cfg.grad_accum).backward()
            total += loss.detach()
        clip = cfg.optim.grad_clip if cfg.optim.grad_clip > 0 else float("inf")
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip)
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        loss_sum, tokens = all_reduce_sum(world, [total.item() / cfg.grad_accum, float(tokens)])
        tokens = int(tokens)
        elapsed = time.perf_counter() - started
        self.tokens_seen += tokens
        record = {
            "kind": "train", "step": self.step + 1, "loss": loss_sum / world.size, "lr": lr,
            "grad_norm": float(grad_norm), "tokens_per_s": tokens / elapsed, "step_s": elapsed,
            "tokens_seen": self.tokens_seen,
        }
        if self.io.peak_flops:
            record["mfu"] = tokens / elapsed * self.io.flops_per_token / (self.io.peak_flops * world.size)
        return record

    def _to_device(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}

    @torch.no_grad()
    def evaluate(self) -> dict[str, Any]:
        """Mean loss over the same first ``eval_rows`` validation examples every time, split across ranks."""
        cfg, world = self.cfg, self.world
        was_training = self.model.training
        self.model.eval()
        count = min(cfg.eval_rows, len(self.io.val))
        mine = np.arange(world.rank, count, world.size)
        loss_sum = 0.0
        for start in range(0, len(mine), cfg.micro_batch_size):
            chunk = mine[start:start + cfg.micro_batch_size]
            batch = self._to_device(self.io.val.batch(chunk))
            with self._autocast():
                loss_sum += self.loss_module(batch).item() * len(chunk)
        loss_sum, rows_done = all_reduce_sum(world, [loss_sum, float(len(mine))])
        loss = loss_sum / rows_done
        record = {"kind": "val", "step": self.step, "loss": loss, "perplexity": perplexity(loss), "rows": count}
        self.io.metrics.write(record)
        log.info("step %d: validation loss %.4f (perplexity %.2f)", self.step, loss, record["perplexity"])
        self.model.train(was_training)
        return record

    def save(self) -> None:
        root, world = self.io.checkpoint_dir, self.world
        stage = checkpoint.staging(root, self.step)
        if self.fp8 is not None and self.fp8.before_save is not None:
            self.fp8.before_save(self.model)
        if world.is_main:
            extra = {"step": self.step, "samples_seen": self.step * self.global_batch, "tokens_seen": self.tokens_seen,
                     "world_size": world.size, "global_batch": self.global_batch, "seed": self.cfg.seed}
            checkpoint.write_shared(stage, self.model, self.optimizer, self.scheduler, extra,
                                    trainable_only=self.io.trainable_only)
        barrier(world)
        checkpoint.write_rank(stage, world.rank, self.device)
        barrier(world)
        if world.is_main:
            checkpoint.publish(stage, root, self.step, self.cfg.keep_checkpoints)
        barrier(world)

"""``train.engine=megatron``: megatron-core's GPTModel, its schedules and its (distributed) optimizer
on our data, metrics, checkpoints and HF export.

What is shared with the native engine (train/core): the packed rows and ``BatchOrder`` (a step's
rows depend only on (seed, step); data-parallel rank r reads what rank r reads there), warmup +
cosine LR (``WarmupCosine``), the metrics JSONL, the checkpoint folder protocol (hidden folder,
``trainer.pt`` last, rename; a killed run resumes from the newest complete step) and the HF folder
at the end. What is megatron's: the model (train/megatron_model.py), ``get_forward_backward_func``
(no pipelining, or 1F1B over ``pp`` stages), ``DistributedDataParallel`` + ``get_megatron_optimizer``
(bf16 weights with fp32 master copies; with ``train.parallel.distributed_optimizer`` those and
Adam's state are sharded over data-parallel ranks), megatron's vocab-parallel cross-entropy and
FP8 through its Transformer Engine integration.

Checkpoints and the HF export: train/megatron_checkpoint.py (one file per model shard, optimizer
state per rank or shard, RNG per rank; a resume needs the same tp / pp / dp and global batch).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from train import megatron_checkpoint
from train import megatron_map as mmap
from train.core.loop import ResumeError, WarmupCosine
from train.core.metrics import MetricsLog, perplexity
from train.core.order import BatchOrder
from train.megatron_checkpoint import hf_state_from_checkpoint, to_hf_model  # noqa: F401  (re-exported)

log = logging.getLogger("pipeline.train")
IGNORE_INDEX = -100


@dataclass(frozen=True)
class Layout:
    """This process's place in the tp x pp x dp grid (megatron's parallel_state, read once)."""

    tp: int
    pp: int
    dp: int
    tp_rank: int
    pp_rank: int
    dp_rank: int
    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def first_stage(self) -> bool:
        return self.pp_rank == 0

    @property
    def last_stage(self) -> bool:
        return self.pp_rank == self.pp - 1

    @property
    def reports_loss(self) -> bool:
        """One process per data-parallel replica holds its loss: the last stage's first tensor rank."""
        return self.last_stage and self.tp_rank == 0

    @property
    def size(self) -> int:
        return self.world_size

    @property
    def shard_name(self) -> str:
        return f"tp{self.tp_rank}-pp{self.pp_rank}"


@dataclass(frozen=True)
class Processes:
    rank: int
    size: int
    local_rank: int
    device: torch.device


@contextlib.contextmanager
def process_group(device: str = "cuda"):
    """torch.distributed for this process (torchrun's environment, or a group of one: megatron needs
    a group even alone); destroyed on exit if made here. ``device="cpu"`` (gloo) is for experiments."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "cuda":
        torch.cuda.set_device(local_rank)
        where = torch.device("cuda", local_rank)
    else:
        where = torch.device("cpu")
    owns_group = not torch.distributed.is_initialized()
    if owns_group:
        backend = "nccl" if where.type == "cuda" else "gloo"
        extra = {"device_id": where} if where.type == "cuda" else {}
        if size == 1:  # an in-memory store: no port to pick
            torch.distributed.init_process_group(
                backend, store=torch.distributed.HashStore(), rank=0, world_size=1, **extra
            )
        else:
            torch.distributed.init_process_group(backend, rank=rank, world_size=size, **extra)
    try:
        yield Processes(rank, size, local_rank, where)
        if size > 1:  # ranks leave together: one still writing (rank 0 exports) must not see the group go
            torch.distributed.barrier()
    finally:
        if owns_group and torch.distributed.is_initialized():
            torch.distributed.destroy_process_group()


@contextlib.contextmanager
def model_parallel(parallel, shape: mmap.LlamaShape, seed: int, procs: Processes):
    """megatron's tensor / pipeline / data-parallel groups over ``procs``; torn down on exit."""
    from megatron.core import parallel_state, tensor_parallel

    dp = mmap.check_layout(shape, parallel.tp, parallel.pp, parallel.dp, procs.size)
    parallel_state.initialize_model_parallel(
        tensor_model_parallel_size=parallel.tp, pipeline_model_parallel_size=parallel.pp
    )
    try:
        if procs.device.type == "cuda":
            tensor_parallel.model_parallel_cuda_manual_seed(seed)
        yield Layout(
            parallel.tp,
            parallel.pp,
            dp,
            parallel_state.get_tensor_model_parallel_rank(),
            parallel_state.get_pipeline_model_parallel_rank(),
            parallel_state.get_data_parallel_rank(),
            procs.rank,
            procs.size,
            procs.device,
        )
    finally:
        parallel_state.destroy_model_parallel()


def barrier(procs) -> None:
    if procs.size > 1:
        torch.distributed.barrier()


def _sum_over_world(layout: Layout, values: list[float]) -> list[float]:
    tensor = torch.tensor(values, dtype=torch.float64, device=layout.device)
    if layout.world_size > 1:
        torch.distributed.all_reduce(tensor)
    return tensor.tolist()


class MegatronTrainer:
    """Builds one rank's model part, optimizer and schedule; runs, evaluates, saves and resumes."""

    def __init__(
        self,
        cfg,
        plan,
        hf_config,
        hf_state: dict[str, torch.Tensor],
        train_rows,
        val_rows,
        layout: Layout,
        checkpoint_dir: Path,
        metrics: MetricsLog,
        peak_flops: float | None,
    ):
        from megatron.core.distributed import (
            DistributedDataParallel,
            DistributedDataParallelConfig,
            finalize_model_grads,
        )
        from megatron.core.optimizer import OptimizerConfig, get_megatron_optimizer
        from megatron.core.pipeline_parallel import get_forward_backward_func
        from megatron.core.transformer.module import Float16Module

        from train import megatron_model
        from train import model as llama

        self.cfg, self.plan, self.layout = cfg, plan, layout
        self.train_rows, self.val_rows = train_rows, val_rows
        self.checkpoint_dir, self.metrics, self.peak_flops = checkpoint_dir, metrics, peak_flops
        self.config = megatron_model.transformer_config(plan, cfg.fp8)
        self.gpt = megatron_model.build(
            plan, self.config, pre_process=layout.first_stage, post_process=layout.last_stage
        )
        full = mmap.hf_to_megatron(hf_state, plan.shape, plan.layout)
        megatron_model.load_weights(
            self.gpt,
            mmap.shard(full, plan.shape, plan.layout, layout.tp, layout.tp_rank, layout.pp, layout.pp_rank),
        )
        del full
        self.gpt.to(layout.device)
        module = Float16Module(self.config, self.gpt) if plan.precision != "fp32" else self.gpt
        distributed = bool(cfg.parallel.distributed_optimizer)
        self.ddp = DistributedDataParallel(
            config=self.config,
            module=module,
            ddp_config=DistributedDataParallelConfig(
                grad_reduce_in_fp32=True, overlap_grad_reduce=False, use_distributed_optimizer=distributed
            ),
        )
        betas = tuple(cfg.optim.betas)
        if len(betas) != 2:
            raise ValueError(f"train.optim.betas must hold two values, got {list(betas)}")
        self.optimizer = get_megatron_optimizer(
            OptimizerConfig(
                optimizer="adam",
                lr=cfg.optim.lr,
                min_lr=cfg.optim.lr * cfg.optim.min_lr_ratio,
                weight_decay=cfg.optim.weight_decay,
                adam_beta1=betas[0],
                adam_beta2=betas[1],
                adam_eps=1e-8,
                clip_grad=cfg.optim.grad_clip,
                bf16=plan.precision != "fp32",
                params_dtype=plan.params_dtype,
                use_distributed_optimizer=distributed,
            ),
            [self.ddp],
        )
        # The hooks megatron's schedules call (as megatron's own training loop sets them).
        self.config.no_sync_func = self.ddp.no_sync
        self.config.finalize_model_grads_func = finalize_model_grads
        self.config.grad_scale_func = self.optimizer.scale_loss
        self.forward_backward = get_forward_backward_func()
        self.schedule = WarmupCosine(cfg.optim.warmup_steps, cfg.steps, cfg.optim.min_lr_ratio)
        self.global_batch = cfg.micro_batch_size * cfg.grad_accum * layout.dp
        self.order = BatchOrder(len(train_rows), self.global_batch, cfg.seed)
        counts = megatron_model.param_counts(plan.shape)
        self.flops_per_token = llama.flops_per_token(hf_config, cfg.seq_len, counts["params_non_embedding"])
        self.step = 0
        self.tokens_seen = 0
        self.fp8_state: dict[str, int] | None = None

    # -- one step ----------------------------------------------------------------------------------
    def _forward_step(self, data_iterator, model):
        batch = next(data_iterator)
        rows = batch["input_ids"]
        tokens = rows[:, :-1].contiguous()
        targets = batch.get("labels", rows)[:, 1:].contiguous()
        mask = (targets != IGNORE_INDEX).float()
        positions = torch.arange(tokens.shape[1], device=tokens.device).unsqueeze(0).expand_as(tokens)
        output = model(tokens, positions, None, labels=targets.clamp(min=0))

        def loss_func(per_token: torch.Tensor):
            loss = (per_token.float() * mask).sum() / mask.sum().clamp(min=1)
            # The schedule divides the returned loss in place: report a copy.
            return loss, {"loss": loss.detach().clone()}

        return output, loss_func

    def _batches(self, step: int) -> list[dict[str, torch.Tensor]]:
        cfg, layout = self.cfg, self.layout
        out = []
        for micro in range(cfg.grad_accum):
            rows = self.order.micro_rows(step, layout.dp_rank, micro, cfg.grad_accum, cfg.micro_batch_size)
            out.append(
                {k: v.to(layout.device, non_blocking=True) for k, v in self.train_rows.batch(rows).items()}
            )
        return out

    def train_step(self) -> dict[str, Any]:
        cfg, layout = self.cfg, self.layout
        started = time.perf_counter()
        lr = cfg.optim.lr * self.schedule(self.step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        self.ddp.zero_grad_buffer()
        self.optimizer.zero_grad()
        batches = self._batches(self.step)
        losses = self.forward_backward(
            forward_step_func=self._forward_step,
            data_iterator=iter(batches),
            model=[self.ddp],
            num_microbatches=cfg.grad_accum,
            seq_length=cfg.seq_len,
            micro_batch_size=cfg.micro_batch_size,
            forward_only=False,
        )
        _, grad_norm, _ = self.optimizer.step()
        mine = sum(float(x["loss"]) for x in losses) / len(losses) if layout.reports_loss and losses else 0.0
        tokens = sum(b["input_ids"].shape[0] * (b["input_ids"].shape[1] - 1) for b in batches)
        reporting = 1.0 if layout.reports_loss else 0.0
        loss_sum, reporters, token_sum = _sum_over_world(
            layout, [mine * reporting, reporting, tokens * reporting]
        )
        elapsed = time.perf_counter() - started
        self.tokens_seen += int(token_sum)
        if self.fp8_state is None and self.plan.precision == "fp8":
            self._assert_fp8_active()
        record = {
            "kind": "train",
            "step": self.step + 1,
            "loss": loss_sum / reporters,
            "lr": lr,
            "grad_norm": None if grad_norm is None else float(grad_norm),
            "tokens_per_s": token_sum / elapsed,
            "step_s": elapsed,
            "tokens_seen": self.tokens_seen,
        }
        if self.peak_flops:
            record["mfu"] = token_sum / elapsed * self.flops_per_token / (self.peak_flops * layout.world_size)
        return record

    def _assert_fp8_active(self) -> None:
        """megatron-core turns FP8 into a no-op without TE: TE's scales must move in the first step."""
        from train import megatron_model

        state = megatron_model.fp8_probe(self.gpt)
        counts = _sum_over_world(self.layout, [state["te_modules"], state["fp8_active"]])
        self.fp8_state = {"te_modules": int(counts[0]), "fp8_active": int(counts[1])}
        if not counts[1]:
            raise RuntimeError(
                f"train.precision=fp8 but no Transformer Engine module ran in FP8 after the first step "
                f"({int(counts[0])} TE modules, none with updated scales)"
            )
        log.info(
            "FP8 active (megatron + TE, delayed scaling): %d of %d TE modules updated their scales",
            int(counts[1]),
            int(counts[0]),
        )

    @contextlib.contextmanager
    def _high_precision(self):
        """Evaluation in bf16, as the native engine does (validation losses compare across precisions)."""
        saved = self.config.fp8
        self.config.fp8 = None
        try:
            yield
        finally:
            self.config.fp8 = saved

    @torch.no_grad()
    def evaluate(self) -> dict[str, Any]:
        """Mean loss over the first ``eval_rows`` validation rows, rounded down to whole micro-batches
        per data-parallel rank (the pipeline schedule needs equal micro-batches)."""
        cfg, layout = self.cfg, self.layout
        per_rank = min(cfg.eval_rows, len(self.val_rows)) // layout.dp
        if per_rank == 0:
            raise ResumeError(
                f"{len(self.val_rows)} validation rows cannot give each of {layout.dp} data-parallel "
                f"ranks one row: lower train.parallel.dp or add data"
            )
        micro = min(cfg.micro_batch_size, per_rank)
        count = per_rank // micro
        mine = np.arange(layout.dp_rank, per_rank * layout.dp, layout.dp)[: count * micro]
        batches = [
            {
                k: v.to(layout.device)
                for k, v in self.val_rows.batch(mine[i * micro : (i + 1) * micro]).items()
            }
            for i in range(count)
        ]
        self.ddp.eval()
        with self._high_precision():
            losses = self.forward_backward(
                forward_step_func=self._forward_step,
                data_iterator=iter(batches),
                model=[self.ddp],
                num_microbatches=count,
                seq_length=cfg.seq_len,
                micro_batch_size=micro,
                forward_only=True,
            )
        self.ddp.train()
        mine_loss = (
            sum(float(x["loss"]) for x in losses) / len(losses) if layout.reports_loss and losses else 0.0
        )
        reporting = 1.0 if layout.reports_loss else 0.0
        loss_sum, reporters = _sum_over_world(layout, [mine_loss * reporting, reporting])
        loss = loss_sum / reporters
        record = {
            "kind": "val",
            "step": self.step,
            "loss": loss,
            "perplexity": perplexity(loss),
            "rows": count * micro * layout.dp,
        }
        self.metrics.write(record)
        log.info("step %d: validation loss %.4f (perplexity %.2f)", self.step, loss, record["perplexity"])
        return record

    def run(self) -> None:
        from tqdm import tqdm

        cfg = self.cfg
        if self.step == 0:
            self.evaluate()
        self.ddp.train()
        bar = tqdm(
            total=cfg.steps,
            initial=self.step,
            desc="train (megatron)",
            unit=" step",
            disable=not self.layout.is_main,
            mininterval=2.0,
        )
        while self.step < cfg.steps:
            record = self.train_step()
            self.step += 1
            if self.step % cfg.log_every == 0 or self.step == cfg.steps:
                self.metrics.write(record)
            bar.update(1)
            bar.set_postfix(loss=f"{record['loss']:.3f}", tok_s=f"{record['tokens_per_s']:.0f}")
            if self.step % cfg.eval_every == 0 or self.step == cfg.steps:
                self.evaluate()
            if self.step % cfg.checkpoint_every == 0 or self.step == cfg.steps:
                self.save()
        bar.close()

    # -- checkpoints (train/megatron_checkpoint.py) --------------------------------------------------
    def save(self) -> None:
        megatron_checkpoint.save(self)

    def resume(self) -> bool:
        return megatron_checkpoint.resume(self)


@contextlib.contextmanager
def single_run(
    cfg,
    hf_model,
    train_rows,
    val_rows,
    folder: Path,
    device: str = "cuda",
    use_te: bool | None = None,
    peak_flops: float | None = None,
):
    """A MegatronTrainer for scripts and tests, outside the pipeline: process group (torchrun's, or one
    process), megatron's groups and the trainer, all torn down on exit. ``folder`` gets
    ``ckpt/`` and ``metrics.jsonl`` (written by rank 0)."""
    from train import megatron_model

    plan = megatron_model.plan_for(hf_model.config, cfg.precision, cfg.parallel, use_te=use_te)
    with process_group(device) as procs, model_parallel(cfg.parallel, plan.shape, cfg.seed, procs) as layout:
        if layout.is_main:
            folder.mkdir(parents=True, exist_ok=True)
        barrier(procs)
        yield MegatronTrainer(
            cfg,
            plan,
            hf_model.config,
            hf_model.state_dict(),
            train_rows,
            val_rows,
            layout,
            folder / "ckpt",
            MetricsLog(folder / "metrics.jsonl", enabled=layout.is_main),
            peak_flops,
        )

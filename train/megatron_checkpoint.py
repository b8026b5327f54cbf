"""Checkpoints of the megatron engine: save / resume of a ``MegatronTrainer`` (train/megatron_engine.py),
the distributed optimizer's per-rank state, and the HF export of a checkpoint folder (its model
shards merged and converted by train/megatron_map.py; no megatron import, so a checkpoint converts
offline on any machine).

Folder ``step-NNNNNNN``: ``model-tp{t}-pp{p}.pt`` (one per model-parallel shard, from its first
data-parallel rank; TE's FP8 state included), ``optim-rank{r}.pt`` (per rank, distributed optimizer)
or ``optim-tp{t}-pp{p}.pt`` (per shard), ``rng-{rank}.pt`` and ``trainer.pt`` (written last, then
the folder is renamed into place, as train/core/checkpoint.py does for the native engine)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import torch

from train import megatron_map as mmap
from train.core import checkpoint
from train.core.loop import ResumeError

log = logging.getLogger("pipeline.train")


def _barrier(layout) -> None:
    if layout.world_size > 1:
        torch.distributed.barrier()


def record(trainer) -> dict[str, Any]:
    layout = trainer.layout
    return {
        "step": trainer.step,
        "samples_seen": trainer.step * trainer.global_batch,
        "tokens_seen": trainer.tokens_seen,
        "world_size": layout.world_size,
        "global_batch": trainer.global_batch,
        "seed": trainer.cfg.seed,
        "engine": "megatron",
        "tp": layout.tp,
        "pp": layout.pp,
        "dp": layout.dp,
        "layer_layout": trainer.plan.layout,
        "distributed_optimizer": bool(trainer.cfg.parallel.distributed_optimizer),
        "precision": trainer.plan.precision,
    }


def optim_file(trainer, folder: Path) -> Path | None:
    """This rank's optimizer file (None: another data-parallel rank holds the same state)."""
    if trainer.cfg.parallel.distributed_optimizer:
        return folder / f"optim-rank{trainer.layout.rank:05d}.pt"
    return folder / f"optim-{trainer.layout.shard_name}.pt" if trainer.layout.dp_rank == 0 else None


def save(trainer) -> None:
    """Every rank writes its part into the hidden folder; rank 0 publishes it (train/core/checkpoint.py)."""
    from megatron.core import tensor_parallel

    from train.fp8_te import keep_fp8_state_in_checkpoint

    layout, root = trainer.layout, trainer.checkpoint_dir
    stage = checkpoint.staging(root, trainer.step)
    if layout.is_main:
        if stage.exists():
            shutil.rmtree(stage)
        stage.mkdir(parents=True)
    _barrier(layout)
    keep_fp8_state_in_checkpoint(trainer.gpt)  # evaluations ran in bf16: keep TE's FP8 state anyway
    if layout.dp_rank == 0:
        torch.save(trainer.gpt.state_dict(), stage / f"model-{layout.shard_name}.pt")
    optim = {"optimizer": trainer.optimizer.state_dict()}
    if trainer.cfg.parallel.distributed_optimizer:
        optim["param_state"] = distributed_param_state(trainer.optimizer)
    target = optim_file(trainer, stage)
    if target is not None:
        torch.save(optim, target)
    rng = checkpoint.rng_state(layout.device)
    if layout.device.type == "cuda":
        rng["megatron_tracker"] = tensor_parallel.get_cuda_rng_tracker().get_states()
    torch.save(rng, stage / f"rng-{layout.rank}.pt")
    _barrier(layout)
    if layout.is_main:
        torch.save(record(trainer), stage / "trainer.tmp")
        checkpoint.publish(stage, root, trainer.step, trainer.cfg.keep_checkpoints)
    _barrier(layout)


def resume(trainer) -> bool:
    """Restore the newest complete checkpoint into ``trainer`` (same tp / pp / dp); False if none."""
    from megatron.core import tensor_parallel

    found = checkpoint.latest(trainer.checkpoint_dir)
    if found is None:
        return False
    saved = torch.load(found / "trainer.pt", weights_only=False)
    now = record(trainer)
    keys = ("engine", "tp", "pp", "dp", "global_batch", "layer_layout", "distributed_optimizer")
    if any(saved.get(k) != now[k] for k in keys):
        raise ResumeError(
            f"{found}: saved with "
            + ", ".join(f"{k}={saved.get(k)}" for k in keys)
            + "; now "
            + ", ".join(f"{k}={now[k]}" for k in keys)
        )
    layout = trainer.layout
    trainer.gpt.load_state_dict(
        torch.load(found / f"model-{layout.shard_name}.pt", map_location=layout.device, weights_only=False)
    )
    source = optim_file(trainer, found) or found / f"optim-{layout.shard_name}.pt"
    optim = torch.load(source, map_location=layout.device, weights_only=False)
    trainer.optimizer.load_state_dict(optim["optimizer"])
    if "param_state" in optim:  # distributed: fp32 masters and Adam moments of this rank's shard
        load_distributed_param_state(trainer.optimizer, optim["param_state"])
    rng_file = found / f"rng-{layout.rank}.pt"
    if not rng_file.is_file():
        raise ResumeError(
            f"{found}: no RNG state for rank {layout.rank}; resume with the layout it was saved with"
        )
    rng = torch.load(rng_file, weights_only=False)
    tracker = rng.pop("megatron_tracker", None)
    checkpoint.restore_rng(rng, layout.device)
    if tracker is not None:
        tensor_parallel.get_cuda_rng_tracker().set_states(tracker)
    trainer.step = saved["step"]
    trainer.tokens_seen = saved["tokens_seen"]
    trainer.metrics.truncate_after(trainer.step)
    log.info("resumed from %s (step %d, %d samples seen)", found, trainer.step, saved["samples_seen"])
    return True


def distributed_param_state(optimizer) -> list:
    """Each rank's shard of fp32 master weights and Adam moments (megatron's "dp reshardable" form,
    no gather), one entry per sub-optimizer of a ChainedOptimizer."""
    parts = getattr(optimizer, "chained_optimizers", [optimizer])
    return [part.get_parameter_state_dp_reshardable() for part in parts]


def load_distributed_param_state(optimizer, states: list) -> None:
    parts = getattr(optimizer, "chained_optimizers", [optimizer])
    if len(parts) != len(states):
        raise ResumeError(f"checkpoint holds {len(states)} optimizer shards, this run has {len(parts)}")
    for part, state in zip(parts, states):
        # The loader skips bucket padding entries by a "padding" flag that the saver (megatron-core
        # 0.16 .. 0.19) does not write: every saved entry is a real parameter.
        for key, per_dtype in state.items():
            if isinstance(key, int):
                for buckets in per_dtype.values():
                    for bucket in buckets:
                        for entry in bucket:
                            entry.setdefault("padding", False)
        part.load_parameter_state_from_dp_reshardable(state)


def hf_state_from_checkpoint(folder: Path, shape: mmap.LlamaShape) -> dict[str, torch.Tensor]:
    """The HF Llama state dict (fp32) of a megatron-engine checkpoint folder: its model shards merged
    and converted (no megatron import: runs anywhere)."""
    saved = torch.load(folder / "trainer.pt", weights_only=False)
    tp, pp, layout = saved["tp"], saved["pp"], saved["layer_layout"]
    shards = {}
    for t in range(tp):
        for p in range(pp):
            path = folder / f"model-tp{t}-pp{p}.pt"
            if not path.is_file():
                raise FileNotFoundError(f"{folder}: model shard {path.name} is missing")
            shards[(t, p)] = mmap.weights_only(torch.load(path, map_location="cpu", weights_only=False))
    full = mmap.merge(shards, shape, layout, tp, pp)
    return {k: v.float() for k, v in mmap.megatron_to_hf(full, shape, layout).items()}


def to_hf_model(hf_config, state: dict[str, torch.Tensor]):
    """A ``LlamaForCausalLM`` holding ``state`` (every weight accounted for)."""
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM(hf_config).float()
    missing, unexpected = model.load_state_dict(state, strict=False)
    if hf_config.tie_word_embeddings:
        missing = [k for k in missing if k != mmap.HF_HEAD]
    if missing or unexpected:
        raise mmap.MappingError(
            f"converted weights do not fit LlamaForCausalLM: missing {missing[:4]}, "
            f"unexpected {unexpected[:4]}"
        )
    model.config.use_cache = False
    return model

"""Resumable training state: model, optimizer, scheduler, RNG states and data position.

A checkpoint is written into a hidden folder and renamed into place, so a folder named
``step-NNNNNNN`` is always complete; a kill during the write leaves only the hidden folder,
which the next save removes. The data position is the step (see train/packing.py), recorded
with the number of samples it stands for.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

_NAME = re.compile(r"^step-(\d{7})$")


def folder_for(root: Path, step: int) -> Path:
    return root / f"step-{step:07d}"


def latest(root: Path) -> Path | None:
    if not root.is_dir():
        return None
    found = sorted(p for p in root.iterdir() if _NAME.match(p.name) and (p / "trainer.pt").is_file())
    return found[-1] if found else None


def rng_state(device: torch.device) -> dict[str, Any]:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def restore_rng(state: dict[str, Any], device: torch.device) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def staging(root: Path, step: int) -> Path:
    """The hidden folder a checkpoint is written into (every rank adds its RNG file there)."""
    stage = root / f".writing-step-{step:07d}"
    return stage


def model_state(model: torch.nn.Module, trainable_only: bool = False) -> dict[str, torch.Tensor]:
    """The weights a checkpoint keeps: all of them, or (adapters) only those being trained."""
    if not trainable_only:
        return model.state_dict()
    return {name: p.detach() for name, p in model.named_parameters() if p.requires_grad}


def write_shared(stage: Path, model: torch.nn.Module, optimizer, scheduler, extra: dict[str, Any],
                 trainable_only: bool = False) -> None:
    """Rank 0's part: everything replicated across data-parallel ranks."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    torch.save(model_state(model, trainable_only), stage / "model.pt")
    torch.save(optimizer.state_dict(), stage / "optimizer.pt")
    torch.save({"scheduler": scheduler.state_dict(), **extra}, stage / "trainer.tmp")


def write_rank(stage: Path, rank: int, device: torch.device) -> None:
    torch.save(rng_state(device), stage / f"rng-{rank}.pt")


def publish(stage: Path, root: Path, step: int, keep: int) -> Path:
    """Make the checkpoint visible (trainer.pt last, then the rename) and prune old ones."""
    os.replace(stage / "trainer.tmp", stage / "trainer.pt")
    final = folder_for(root, step)
    if final.exists():
        shutil.rmtree(final)
    os.replace(stage, final)
    complete = sorted(p for p in root.iterdir() if _NAME.match(p.name))
    for old in complete[:-keep] if keep > 0 else []:
        shutil.rmtree(old, ignore_errors=True)
    for leftover in root.glob(".writing-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return final


def load(folder: Path, model: torch.nn.Module, optimizer, scheduler, rank: int, device: torch.device,
         strict: bool = True) -> dict[str, Any]:
    """Restore everything in place; returns the trainer record (step, samples, ...).

    ``strict=False`` for checkpoints that hold only the trained parameters: every saved tensor
    must still match a parameter (a renamed adapter is an error, not a silent no-op).
    """
    result = model.load_state_dict(torch.load(folder / "model.pt", map_location=device, weights_only=True),
                                   strict=strict)
    if not strict and result.unexpected_keys:
        raise KeyError(f"{folder}: checkpoint has weights the model does not: {result.unexpected_keys[:3]}")
    optimizer.load_state_dict(torch.load(folder / "optimizer.pt", map_location=device, weights_only=True))
    record = torch.load(folder / "trainer.pt", weights_only=False)
    scheduler.load_state_dict(record.pop("scheduler"))
    rng_file = folder / f"rng-{rank}.pt"
    if not rng_file.is_file():
        raise FileNotFoundError(
            f"{folder}: no RNG state for rank {rank}; resume with the world size it was saved with"
        )
    restore_rng(torch.load(rng_file, weights_only=False), device)
    return record

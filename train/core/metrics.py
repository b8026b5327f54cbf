"""Per-step metrics in a JSONL log (resume-aware), their summary and the PNG loss curve."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any


class MetricsLog:
    """Appends one JSON object per line; ``truncate_after(step)`` drops lines a resume will redo."""

    def __init__(self, path: Path, enabled: bool = True):
        self.path = path
        self.enabled = enabled

    def truncate_after(self, step: int) -> None:
        if not self.enabled or not self.path.is_file():
            return
        kept = [line for line in complete_lines(self.path.read_text()) if json.loads(line)["step"] <= step]
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text("".join(line + "\n" for line in kept))
        os.replace(tmp, self.path)

    def write(self, record: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with open(self.path, "a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")


def complete_lines(text: str) -> list[str]:
    """The log's whole lines: a run killed in the middle of ``write`` leaves a torn last line without its newline,
    which the resume redoes anyway (its step is after the checkpoint), so it is dropped rather than parsed."""
    lines = text.split("\n")
    return [line for line in lines[:-1] if line]  # lines[-1] is "" after a final newline, else the torn tail


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in complete_lines(path.read_text())]


def summarise(records: list[dict[str, Any]], timing_skip: int = 2) -> dict[str, Any]:
    """Manifest metrics: first/last losses, the validation curve and mean throughput.

    The first ``timing_skip`` steps are left out of the throughput mean (warm-up, compilation).
    """
    train = [r for r in records if r.get("kind") == "train"]
    val = [r for r in records if r.get("kind") == "val"]
    out: dict[str, Any] = {}
    if train:
        out["steps"] = train[-1]["step"]
        out["train_loss_first"] = train[0]["loss"]
        out["train_loss_last"] = train[-1]["loss"]
        out["tokens_seen"] = train[-1]["tokens_seen"]
        timed = train[timing_skip:] or train
        out["tokens_per_s"] = round(sum(r["tokens_per_s"] for r in timed) / len(timed), 1)
        mfus = [r["mfu"] for r in timed if r.get("mfu") is not None]
        if mfus:
            out["mfu"] = round(sum(mfus) / len(mfus), 4)
    if val:
        out["val_loss_first"] = val[0]["loss"]
        out["val_loss_last"] = val[-1]["loss"]
        out["val_perplexity_last"] = val[-1]["perplexity"]
        out["val_curve"] = [[r["step"], round(r["loss"], 5)] for r in val]
    return out


def perplexity(loss: float) -> float:
    return math.exp(loss) if loss < 50 else float("inf")


def plot_loss_curve(records: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on training machines
    import matplotlib.pyplot as plt

    train = [r for r in records if r.get("kind") == "train"]
    val = [r for r in records if r.get("kind") == "val"]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.plot([r["step"] for r in train], [r["loss"] for r in train], lw=1, alpha=0.8, label="train loss")
    if val:
        ax.plot([r["step"] for r in val], [r["loss"] for r in val], "o-", lw=2, label="validation loss")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats / token)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

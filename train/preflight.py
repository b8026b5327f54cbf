"""Checks of a train run that read more than one section or the machine, made before any stage of the run starts
(``StageSpec.preflight``): a too long sequence or FP8 through Transformer Engine on a CPU used to fail only after
curation and data preparation (minutes on the demo data, hours on a real corpus)."""

from __future__ import annotations

from typing import Any

from train.config import Precision


def check(sections: dict[str, Any]) -> None:
    cfg, model = sections["train"], sections["model"]
    # with train.init_from the model's length comes from that folder: the stage checks it once loaded
    if not cfg.init_from and cfg.seq_len > model.max_seq_len:
        raise ValueError(f"train.seq_len={cfg.seq_len} exceeds the model's max_seq_len={model.max_seq_len} "
                         "(model.max_seq_len)")
    if Precision(cfg.precision) == Precision.fp8 and cfg.fp8.backend == "te" and cfg.device != "cuda":
        if cfg.device == "cpu" or not _cuda_available():
            raise ValueError("train.fp8.backend=te: device is cpu, TE needs a CUDA GPU")


def _cuda_available() -> bool:
    import torch  # only for this one combination of settings: the check needs to know whether a GPU is there

    return torch.cuda.is_available()

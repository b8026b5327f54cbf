"""Typed configs of the train stage and of the model architecture (group ``model``)."""

from dataclasses import dataclass, field
from enum import Enum


class Precision(str, Enum):
    fp32 = "fp32"
    bf16 = "bf16"
    fp8 = "fp8"


@dataclass
class ModelConfig:
    """Llama architecture; dimensions are multiples of 16 (FP8 GEMMs) in every preset."""

    name: str = "???"
    vocab_size: int = 8192
    hidden_size: int = "???"  # type: ignore[assignment]
    intermediate_size: int = "???"  # type: ignore[assignment]
    num_layers: int = "???"  # type: ignore[assignment]
    num_heads: int = "???"  # type: ignore[assignment]
    num_kv_heads: int = "???"  # type: ignore[assignment]
    max_seq_len: int = 2048
    rope_theta: float = 10000.0
    tie_embeddings: bool = False


@dataclass
class OptimConfig:
    lr: float = 3e-4
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    betas: list[float] = field(default_factory=lambda: [0.9, 0.95])
    warmup_steps: int = 100
    grad_clip: float = 1.0


@dataclass
class TrainConfig:
    seed: int = 1234
    steps: int = "???"  # type: ignore[assignment]
    seq_len: int = 256
    micro_batch_size: int = 8
    grad_accum: int = 1
    precision: Precision = Precision.bf16
    optim: OptimConfig = field(default_factory=OptimConfig)

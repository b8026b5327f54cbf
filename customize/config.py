"""Typed config of the customize (LoRA) stage."""

from dataclasses import dataclass, field


@dataclass
class CustomizeConfig:
    train_data: str = "???"
    eval_data: str = "???"
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    lr: float = 2e-4
    epochs: int = 3
    seed: int = 1234

"""The train stage's declaration (read by pipeline/stages.py)."""

from pipeline.spec import StageSpec
from train.config import ModelConfig, TrainConfig

SPEC = StageSpec(
    name="train",
    upstream=("curate",),
    config={"train": TrainConfig, "model": ModelConfig},
    run="train.stage:run",
    outputs=("model", "tokenizer", "data", "metrics", "loss_curve", "state", "quarantine"),
    # Per-step timings and throughput: a re-made run with identical weights must not look new.
    volatile_outputs=("metrics.jsonl", "loss_curve.png"),
    preflight="train.preflight:check",
)

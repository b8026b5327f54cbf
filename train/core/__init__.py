"""The training core: what every recipe (pretraining, LoRA, other engines) reuses without copying.

- ``loop``: TrainLoop over a model, a loss module and index-addressed ``Batches``: AdamW with
  warmup + cosine, accumulation, clipping, bf16 autocast, FP8 (train/fp8*.py), DDP, evaluation,
  resumable checkpoints;
- ``checkpoint``: atomic, resumable training state (whole model or trainable parameters only);
- ``distributed``: the torchrun process group (gloo on CPU, NCCL on GPU);
- ``loss``: fused chunked LM-head cross-entropy, with -100 labels for masked targets;
- ``order``: which examples each step reads (seeded, a pure function of the step);
- ``metrics``: the per-step JSONL log, its summary and the loss curve.
"""

"""Next-token loss on answer tokens only, with the LM head applied to those positions alone.

Prompts (system text, retrieved passages, vehicle state) are most of every example; the
(tokens x vocab) LM head and softmax are computed only where a label exists, with the project's
chunked fused cross-entropy (train/core/loss.py), so no full logits tensor is ever materialised.
Mathematically the same as HF's loss with -100 labels: the mean over answer tokens.
"""
from __future__ import annotations

import torch
from torch import nn

from customize.chat import IGNORE_INDEX


def causal_lm(model: nn.Module) -> nn.Module:
    """The LlamaForCausalLM inside a PeftModel (LoRA layers injected in place) or the model itself."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


class AnswerLoss(nn.Module):
    """``forward(batch)`` -> mean loss; batch["input_ids"] and batch["labels"] are (B, T+1)."""

    def __init__(self, model: nn.Module, chunk_rows: int = 1024):
        super().__init__()
        self.model = model
        self.chunk_rows = chunk_rows

    def sum_and_count(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, int]:
        from train.core.loss import linear_cross_entropy

        inputs = batch["input_ids"][:, :-1]
        targets = batch.get("labels", batch["input_ids"])[:, 1:]
        llama = causal_lm(self.model)
        hidden = llama.model(input_ids=inputs).last_hidden_state
        keep = targets != IGNORE_INDEX
        count = int(keep.sum())
        if count == 0:
            return hidden.sum() * 0.0, 0  # keeps the graph (and DDP's gradient hooks) connected
        weight = llama.get_output_embeddings().weight
        loss = linear_cross_entropy(hidden[keep], weight, targets[keep], self.chunk_rows)
        return loss * count, count

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        total, count = self.sum_and_count(batch)
        return total / max(count, 1)

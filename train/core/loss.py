"""LM head + cross-entropy fused and computed in row chunks.

The plain path materialises (tokens x vocab) logits in fp32, then log-softmax, its backward and
a zero-filled NLL gradient of the same size: at vocab 8192 and 2048 tokens that is 64 MB written
several times per step, which costs more than the head's GEMM on a memory-bound CPU. Here each
chunk's logits are turned into the loss and into the gradient (softmax - one_hot) at once, and
the gradients of the hidden states and of the head weight are finished in the forward pass, so
backward only scales them (the approach of Liger-Kernel's fused linear cross-entropy).
"""

from __future__ import annotations

import torch
from torch import nn

IGNORE_INDEX = -100


class _ChunkedLinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, targets, chunk_rows: int, compute_dtype):
        with torch.autocast(hidden.device.type, enabled=False):
            weight_c = weight.to(compute_dtype)
            valid = targets != IGNORE_INDEX
            count = valid.sum().clamp(min=1)
            loss_sum = torch.zeros((), dtype=torch.float32, device=hidden.device)
            need_grad = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
            grad_hidden = torch.empty_like(hidden) if need_grad else None
            grad_weight = torch.zeros_like(weight, dtype=torch.float32) if need_grad else None
            for start in range(0, hidden.shape[0], chunk_rows):
                h = hidden[start:start + chunk_rows].to(compute_dtype)
                t = targets[start:start + chunk_rows]
                ok = valid[start:start + chunk_rows]
                logits = (h @ weight_c.t()).float()
                lse = torch.logsumexp(logits, dim=-1)
                picked = logits.gather(1, t.clamp(min=0).unsqueeze(1)).squeeze(1)
                loss_sum += ((lse - picked) * ok).sum()
                if need_grad:
                    # d(loss_sum)/d(logits) = softmax - one_hot, zero on ignored rows; computed in place.
                    grad = logits.sub_(lse.unsqueeze(1)).exp_()
                    grad.scatter_add_(1, t.clamp(min=0).unsqueeze(1), -ok.unsqueeze(1).to(grad.dtype))
                    grad.mul_(ok.unsqueeze(1))
                    grad = grad.to(compute_dtype)
                    grad_hidden[start:start + chunk_rows] = (grad @ weight_c).to(hidden.dtype)
                    grad_weight.add_(grad.t() @ h)
            if need_grad:
                ctx.save_for_backward(grad_hidden, grad_weight, count)
            ctx.weight_dtype = weight.dtype
            return loss_sum / count

    @staticmethod
    def backward(ctx, grad_output):
        grad_hidden, grad_weight, count = ctx.saved_tensors
        scale = grad_output / count
        return (grad_hidden * scale.to(grad_hidden.dtype), (grad_weight * scale).to(ctx.weight_dtype),
                None, None, None)


def linear_cross_entropy(
    hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, chunk_rows: int = 1024,
    compute_dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Mean cross-entropy of ``hidden @ weight.T`` against ``targets`` (-100 ignored).

    ``hidden`` is (N, H), ``weight`` (V, H), ``targets`` (N,). GEMMs run in ``compute_dtype``
    (default: the hidden states' dtype); softmax and the loss always in fp32.
    """
    return _ChunkedLinearCrossEntropy.apply(
        hidden, weight, targets, max(1, chunk_rows), compute_dtype or hidden.dtype
    )


class CausalLMLoss(nn.Module):
    """The module a step calls (and DDP wraps): a batch in, mean next-token loss out.

    ``batch["input_ids"]`` is (B, T+1): positions 0..T-1 are read, 1..T predicted. Optional
    ``batch["labels"]`` (same shape) replaces the targets, -100 marking positions without loss
    (prompt tokens, padding); right padding needs no attention mask, since causal attention never
    lets a real token see the padding after it.
    """

    def __init__(self, model: nn.Module, chunk_rows: int, compute_dtype: torch.dtype):
        super().__init__()
        self.model = model
        self.chunk_rows = chunk_rows
        self.compute_dtype = compute_dtype

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        rows = batch["input_ids"]
        inputs = rows[:, :-1]
        targets = batch["labels"][:, 1:] if "labels" in batch else rows[:, 1:]
        if self.chunk_rows <= 0:
            # shift_labels: our rows already hold the shifted targets (HF would drop the last one).
            targets = targets.contiguous()
            return self.model(input_ids=inputs, labels=targets, shift_labels=targets).loss
        hidden = self.model.model(input_ids=inputs).last_hidden_state
        weight = self.model.get_output_embeddings().weight
        return linear_cross_entropy(
            hidden.reshape(-1, hidden.shape[-1]), weight, targets.reshape(-1), self.chunk_rows, self.compute_dtype
        )

"""Next-token choice from logits: greedy, temperature, top-k, top-p, per-request seeded.

One numpy implementation serves every backend, so the same seed and the same logits give the
same tokens on edge and torch, and a request's random stream does not depend on which other
requests share its batch (each request owns its generator).
"""

from __future__ import annotations

import numpy as np


def is_greedy(temperature: float, top_k: int) -> bool:
    return temperature <= 0.0 or top_k == 1


def sample(logits: np.ndarray, temperature: float, top_k: int, top_p: float, rng: np.random.Generator) -> int:
    """One token from a 1-D row of logits."""
    if is_greedy(temperature, top_k):
        return int(np.argmax(logits))
    with np.errstate(over="ignore"):
        scores = logits.astype(np.float64) / temperature
    if not np.isfinite(scores.max()):  # a temperature so small that the scores overflow: its limit, greedy
        return int(np.argmax(logits))
    if 0 < top_k < scores.size:
        kth = np.partition(scores, -top_k)[-top_k]
        scores = np.where(scores < kth, -np.inf, scores)
    scores -= scores.max()
    probs = np.exp(scores)
    probs /= probs.sum()
    if top_p < 1.0:
        order = np.argsort(-probs, kind="stable")
        cumulative = np.cumsum(probs[order])
        keep = order[: int(np.searchsorted(cumulative, top_p)) + 1]  # smallest set reaching top_p
        kept = np.zeros_like(probs)
        kept[keep] = probs[keep]
        probs = kept / kept.sum()
    cumulative = np.cumsum(probs)
    return int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"), probs.size - 1))

"""A softmax regression over MiniLM sentence embeddings, with nearest-example similarity.

Two users: the safety classifier (``guardrails/safety.py``: its intents are the Colang ``define user``
examples) and the vehicle-command fallback (``guardrails/command_fallback.py``: the command intents of the
training utterances). Both fit it when the assistant opens, from a few hundred examples, in well under a
second and with the same weights every time (seeded start, full batch).
"""

from __future__ import annotations

import numpy as np


class IntentModel:
    """Softmax regression + nearest-neighbour similarity over example embeddings."""

    def __init__(self, examples: dict[str, list[str]], vectors: np.ndarray, l2: float = 1e-3, steps: int = 300):
        self.labels = sorted(examples)
        texts_labels = [(t, label) for label in self.labels for t in examples[label]]
        self.example_labels = np.array([self.labels.index(label) for _, label in texts_labels])
        self.vectors = np.asarray(vectors, dtype=np.float32)
        if len(self.vectors) != len(texts_labels):
            raise ValueError(f"{len(self.vectors)} vectors for {len(texts_labels)} examples")
        self.weights, self.bias = _train_softmax(self.vectors, self.example_labels, len(self.labels), l2, steps)

    @classmethod
    def build(cls, examples: dict[str, list[str]], embed: EmbedFn) -> IntentModel:
        texts = [t for label in sorted(examples) for t in examples[label]]
        return cls(examples, embed(texts))

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        logits = vector @ self.weights + self.bias
        logits -= logits.max()
        p = np.exp(logits)
        p /= p.sum()
        return {label: float(p[i]) for i, label in enumerate(self.labels)}

    def nearest(self, vector: np.ndarray) -> dict[str, float]:
        """Highest cosine similarity to any example of each intent."""
        sims = self.vectors @ vector
        best = np.full(len(self.labels), -1.0, dtype=np.float32)
        np.maximum.at(best, self.example_labels, sims)
        return {label: float(best[i]) for i, label in enumerate(self.labels)}


def _train_softmax(x: np.ndarray, y: np.ndarray, classes: int, l2: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch Adam on the class-balanced cross-entropy (examples per intent differ 4x)."""
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.01, (x.shape[1], classes)).astype(np.float32)
    b = np.zeros(classes, dtype=np.float32)
    counts = np.bincount(y, minlength=classes).astype(np.float32)
    sample_weight = (len(y) / (classes * counts))[y]
    sample_weight /= sample_weight.sum()
    onehot = np.eye(classes, dtype=np.float32)[y]
    m_w = v_w = np.zeros_like(w)
    m_b = v_b = np.zeros_like(b)
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    scale = 8.0  # cosine-scale inputs: a temperature so the softmax can get confident
    for t in range(1, steps + 1):
        logits = scale * (x @ w) + b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = (p - onehot) * sample_weight[:, None]
        g_w = scale * (x.T @ grad) + l2 * w
        g_b = grad.sum(axis=0)
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w ** 2
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b ** 2
        w -= lr * (m_w / (1 - beta1 ** t)) / (np.sqrt(v_w / (1 - beta2 ** t)) + 1e-8)
        b -= lr * (m_b / (1 - beta1 ** t)) / (np.sqrt(v_b / (1 - beta2 ** t)) + 1e-8)
    return scale * w, b

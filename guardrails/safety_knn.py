"""A nearest-example vote for the turns the learned head is unsure about.

The head (guardrails/safety_head.py) is one linear boundary through the whole MiniLM space; where a
message lies near that boundary (P(unsafe) between ``knn_low`` and ``knn_high``), the labels of the
training examples closest to it are a second, local opinion: a driver's "go dark in a car that's not
mine" sits among the generated privacy requests even when the boundary passes close by. On the dev
sets (round eight, docs/assistant.md) the mean of the two separated unsafe from safe in that band
better than either alone (ROC AUC 0.879 head, 0.870 kNN, 0.936 mean).

Stored in guardrails/safety_knn.npz (~2 MB): the training texts' MiniLM vectors projected on their
128 principal directions and quantised to int8, with each row's label. Built by
``python -m guardrails.safety_knn [--cache-dir DIR]`` from data/assistant/safety_train.jsonl
(deterministic; the embeddings dominate: minutes without the cache, seconds with it).
Inference is one matrix-vector product (~1 ms). Off by default (``assistant.safety.knn_weight`` 0): on
the unseen sets it moved along the block / false-refusal trade-off (docs/assistant.md, round eight).
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guardrails.safety_head import SAFE, TRAIN_PATH, cli, packaged_embed, read_rows

KNN_PATH = Path(__file__).resolve().parent / "safety_knn.npz"
DIMS = 128  # principal directions kept: 64 lost a third of the band's gain on the dev sets, 128 kept most
K = 15
TEMPERATURE = 20.0  # neighbours weighted by exp(TEMPERATURE * cosine): the closest count most


class KnnError(Exception):
    """The stored examples are missing or unreadable."""


@dataclass
class SafetyKnn:
    labels: tuple[str, ...]
    mean: np.ndarray  # (384,) centre of the training vectors
    basis: np.ndarray  # (384, DIMS) principal directions
    vectors: np.ndarray  # (rows, DIMS) float32 after loading (stored int8), unit length
    label_ids: np.ndarray  # (rows,) index into labels
    stamp: str = ""

    def project(self, vector: np.ndarray) -> np.ndarray:
        v = (np.asarray(vector, dtype=np.float32) - self.mean) @ self.basis
        return v / max(float(np.linalg.norm(v)), 1e-6)

    def unsafe(self, vector: np.ndarray) -> tuple[float, str]:
        """Weighted share of unsafe examples among the K nearest, and their likeliest unsafe family."""
        sims = self.vectors @ self.project(vector)
        near = np.argpartition(-sims, K)[:K]
        w = np.exp(TEMPERATURE * (sims[near] - sims[near].max()))
        votes = np.bincount(self.label_ids[near], weights=w, minlength=len(self.labels))
        safe = self.labels.index(SAFE)
        p = 1.0 - votes[safe] / votes.sum()
        votes[safe] = -1.0
        return float(p), self.labels[int(np.argmax(votes))]

    def save(self, path: Path = KNN_PATH) -> None:
        scale = 127.0 / max(float(np.abs(self.vectors).max()), 1e-6)
        np.savez_compressed(path, labels=np.array(self.labels), mean=self.mean.astype(np.float32),
                            basis=self.basis.astype(np.float32), vectors=np.round(self.vectors * scale).astype(np.int8),
                            scale=np.float32(scale), label_ids=self.label_ids.astype(np.int8), stamp=np.array(self.stamp))

    @classmethod
    def load(cls, path: Path = KNN_PATH) -> SafetyKnn:
        try:
            with np.load(path) as z:
                return cls(tuple(str(x) for x in z["labels"]), z["mean"], z["basis"],
                           z["vectors"].astype(np.float32) / float(z["scale"]), z["label_ids"].astype(np.int64),
                           str(z["stamp"]))
        except (OSError, KeyError, ValueError) as e:
            raise KnnError(f"{path}: cannot load the safety examples ({e}); rebuild: python -m guardrails.safety_knn") from e


def data_stamp(path: Path = TRAIN_PATH) -> str:
    return hashlib.sha256(path.read_bytes() + f"knn-pca{DIMS}-int8".encode()).hexdigest()[:16]


def fit(texts: list[str], labels: list[str], vectors: np.ndarray) -> SafetyKnn:
    """Principal directions of the training vectors (SVD: deterministic), rows projected and normalised."""
    if SAFE not in labels:
        raise KnnError(f"the examples need safe rows (label {SAFE!r}) to vote against the unsafe ones")
    x = np.asarray(vectors, dtype=np.float64)
    mean = x.mean(0)
    basis = np.linalg.svd(x - mean, full_matrices=False)[2][:DIMS].T
    basis *= np.sign(basis[np.abs(basis).argmax(0), np.arange(basis.shape[1])])  # a fixed sign per direction
    p = (x - mean) @ basis
    p /= np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-6)
    names = tuple(sorted(set(labels), key=lambda n: (n != SAFE, n)))
    return SafetyKnn(names, mean.astype(np.float32), basis.astype(np.float32), p.astype(np.float32),
                     np.array([names.index(n) for n in labels]))


def build(train_path: Path = TRAIN_PATH, out: Path = KNN_PATH, embed=None, cache_dir: str = "") -> SafetyKnn:
    rows = read_rows(train_path)
    label = {}
    for r in rows:  # a text in several draws keeps its first label (the draws agree)
        label.setdefault(r["text"], r["label"])
    texts = sorted(label)
    embed = embed or packaged_embed(cache_dir)
    t0 = time.process_time()
    knn = fit(texts, [label[t] for t in texts], embed(texts))
    knn.stamp = data_stamp(train_path)
    knn.save(out)
    print(f"{len(texts)} examples from {train_path} -> {out} ({out.stat().st_size / 1e6:.1f} MB, "
          f"{time.process_time() - t0:.1f} s CPU)", file=sys.stderr)
    return knn


def main(argv: list[str] | None = None) -> int:
    return cli(argv, "Store the safety training examples for the nearest-example vote.", KNN_PATH, build)


if __name__ == "__main__":
    raise SystemExit(main())

"""The learned half of the safety classifier: a softmax head over the message's MiniLM embedding plus
hashed character n-grams, trained on generated paraphrases (datagen/safety_train.py).

Why both features: the embedding reads the goal of an English request phrased in words no rule
holds; MiniLM reads German/French/Spanish/Dutch/Italian poorly, and there the n-grams of verbs and
goals ("deaktivier", "désactiv", "sin que") carry the signal, as they do for typos.

The head is trained once by ``python -m guardrails.safety_head`` (seeded, deterministic; one softmax
per template draw of the data, their weights averaged = their logits averaged; ~30 s of training
after ~60 s of embedding) and stored in guardrails/safety_head.npz with a stamp of the
training data, so a process only loads 0.3 MB; ``stale()`` says when the data changed since.
Inference is numpy only (~0.2 ms per spelling).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from guardrails.goals import fold

HEAD_PATH = Path(__file__).resolve().parent / "safety_head.npz"
TRAIN_PATH = Path(__file__).resolve().parents[1] / "data" / "assistant" / "safety_train.jsonl"
SAFE = "safe"
HASH_BITS = 14  # 16k buckets: ~60k distinct n-grams in the training data, collisions are tolerable
NGRAMS = (3, 4, 5)
FEATURE_VERSION = "char345+word12-crc32-v1"  # part of the stamp: changing features invalidates the head


class HeadError(Exception):
    """The stored head is missing, unreadable or was trained for other features."""


def sparse_features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Hashed character 3-5-grams of the accent-folded text and word uni/bigrams, L2-normalised."""
    t = " " + re.sub(r"\s+", " ", fold(text)).strip() + " "
    grams = {t[i:i + n] for n in NGRAMS for i in range(len(t) - n + 1)}
    words = re.findall(r"\w+", t)
    grams.update("w:" + w for w in words)
    grams.update("b:" + a + " " + b for a, b in itertools.pairwise(words))
    mask = (1 << HASH_BITS) - 1
    idx = np.fromiter((zlib.crc32(g.encode()) & mask for g in grams), dtype=np.int64, count=len(grams))
    idx, counts = np.unique(idx, return_counts=True)
    val = counts.astype(np.float32)
    return idx, val / max(float(np.linalg.norm(val)), 1e-6)


@dataclass
class SafetyHead:
    labels: tuple[str, ...]
    w_embed: np.ndarray  # (dim, classes)
    w_char: np.ndarray  # (2**HASH_BITS, classes)
    bias: np.ndarray  # (classes,)
    stamp: str = ""

    def probabilities(self, text: str, vector: np.ndarray) -> np.ndarray:
        idx, val = sparse_features(text)
        logits = vector @ self.w_embed + val @ self.w_char[idx] + self.bias
        logits = logits - logits.max()
        p = np.exp(logits)
        return p / p.sum()

    def unsafe(self, texts: tuple[str, ...] | list[str], vector: np.ndarray) -> tuple[float, str]:
        """Highest probability of "unsafe" over the spellings of a message, and its likeliest family."""
        safe = self.labels.index(SAFE)
        best, family = 0.0, ""
        for text in texts:
            p = self.probabilities(text, vector)
            if 1.0 - p[safe] > best:
                best = float(1.0 - p[safe])
                family = self.labels[int(np.argmax(np.where(np.arange(len(p)) == safe, -1.0, p)))]
        return best, family

    def save(self, path: Path = HEAD_PATH) -> None:
        np.savez_compressed(path, labels=np.array(self.labels), w_embed=self.w_embed.astype(np.float32),
                            w_char=self.w_char.astype(np.float16), bias=self.bias.astype(np.float32),
                            stamp=np.array(self.stamp))

    @classmethod
    def load(cls, path: Path = HEAD_PATH) -> SafetyHead:
        try:
            with np.load(path) as z:
                head = cls(tuple(str(x) for x in z["labels"]), z["w_embed"].astype(np.float32),
                           z["w_char"].astype(np.float32), z["bias"].astype(np.float32), str(z["stamp"]))
        except (OSError, KeyError, ValueError) as e:
            raise HeadError(f"{path}: cannot load the safety head ({e}); rebuild: python -m guardrails.safety_head") from e
        if head.w_char.shape[0] != 1 << HASH_BITS or SAFE not in head.labels:
            raise HeadError(f"{path}: trained for other features; rebuild: python -m guardrails.safety_head")
        return head


def data_stamp(path: Path = TRAIN_PATH, seed: int = 0) -> str:
    """What the head was trained from: the training file's bytes, the feature version and the seed."""
    return hashlib.sha256(path.read_bytes() + FEATURE_VERSION.encode() + str(seed).encode()).hexdigest()[:16]


def stale(head: SafetyHead, path: Path = TRAIN_PATH, seed: int = 0) -> bool:
    return head.stamp != data_stamp(path, seed)


def read_rows(path: Path = TRAIN_PATH) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row.get("text"), str) or not isinstance(row.get("label"), str):
            raise HeadError(f"{path}:{n}: a row needs string 'text' and 'label'")
        rows.append(row)
    return rows


def train(texts: list[str], labels: list[str], vectors: np.ndarray, seed: int = 0, epochs: int = 30,
          lr: float = 0.02, weight_decay: float = 1e-5, batch: int = 64) -> SafetyHead:
    """Mini-batch Adam on class-balanced cross-entropy (torch on one thread: deterministic for a seed)."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    names = tuple(sorted(set(labels), key=lambda x: (x != SAFE, x)))
    y = torch.tensor([names.index(x) for x in labels])
    feats = [sparse_features(t) for t in texts]
    offsets = torch.tensor(np.cumsum([0] + [len(i) for i, _ in feats[:-1]]))
    flat_idx = torch.from_numpy(np.concatenate([i for i, _ in feats]))
    flat_val = torch.from_numpy(np.concatenate([v for _, v in feats]))
    x = torch.from_numpy(np.asarray(vectors, dtype=np.float32))
    bag = torch.nn.EmbeddingBag(1 << HASH_BITS, len(names), mode="sum")
    dense = torch.nn.Linear(x.shape[1], len(names))
    torch.nn.init.zeros_(bag.weight)
    torch.nn.init.zeros_(dense.weight)
    counts = torch.bincount(y, minlength=len(names)).float()
    loss_fn = torch.nn.CrossEntropyLoss(weight=(counts.sum() / counts).sqrt())
    opt = torch.optim.Adam([*bag.parameters(), *dense.parameters()], lr=lr, weight_decay=weight_decay)
    lengths = torch.tensor([len(i) for i, _ in feats])
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for rows in torch.randperm(len(texts), generator=gen).split(batch):
            starts, lens = offsets[rows], lengths[rows]
            pick = torch.cat([torch.arange(s, s + n) for s, n in zip(starts.tolist(), lens.tolist())])
            sub_offsets = torch.cat([torch.zeros(1, dtype=torch.long), lens.cumsum(0)[:-1]])
            logits = bag(flat_idx[pick], sub_offsets, per_sample_weights=flat_val[pick]) + dense(x[rows])
            loss = loss_fn(logits, y[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return SafetyHead(names, dense.weight.detach().numpy().T.copy(), bag.weight.detach().numpy().copy(),
                      dense.bias.detach().numpy().copy())


def average(heads: list[SafetyHead]) -> SafetyHead:
    """The mean of linear heads: its logits are the mean of theirs (a logit-averaging ensemble that
    costs one head at inference)."""
    if len({h.labels for h in heads}) != 1:
        raise HeadError("heads to average were trained on different label sets")
    return SafetyHead(heads[0].labels, np.mean([h.w_embed for h in heads], axis=0),
                      np.mean([h.w_char for h in heads], axis=0), np.mean([h.bias for h in heads], axis=0))


def build(train_path: Path = TRAIN_PATH, out: Path = HEAD_PATH, seed: int = 0, embed=None,
          cache_dir: str = "") -> SafetyHead:
    """Embed the training texts with the packaged MiniLM (or ``embed``), train one head per template
    draw (the rows' ``draw``; a file without it is one draw), average, stamp and save.
    ``cache_dir``: the embedding cache (rag/embed.py) so a rebuild embeds only changed texts."""
    rows = read_rows(train_path)
    texts = sorted({r["text"] for r in rows})
    embed = embed or packaged_embed(cache_dir)
    t0 = time.process_time()
    vectors = dict(zip(texts, embed(texts)))
    t1 = time.process_time()
    draws: dict = {}
    for r in rows:
        draws.setdefault(r.get("draw"), []).append(r)
    heads = [train([r["text"] for r in d], [r["label"] for r in d], np.stack([vectors[r["text"]] for r in d]), seed=seed)
             for _, d in sorted(draws.items(), key=lambda kv: str(kv[0]))]
    head = average(heads) if len(heads) > 1 else heads[0]
    head.stamp = data_stamp(train_path, seed)
    head.save(out)
    print(f"{len(rows)} rows ({len(heads)} draws) from {train_path}: embedding {t1 - t0:.1f} s CPU, training "
          f"{time.process_time() - t1:.1f} s CPU -> {out} (stamp {head.stamp})", file=sys.stderr)
    return head


def packaged_embed(cache_dir: str = ""):
    """The packaged MiniLM's encoder on one thread (``cache_dir``: rag/embed.py's embedding cache)."""
    from rag.embed import Embedder

    return Embedder(threads=1, cache_dir=cache_dir).encode


def cli(argv: list[str] | None, description: str, out: Path, build_fn, seed: bool = False) -> int:
    """The command line of a file built from the training data (this head, guardrails/safety_knn.py)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", type=Path, default=TRAIN_PATH)
    p.add_argument("--out", type=Path, default=out)
    if seed:
        p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache-dir", default="", help="embedding cache folder (rebuilds embed only new texts)")
    args = p.parse_args(argv)
    extra = {"seed": args.seed} if seed else {}
    build_fn(args.data, args.out, cache_dir=args.cache_dir, **extra)
    return 0


def main(argv: list[str] | None = None) -> int:
    return cli(argv, "Train the learned safety head from the generated training data.", HEAD_PATH, build, seed=True)


if __name__ == "__main__":
    raise SystemExit(main())

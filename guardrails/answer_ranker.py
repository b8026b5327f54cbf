"""The learned answer-line ranker: which lines of the retrieved sections hold the answer.

The hand-tuned line score (guardrails/answer_lines.py) weighs a line's question words and its
meaning with weights chosen by hand on a few hundred questions. This ranker is a logistic regression
over features of each candidate line given the question -- the hand score itself, its parts
(IDF-weighted word overlap, MiniLM question-line cosine), whether the line holds a figure when an
amount is asked, table row / list item / note, heading and title overlap, position in the section,
the passage's retrieval rank and cosine -- trained on the 500 QA *training* questions
(data/instructions/train.jsonl): a line is a positive when it holds part of the gold answer (its
figures or content words, the rule of customize/answer_scoring.contains_fact applied per line).

Trained by ``python -m guardrails.answer_ranker_train`` (deterministic: Newton steps from zeros) and
shipped as guardrails/answer_ranker.npz (~2 KB) with a stamp of the training data, the manual and the
feature version, so ``stale()`` says when a rebuild is due. Inference is numpy only (about a
millisecond for the ~100 lines of four sections).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from guardrails.grounding import _NUMBER, Evidence, _stems

RANKER_PATH = Path(__file__).resolve().parent / "answer_ranker.npz"
REPO = Path(__file__).resolve().parents[1]
TRAIN_PATH = REPO / "data" / "instructions" / "train.jsonl"
MANUAL_DIR = REPO / "data" / "manual"
FEATURE_VERSION = "lines-v2-columns"  # part of the stamp: changing the features invalidates the weights

FEATURES = (
    "hand", "hand_in_passage", "hand_rank", "base", "neighbour", "lexical", "meaning", "meaning_gap",
    "meaning_rank", "number", "quantity_number", "table", "listed", "intro", "note", "line_coverage",
    "heading_coverage", "title_coverage", "position", "first", "log_words", "rank1", "rank2", "rank3",
    "passage_score", "passage_coverage",
)
# A passage's features for choosing the section to quote (the second, small model)
PASSAGE_FEATURES = ("rank1", "rank2", "rank3", "score", "score_gap", "coverage", "title_coverage", "best_line",
                    "best_three", "best_hand", "specifications", "best_meaning")
_NOTE = re.compile(r"^(?:WARNING|CAUTION|NOTE|DANGER)\b")



class RankerError(Exception):
    """The stored ranker is missing, unreadable or was trained for other features."""


def _share(terms: set[str], present: set[str], evidence: Evidence) -> float:
    """IDF-weighted share of ``terms`` found in ``present`` (0 without terms)."""
    total = sum(evidence.idf(t) for t in terms)
    return sum(evidence.idf(t) for t in terms & present) / total if total else 0.0


def _ranks(values: list[float]) -> list[float]:
    """1 / (1 + rank) of each value among ``values`` (rank 0: the highest)."""
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=True)
    out = [0.0] * len(values)
    for r, i in enumerate(order):
        out[i] = 1.0 / (1.0 + r)
    return out


def features(c, evidence: Evidence) -> np.ndarray:
    """One row of FEATURES per line of ``c`` (answer_lines.Candidates), in ``c.flat`` order."""
    n = len(c.flat)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x
    top_hand = max(c.hand.values()) or 1.0
    top_base = max(c.base.values()) or 1.0
    top_lex = max(c.lexical) or 1.0
    top_sem = max(c.meaning)
    by_passage: dict[int, list[int]] = {}
    for row, (k, _) in enumerate(c.flat):
        by_passage.setdefault(k, []).append(row)
    hand_rank, sem_rank, top_in = [0.0] * n, [0.0] * n, [1.0] * n
    for rows in by_passage.values():
        hands = [c.hand[c.flat[r]] for r in rows]
        for r, v in zip(rows, _ranks(hands)):
            hand_rank[r] = v
        for r, v in zip(rows, _ranks([c.meaning[r] for r in rows])):
            sem_rank[r] = v
        best = max(hands) or 1.0
        for r in rows:
            top_in[r] = best
    title_cov = [_share(c.terms, _stems(p.title), evidence) for p in c.pool]
    passage_cov = [_share(c.terms, _stems(p.title + " " + p.text), evidence) for p in c.pool]
    for row, (k, i) in enumerate(c.flat):
        line = c.parts_of[k][i]
        if line.header_row:
            continue  # column names are context, never an answer: all-zero row, scored 0 below
        count = len(c.parts_of[k])
        near = [c.base[(k, j)] for j in (i - 1, i + 1) if (k, j) in c.base
                and c.parts_of[k][j].heading == line.heading]
        number = 1.0 if _NUMBER.search(line.text) else 0.0
        x[row] = (
            c.hand[(k, i)] / top_hand, c.hand[(k, i)] / top_in[row], hand_rank[row], c.base[(k, i)] / top_base,
            (max(near) / top_base) if near else 0.0, c.lexical[row] / top_lex, c.meaning[row],
            c.meaning[row] - top_sem, sem_rank[row], number, number * float(c.quantity),
            float(line.table), float(line.listed),
            float(line.text.endswith(":")), 1.0 if _NOTE.match(line.text) else 0.0,
            _share(c.terms, _stems(line.text), evidence), _share(c.terms, _stems(line.heading), evidence),
            title_cov[k], i / max(count - 1, 1), float(i == 0), math.log1p(len(line.text.split())),
            float(k == 1), float(k == 2), float(k >= 3), c.pool[k].score, passage_cov[k],
        )
    return x


def passage_features(c, line_scores: dict[tuple[int, int], float], evidence: Evidence) -> np.ndarray:
    """One row of PASSAGE_FEATURES per passage of ``c``: retrieval rank and cosine, how much of the
    question it covers, and how likely its best lines hold the answer (``line_scores``)."""
    x = np.zeros((len(c.pool), len(PASSAGE_FEATURES)))
    top_score = c.pool[0].score if c.pool else 0.0
    top_hand = max(c.hand.values(), default=0.0) or 1.0
    for k, p in enumerate(c.pool):
        lines = range(len(c.parts_of[k]))
        probs = sorted((line_scores[(k, i)] for i in lines), reverse=True) or [0.0]
        hands = [c.hand[(k, i)] for i in lines] or [0.0]
        meanings = [c.meaning[row] for row, (kk, _) in enumerate(c.flat) if kk == k] or [0.0]
        x[k] = (float(k == 1), float(k == 2), float(k >= 3), p.score, p.score - top_score,
                _share(c.terms, _stems(p.title + " " + p.text), evidence), _share(c.terms, _stems(p.title), evidence),
                probs[0], sum(probs[:3]), max(hands) / top_hand, float(p.section_id.startswith("20.")), max(meanings))
    return x


@dataclass
class AnswerRanker:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    floor: float = 0.3  # a line joins when its probability is at least this share of the best line's
    second_section: float = 0.7  # a second section joins when its best line reaches this share
    stamp: str = ""
    names: tuple[str, ...] = field(default=FEATURES)
    # the section chooser (None: quote the best ranked passage, as the hand score does)
    passage: tuple[np.ndarray, np.ndarray, np.ndarray, float] | None = None

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def scores(self, c, evidence: Evidence) -> dict[tuple[int, int], float]:
        """Probability that each line of ``c`` holds the answer (0 for table header rows)."""
        z = self.logits(features(c, evidence))
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return {key: 0.0 if c.parts_of[key[0]][key[1]].header_row else float(v) for key, v in zip(c.flat, p)}

    def passage_order(self, c, line_scores: dict[tuple[int, int], float], evidence: Evidence) -> list[int]:
        """The passages of ``c`` from the likeliest to hold the answer (retrieval order without a chooser)."""
        if self.passage is None or len(c.pool) < 2:
            return list(range(len(c.pool)))
        mean, scale, weights, bias = self.passage
        z = ((passage_features(c, line_scores, evidence) - mean) / scale) @ weights + bias
        return sorted(range(len(c.pool)), key=lambda k: (-z[k], k))

    def save(self, path: Path = RANKER_PATH) -> None:
        extra = {}
        if self.passage is not None:
            extra = dict(zip(("p_mean", "p_scale", "p_weights", "p_bias"), map(np.asarray, self.passage)))
        np.savez_compressed(path, mean=self.mean, scale=self.scale, weights=self.weights,
                            bias=np.array(self.bias), floor=np.array(self.floor),
                            second_section=np.array(self.second_section), stamp=np.array(self.stamp),
                            names=np.array(self.names), **extra)


def load(path: Path = RANKER_PATH) -> AnswerRanker:
    try:
        with np.load(path) as z:
            passage = ((z["p_mean"], z["p_scale"], z["p_weights"], float(z["p_bias"])) if "p_weights" in z.files
                       else None)
            ranker = AnswerRanker(z["mean"], z["scale"], z["weights"], float(z["bias"]), float(z["floor"]),
                                  float(z["second_section"]), str(z["stamp"]), tuple(str(x) for x in z["names"]),
                                  passage)
    except (OSError, KeyError, ValueError) as e:
        raise RankerError(f"{path}: cannot load the answer-line ranker ({e}); rebuild: "
                          "python -m guardrails.answer_ranker_train") from e
    if (ranker.names != FEATURES or ranker.weights.shape != (len(FEATURES),)
            or (ranker.passage is not None and ranker.passage[2].shape != (len(PASSAGE_FEATURES),))):
        raise RankerError(f"{path}: trained for other features; rebuild: python -m guardrails.answer_ranker_train")
    return ranker


def training_stamp(first: Path, named: Sequence[Path], tail: str) -> str:
    """16 hex digits of a file's bytes, then each further file's name and bytes, then ``tail`` (the
    feature version): what a shipped weight file was trained from (its rebuild test compares them)."""
    h = hashlib.sha256(first.read_bytes())
    for path in named:
        h.update(path.name.encode() + path.read_bytes())
    h.update(tail.encode())
    return h.hexdigest()[:16]


def data_stamp(train_path: Path = TRAIN_PATH, manual_dir: Path = MANUAL_DIR, seed: int = 0) -> str:
    """What the ranker was trained from: the training questions, the manual, the feature version."""
    return training_stamp(train_path, sorted(manual_dir.glob("*.md")), FEATURE_VERSION + str(seed))


def stale(ranker: AnswerRanker, train_path: Path = TRAIN_PATH, manual_dir: Path = MANUAL_DIR) -> bool:
    return ranker.stamp != data_stamp(train_path, manual_dir)


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, l2: float = 1.0,
        steps: int = 25) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, weights, bias) of an L2-regularised logistic regression by Newton steps from zero
    (deterministic: the same rows give the same weights). ``y`` may be soft (0..1)."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    sw = np.ones(len(x)) if weight is None else weight
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (sw * (p - y)) + reg * w
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return mean, scale, w[:-1], float(w[-1])

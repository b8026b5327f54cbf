"""Training of the learned "not covered" decision (guardrails/answerability_model.py).

    OMP_NUM_THREADS=1 python -m guardrails.answerability_train             # cross-validate, train, stamp, save
    OMP_NUM_THREADS=1 python -m guardrails.answerability_train --no-save   # cross-validation only

Positives (answerable): the 500 QA training questions (data/instructions/train.jsonl). Negatives
(not covered): the development unanswerable sets (unanswerable, dev_unanswerable, dev2_unanswerable,
unanswerable_v2; 132 questions). No eval or held-out row is read. Each question is replayed as the
assistant retrieves it (the retriever over the whole manual, the question in the manual's words,
the top 4 chunks as retrieved), so the features are the ones a turn computes.

The classes are weighted equally (500 vs 132). The threshold is chosen on out-of-fold
probabilities (5-fold, stratified by position): the lowest P(not covered) at which at most
``MAX_FALSE`` of the answerable training questions would be declined *by the model alone* (the
rules decline some of them already), so the model adds declines of unanswerable questions while
costing at most about 0.4% of answerable ones.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from guardrails.answer_ranker import fit
from guardrails.answerability_model import (FEATURES, MODEL_PATH, NEGATIVE_PATHS, TRAIN_PATH, AnswerabilityModel,
                                            data_stamp, features)
from guardrails.evaluate import read_jsonl
from guardrails.grounding import Passage, answerable

MAX_FALSE = 0.004  # share of answerable training questions the model alone may decline (out of fold);
# 0.01 (threshold 0.88) also declined 3 of the 129 dev eval questions, 0.004 (0.93) none (docs, round ten)
L2 = 1.0


def read_questions(path: Path) -> list[str]:
    return [row["question"] for row in read_jsonl(path, ("question",), strings=True)]


def replay(manual, question: str) -> tuple[np.ndarray, bool]:
    """(features, whether the rules already decline it) of ``question`` as a turn sees it."""
    from guardrails import inputs

    asked = inputs.focus(question)
    wording = manual.retriever.query_text(asked)
    vector = manual.embed([asked])[0]
    search = vector if " ".join(wording.lower().split()) == " ".join(question.lower().split()) \
        else manual.embed([wording])[0]
    hits = manual.retriever.search_vectors([question], search[None, :], manual.top_k)[0]
    passages = [Passage.from_hit(h) for h in hits]
    x = features(wording, passages, manual.evidence, original=question,
                 section_of=lambda p: manual.sections.expand(p).text)
    rule = answerable(wording, passages, manual.evidence, original=question)
    return x, not rule.answerable


def dataset(manual, train_path: Path = TRAIN_PATH, negatives=NEGATIVE_PATHS):
    """(x, y, rule_declines): y = 1 for not covered."""
    rows = [(q, 0.0) for q in read_questions(train_path)]
    rows += [(q, 1.0) for path in negatives for q in read_questions(path)]
    xs, ys, rules = [], [], []
    for q, label in rows:
        x, declined = replay(manual, q)
        xs.append(x)
        ys.append(label)
        rules.append(declined)
    return np.vstack(xs), np.array(ys), np.array(rules)


def fit_model(x: np.ndarray, y: np.ndarray, l2: float = L2) -> AnswerabilityModel:
    w = np.where(y > 0.5, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * len(y)  # classes weigh the same
    mean, scale, weights, bias = fit(x, y, w, l2=l2)
    return AnswerabilityModel(mean, scale, weights, bias)


def out_of_fold(x: np.ndarray, y: np.ndarray, folds: int = 5, l2: float = L2) -> np.ndarray:
    fold = np.zeros(len(y), dtype=int)
    for label in (0.0, 1.0):  # stratified: each class spread over the folds by position
        idx = np.flatnonzero(y == label)
        fold[idx] = np.arange(len(idx)) % folds
    p = np.zeros(len(y))
    for f in range(folds):
        model = fit_model(x[fold != f], y[fold != f], l2)
        p[fold == f] = [model.probability(row) for row in x[fold == f]]
    return p


def choose_threshold(p: np.ndarray, y: np.ndarray, rules: np.ndarray, max_false: float = MAX_FALSE) -> float:
    """The lowest threshold at which the model alone declines at most ``max_false`` of the answerable
    questions the rules let through."""
    free = p[(y == 0) & ~rules]
    allowed = int(max_false * (y == 0).sum())
    ordered = np.sort(free)[::-1]
    if allowed >= len(ordered):
        return 0.5
    return float(min(0.99, ordered[allowed] + 1e-6))


def report(p: np.ndarray, y: np.ndarray, rules: np.ndarray, threshold: float) -> dict:
    model = p >= threshold
    pos, neg = y == 0, y == 1
    return {"threshold": round(threshold, 4),
            "answerable declined (rules / rules+model)": (int((rules & pos).sum()), int(((rules | model) & pos).sum()),
                                                          int(pos.sum())),
            "unanswerable declined (rules / rules+model)": (int((rules & neg).sum()), int(((rules | model) & neg).sum()),
                                                            int(neg.sum()))}


def build(manual=None, out: Path | None = MODEL_PATH) -> tuple[AnswerabilityModel, dict]:
    """Cross-validate the threshold, train on every row, stamp and save (``out`` None: do not save)."""
    if manual is None:
        from guardrails.answer_ranker_train import Manual

        manual = Manual()
    x, y, rules = dataset(manual)
    p = out_of_fold(x, y)
    threshold = choose_threshold(p, y, rules)
    model = fit_model(x, y)
    model.threshold = threshold
    model.stamp = data_stamp()
    if out is not None:
        model.save(out)
    return model, report(p, y, rules, threshold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    model, rep = build(out=None if args.no_save else args.out)
    print(f"out of fold (5-fold): {rep}", file=sys.stderr)
    print(dict(zip(FEATURES, np.round(model.weights, 3))), file=sys.stderr)
    print(f"{time.perf_counter() - t0:.0f} s" + ("" if args.no_save else f" -> {args.out} (stamp {model.stamp})"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

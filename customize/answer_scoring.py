"""Scoring an answer against a gold answer (text only; no torch): the customize stage's held-out
evaluation and the assistant's evaluation both use these, so their numbers mean the same.

token_f1: SQuAD-style token F1. contains_fact: every number of the gold answer appears in the
answer, or, for a gold answer without numbers, at least half of its content words do.
"""

from __future__ import annotations

import re
from collections import Counter

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)?")
_ARTICLES = {"a", "an", "the"}
_STOP = frozenset(["a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "be", "it", "this", "that", "you", "your", "at", "by", "as", "from", "can", "if", "do", "not", "when", "what", "how", "which", "i", "my", "me", "does", "will", "than", "then", "into", "only", "also"])


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _ARTICLES]


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = _tokens(prediction), _tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text.replace("\u2212", "-"))}


def contains_fact(prediction: str, gold: str) -> bool:
    numbers = _numbers(gold)
    if numbers:
        return numbers <= _numbers(prediction)
    content = {t for t in _tokens(gold) if t not in _STOP and len(t) > 2}
    return bool(content) and len(content & set(_tokens(prediction))) >= 0.5 * len(content)

"""Rule type and scoring shared by the lexicon's categories (guardrails/lexicon/*.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    weight: float
    reason: str


def _rules(items: list[tuple[str, float, str]]) -> tuple[Rule, ...]:
    return tuple(Rule(re.compile(p, re.IGNORECASE), w, r) for p, w, r in items)


def score(rules: tuple[Rule, ...], variants: tuple[str, ...]) -> tuple[float, list[str]]:
    """Sum of the weights of the rules that match any spelling (each rule counts once)."""
    total, reasons = 0.0, []
    for rule in rules:
        if any(rule.pattern.search(v) for v in variants):
            total += rule.weight
            reasons.append(rule.reason)
    return total, reasons


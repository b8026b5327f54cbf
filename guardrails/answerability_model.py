"""A learned "not covered" decision: a logistic regression over a question's retrieval and coverage
features (numpy only), next to the rules of ``grounding.answerable``.

The rules decline a question when its rare words are unknown to the manual or nothing is related.
Near-miss features ("cooled cupholders", "a third row of seats") share most words with a covered
section and pass them. This model reads the same evidence as numbers (best cosine, the gap to the
second passage, how much of the question the best passage, its whole section and its best line hold,
the share and rarity of the words the best section lacks, whether the question asks if the car has
something, names and commercial words the manual never uses) and gives P(not covered). It is
trained by ``guardrails/answerability_train.py`` on the QA training questions (answerable) and the
development unanswerable sets; a missing or foreign weight file leaves the rules alone (a warning).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from guardrails.grounding import (_ASKS_FEATURE, COMMERCIAL, Answerability, Evidence, Passage, _stems, asks_feature, coverage,
                                  proper_names, question_terms, rank_passages, unknown_terms)

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "answerability.npz"
REPO = Path(__file__).resolve().parents[1]
TRAIN_PATH = REPO / "data" / "instructions" / "train.jsonl"
NEGATIVE_PATHS = tuple(REPO / "data" / "assistant" / name for name in (
    "unanswerable.jsonl", "dev_unanswerable.jsonl", "dev2_unanswerable.jsonl", "unanswerable_v2.jsonl"))
MANUAL_DIR = REPO / "data" / "manual"
FEATURE_VERSION = "answerability-v1"  # part of the stamp: changing the features invalidates the weights

FEATURES = (
    "top_score", "score_gap", "best_coverage", "max_coverage", "section_coverage", "line_coverage",
    "title_coverage", "unknown_share", "unknown_count", "missing_share", "missing_rarest", "asks_feature",
    "thing_coverage", "named_unknown", "commercial", "log_terms",
)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line.split()) >= 2]


def features(question: str, passages: Sequence[Passage], evidence: Evidence, original: str = "",
             section_of: Callable[[Passage], str] | None = None) -> np.ndarray:
    """The feature vector of a question and its retrieved passages (``section_of``: the whole text of
    a passage's section, when known; else the passage itself stands for it)."""
    original = original or question
    if not passages:
        return np.zeros(len(FEATURES))
    ranked = rank_passages(question, passages, evidence)
    best = ranked[0]
    scores = sorted((p.score for p in passages), reverse=True)
    best_text = best.title + " " + best.text
    section = best.title + " " + (section_of(best) if section_of is not None else best.text)
    terms = question_terms(question)
    weights = {t: evidence.idf(t) for t in terms}
    total = sum(weights.values()) or 1.0
    unknown = unknown_terms(question, evidence)
    present = _stems(section)
    missing = [t for t in terms if t not in present]
    rarest = max((weights[t] for t in missing), default=0.0)
    top_idf = max(weights.values(), default=1.0) or 1.0
    asks = asks_feature(original)
    thing = coverage(_ASKS_FEATURE.sub(" ", question), section, evidence) if asks else 1.0
    line_cov = max((coverage(question, line, evidence) for line in _lines(section)), default=0.0)
    commercial = bool(_stems(original) & COMMERCIAL)
    return np.array([
        scores[0],
        scores[0] - (scores[1] if len(scores) > 1 else 0.0),
        coverage(question, best_text, evidence),
        max(coverage(question, p.title + " " + p.text, evidence) for p in passages),
        coverage(question, section, evidence),
        line_cov,
        coverage(question, best.title, evidence),
        sum(weights[t] for t in unknown if t in weights) / total,
        float(len(unknown)),
        sum(weights[t] for t in missing) / total,
        rarest / top_idf,
        float(asks),
        thing,
        float(bool(set(unknown) & proper_names(original))),
        float(commercial),
        math.log1p(len(terms)),
    ])


@dataclass
class AnswerabilityModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float = 0.5  # P(not covered) at or above this: the question is declined
    stamp: str = ""
    names: tuple = FEATURES

    def probability(self, x: np.ndarray) -> float:
        """P(the manual does not cover the question)."""
        z = float(((x - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def save(self, path: Path = MODEL_PATH) -> None:
        np.savez_compressed(path, mean=self.mean, scale=self.scale, weights=self.weights, bias=np.array(self.bias),
                            threshold=np.array(self.threshold), stamp=np.array(self.stamp),
                            names=np.array(self.names))


def load(path: Path = MODEL_PATH) -> AnswerabilityModel | None:
    """The saved model, or None (with a warning) when the file is missing, unreadable or was made
    for other features: the answerability rules then decide alone."""
    try:
        with np.load(path) as z:
            model = AnswerabilityModel(z["mean"], z["scale"], z["weights"], float(z["bias"]), float(z["threshold"]),
                                       str(z["stamp"]), tuple(str(x) for x in z["names"]))
    except (OSError, KeyError, ValueError) as e:
        log.warning("answerability model %s not usable (%s): the rules decide alone", path, e)
        return None
    if model.names != FEATURES:
        log.warning("answerability model %s has other features: the rules decide alone", path)
        return None
    return model


@functools.lru_cache(maxsize=None)
def shipped(path: Path = MODEL_PATH) -> AnswerabilityModel | None:
    """The shipped model, loaded once per process and path (as ``answer_lines.default_ranker``)."""
    return load(path)


def data_stamp(train_path: Path = TRAIN_PATH, negatives: Sequence[Path] = NEGATIVE_PATHS,
               manual_dir: Path = MANUAL_DIR) -> str:
    """What the model was trained from: the questions of both classes, the manual, the feature version."""
    from guardrails.answer_ranker import training_stamp

    return training_stamp(train_path, [*negatives, *sorted(manual_dir.glob("*.md"))], FEATURE_VERSION)


def check(result: Answerability, question: str, passages: Sequence[Passage], evidence: Evidence,
          original: str = "", section_of: Callable[[Passage], str] | None = None,
          model: AnswerabilityModel | None | str = "default", threshold: float = 0.0) -> Answerability:
    """``result`` (the rules' decision), declined when the rules answer but the model says the
    manual does not cover the question; unchanged without a usable model. ``threshold`` (> 0)
    replaces the model's own."""
    model = shipped() if model == "default" else model
    if not result.answerable or model is None or not passages:
        return result
    if threshold > 0:
        model = replace(model, threshold=threshold)
    p = model.probability(features(question, passages, evidence, original, section_of))
    if p < model.threshold:
        return result
    return replace(result, answerable=False,
                   reason=f"the learned check reads it as not covered (P {p:.2f} >= {model.threshold:.2f})")

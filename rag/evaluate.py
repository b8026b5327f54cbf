"""Retrieval quality on question sets: recall@1, recall@k, MRR@10 (question -> gold section).

A question set is JSONL with ``question`` and a gold key: ``section_id`` (the manual's sections),
else ``doc_id`` or ``url`` (a user's own corpus). A question counts as found at rank r when the
r-th hit carries its gold value or one of ``alt_section_ids`` (sections that state the same fact:
the manual repeats e.g. tyre pressures in 16.1 and 20.4); ``strict_*`` metrics accept only the
gold value. Malformed lines are counted and reported, never dropped silently.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

GOLD_KEYS = ("section_id", "doc_id", "url")
MRR_DEPTH = 10


class QuestionSetError(Exception):
    """A question set cannot be read at all."""


@dataclass
class QuestionSet:
    name: str
    questions: list[str] = field(default_factory=list)
    gold_key: list[str] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    bad_lines: list[dict] = field(default_factory=list)  # {"file", "line", "reason"}


def load_questions(path: str | Path) -> QuestionSet:
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(f"question set {path} does not exist")
    qs = QuestionSet(path.stem)
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            qs.bad_lines.append({"file": str(path), "line": number, "reason": f"invalid JSON: {err}"})
            continue
        key = next((k for k in GOLD_KEYS if isinstance(record, dict) and record.get(k)), None)
        if not isinstance(record, dict) or not isinstance(record.get("question"), str) or key is None:
            qs.bad_lines.append({"file": str(path), "line": number, "reason": f"needs question and one of {GOLD_KEYS}"})
            continue
        qs.questions.append(record["question"])
        qs.gold_key.append(key)
        qs.gold.append(str(record[key]))
        alts = record.get("alt_section_ids") or []
        qs.alternatives.append(tuple(str(a) for a in alts) if key == "section_id" and isinstance(alts, list) else ())
    if not qs.questions:
        raise QuestionSetError(f"question set {path} holds no usable question")
    return qs


def first_rank(hits, key: str, gold: str | tuple[str, ...]) -> int:
    """1-based rank of the first hit carrying a gold value, 0 if none."""
    accepted = {gold} if isinstance(gold, str) else set(gold)
    for rank, hit in enumerate(hits, 1):
        if str(getattr(hit, key)) in accepted:
            return rank
    return 0


def score(ranks: list[int], k: int, strict: list[int] | None = None) -> dict:
    n = len(ranks)
    result = {
        "n": n,
        "recall@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        f"recall@{k}": round(sum(1 for r in ranks if 0 < r <= k) / n, 4),
        "mrr@10": round(sum(1.0 / r for r in ranks if 0 < r <= MRR_DEPTH) / n, 4),
    }
    if strict is not None and strict != ranks:
        result["strict_recall@1"] = round(sum(1 for r in strict if r == 1) / n, 4)
        result[f"strict_recall@{k}"] = round(sum(1 for r in strict if 0 < r <= k) / n, 4)
    return result


def evaluate(retriever, qs: QuestionSet, k: int = 5, modes: tuple[str, ...] = ("dense", "hybrid"),
             batch: int = 64) -> dict[str, tuple[dict, list[dict]]]:
    """Per mode ("dense" | "hybrid"): metrics and the misses (question, gold, rank, top sections).
    Each question is embedded once for all modes."""
    ranks = {m: [] for m in modes}
    strict = {m: [] for m in modes}
    misses: dict[str, list[dict]] = {m: [] for m in modes}
    depth = max(k, MRR_DEPTH)
    for start in range(0, len(qs.questions), batch):
        questions = qs.questions[start:start + batch]
        vectors = retriever.embed_queries(questions)
        for mode in modes:
            found = retriever.search_vectors(questions, vectors, depth, hybrid=mode == "hybrid")
            for offset, hits in enumerate(found):
                i = start + offset
                strict[mode].append(first_rank(hits, qs.gold_key[i], qs.gold[i]))
                rank = first_rank(hits, qs.gold_key[i], (qs.gold[i], *qs.alternatives[i]))
                ranks[mode].append(rank)
                if rank != 1:
                    misses[mode].append({"question": qs.questions[i], "gold": qs.gold[i], "rank": rank,
                                         "top": [f"{h.section_id} {h.section_title}".strip() for h in hits[:3]]})
    return {m: (score(ranks[m], k, strict[m]), misses[m]) for m in modes}


def latency(retriever, questions: list[str], k: int = 5, hybrid: bool = False, repeat: int = 1) -> dict:
    """Single-query wall time (embedding + search) in milliseconds: p50, p99, mean."""
    times = []
    for _ in range(repeat):
        for question in questions:
            start = time.perf_counter()
            retriever.search_batch([question], k, hybrid=hybrid)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"queries": len(times), "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[min(len(times) - 1, int(0.99 * len(times)))], 2),
            "mean_ms": round(statistics.fmean(times), 2)}

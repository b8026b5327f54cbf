"""Examples of the two adapter kinds: chat messages, the answer to learn, and the gold for scoring.

manual_qa (data/instructions/*.jsonl: id, question, answer, section_id, section_title, ...)
    The prompt is ``prompts.manual_qa_messages(question, passages)``, as the assistant builds it
    from the RAG index. Training context, chosen deterministically from the example id:
    the gold section's ``passage_words``-word window that overlaps the answer most, plus
    distractor windows (the first from the same chapter: a hard negative; each the window that
    overlaps the question most, as a retriever would pick), in a seeded order. A share
    ``unanswerable_fraction`` of training questions gets distractors only and the answer
    ``prompts.NOT_IN_CONTEXT``. An example too long for ``max_seq_len`` gets shorter windows;
    one that still does not fit is quarantined.
cockpit_commands (data/commands/*.jsonl: id, utterance, vehicle_state, command)
    The prompt is ``prompts.command_messages(utterance, vehicle_state)``; the answer is
    ``commands.format_command(command)``. A record whose command or state is not valid against
    the schema is quarantined, never trained on.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customize import prompts
from customize.commands import format_command, validate_command, validate_vehicle_state

QA_FIELDS = ("id", "question", "answer", "section_id", "section_title")
COMMAND_FIELDS = ("id", "utterance", "vehicle_state", "command")
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_STOP = frozenset(["the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "be", "it", "this", "that", "you", "your", "at", "by", "as", "from", "can", "if", "do", "not", "when", "what", "how", "which", "i", "my", "me", "does"])


class DataError(ValueError):
    """A data file that cannot be used at all (missing, or no usable record)."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str


@dataclass
class Example:
    id: str
    messages: list[dict[str, str]]
    completion: str
    gold: dict[str, Any] = field(default_factory=dict)


def read_jsonl(path: Path, fields: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """(line, record) for every usable line; the others are recorded in ``problems``."""
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(Problem(str(path), number, "blank line"))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            problems.append(Problem(str(path), number, f"invalid JSON: {err.msg}"))
            continue
        missing = [f for f in fields if not isinstance(record, dict) or record.get(f) in (None, "")]
        if missing:
            problems.append(Problem(str(path), number, f"missing field(s) {', '.join(missing)}"))
            continue
        rows.append((number, record))
    return rows


# -- cockpit_commands ---------------------------------------------------------------------------
def command_examples(path: Path, schema: Path, problems: list[Problem]) -> list[Example]:
    examples = []
    for number, record in read_jsonl(path, COMMAND_FIELDS, problems):
        issues = validate_vehicle_state(record["vehicle_state"], schema) + validate_command(record["command"], schema)
        if issues or not isinstance(record["utterance"], str):
            problems.append(Problem(str(path), number, "; ".join(issues) or "utterance is not text"))
            continue
        examples.append(Example(
            id=str(record["id"]), messages=prompts.command_messages(record["utterance"], record["vehicle_state"]),
            completion=format_command(record["command"]), gold={"command": record["command"]},
        ))
    return examples


# -- manual_qa ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Section:
    id: str
    chapter: int
    title: str
    words: tuple[str, ...]


def load_sections(manual_dir: Path) -> dict[str, Section]:
    from datagen.manual import load_manual

    return {s.id: Section(s.id, s.chapter, s.title, tuple(s.body.split())) for s in load_manual(manual_dir)}


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_window(words: tuple[str, ...], size: int, target: set[str]) -> str:
    """The ``size``-word window (stride size/2) sharing most terms with ``target``; first on ties."""
    if len(words) <= size:
        return " ".join(words)
    stride = max(1, size // 2)
    starts = list(range(0, len(words) - size + 1, stride))
    if starts[-1] != len(words) - size:
        starts.append(len(words) - size)
    scores = [len(_terms(" ".join(words[s:s + size])) & target) for s in starts]
    start = starts[scores.index(max(scores))]
    return " ".join(words[start:start + size])


@dataclass
class ManualQA:
    sections: dict[str, Section]
    passages: int
    seed: int

    def context(self, record: dict, words: int, answerable: bool) -> list[dict[str, str]]:
        """The passages shown with one question (deterministic in the record id)."""
        rng = random.Random(f"{self.seed}:{record['id']}")
        gold = self.sections[record["section_id"]]
        same = [s for s in self.sections.values() if s.chapter == gold.chapter and s.id != gold.id]
        rest = [s for s in self.sections.values() if s.chapter != gold.chapter]  # manual order: deterministic
        distractors = self.passages - 1 if answerable else self.passages
        picks: list[Section] = [rng.choice(same)] if same and distractors else []
        picks += rng.sample(rest, k=min(len(rest), distractors - len(picks)))
        question = _terms(record["question"])
        shown = [{"section_id": s.id, "title": s.title, "text": best_window(s.words, words, question)}
                 for s in picks]
        if answerable:
            target = _terms(record["answer"]) or question
            shown.append({"section_id": gold.id, "title": gold.title, "text": best_window(gold.words, words, target)})
        rng.shuffle(shown)
        return shown

    def example(self, record: dict, words: int, answerable: bool) -> Example:
        passages = self.context(record, words, answerable)
        completion = prompts.manual_qa_answer(record["answer"], record["section_id"] if answerable else None,
                                              self.sections[record["section_id"]].title)
        return Example(
            id=str(record["id"]), messages=prompts.manual_qa_messages(record["question"], passages),
            completion=completion,
            gold={"answer": record["answer"], "section_id": record["section_id"], "answerable": answerable,
                  "type": record.get("type", "")},
        )


def manual_qa_examples(path: Path, manual: ManualQA, passage_words: int, unanswerable_fraction: float,
                       fits: Callable[[Example], bool], problems: list[Problem], stats: dict[str, int]) -> list[Example]:
    """``fits(example)``: whether it tokenizes within max_seq_len; windows shrink until it does."""
    examples = []
    for number, record in read_jsonl(path, QA_FIELDS, problems):
        if record["section_id"] not in manual.sections:
            problems.append(Problem(str(path), number, f"section_id {record['section_id']} is not in the manual"))
            continue
        draw = random.Random(f"{manual.seed}:answerable:{record['id']}").random()
        answerable = draw >= unanswerable_fraction
        words = passage_words
        example = manual.example(record, words, answerable)
        while not fits(example) and words > 8:
            words = words * 3 // 4
            example = manual.example(record, words, answerable)
        stats["shortened"] = stats.get("shortened", 0) + (words != passage_words)
        if not fits(example):
            problems.append(Problem(str(path), number, "longer than max_seq_len even with 8-word passages"))
            continue
        stats["unanswerable"] = stats.get("unanswerable", 0) + (not answerable)
        examples.append(example)
    return examples

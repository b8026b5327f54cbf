"""Validate the instruction data (data/instructions/*.jsonl) against the owner's manual.

The QA pairs train the "customize" LoRA and evaluate the RAG assistant, so every
answer must be supported by the section it cites. The checks here are cheap and
mechanical (well under a second): schema, ids, split hygiene, section ids and
titles, coverage of every manual section, and -- the one that catches drifted
answers -- every number in an answer must occur in the cited section's text.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from datagen.manual import load_manual

from tests.support import REPO
MANUAL_DIR = REPO / "data" / "manual"
DATA_DIR = REPO / "data" / "instructions"
SPLITS = ("train", "eval")

QA_FIELDS = ("id", "question", "answer", "section_id", "section_title", "chapter", "type")
QA_TYPES = {"fact", "procedure", "meaning", "safety", "comparison"}
MIN_TOTAL = 300
MIN_EVAL = 50
MIN_EVAL_SECTIONS = 60
MIN_PER_SECTION = 2
MIN_UNSAFE = 60


# --------------------------------------------------------------------------- helpers

def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """(line number, object) for every line; a blank or unparsable line fails the test."""
    rows = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"{path.name}:{lineno}: blank line"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:  # pragma: no cover - message only
            pytest.fail(f"{path.name}:{lineno}: invalid JSON: {exc}")
        assert isinstance(obj, dict), f"{path.name}:{lineno}: not a JSON object"
        rows.append((lineno, obj))
    return rows


# Unicode minus, hyphens and dashes all count as "-".
_DASHES = {ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"}
# "2,050" -> "2050", "160,000" -> "160000" (a comma followed by exactly three digits).
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Alphanumeric tokens, keeping decimals together: "2.5", "10.25", "PM2.5", "CR2032", "R19".
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:\.[0-9]+)*")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _normalise(text: str) -> str:
    return _THOUSANDS.sub("", text.translate(_DASHES).replace("\u00a0", " ").replace("\u202f", " "))


def number_tokens(text: str) -> set[str]:
    """The numbers in ``text`` after normalisation.

    * plain numbers, decimals included ("36", "2.5"); both ends of a range count
      ("50-100" -> "50", "100");
    * a minus sign directly in front of a number that does not follow a letter or
      digit makes it negative ("-20 °C" -> "-20"), so "-20" in an answer needs "-20"
      in the section, not just "20";
    * a number glued to letters stays one token, compared case-insensitively
      ("CR2032", "R19", "PM2.5", "R1234yf").
    """
    text = _normalise(text)
    found = set()
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if not any(ch.isdigit() for ch in tok):
            continue
        if _PLAIN_NUMBER.fullmatch(tok):
            start = m.start()
            negative = start > 0 and text[start - 1] == "-" and (start < 2 or not text[start - 2].isalnum())
            found.add(("-" if negative else "") + tok)
        else:
            found.add(tok.lower())
    return found


def _norm_question(q: str) -> str:
    return " ".join(q.lower().split()).strip(" ?!.")


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def sections() -> dict:
    secs = load_manual(MANUAL_DIR)
    return {s.id: s for s in secs}


@pytest.fixture(scope="module")
def qa() -> dict[str, list[tuple[int, dict]]]:
    data = {}
    for split in SPLITS:
        path = DATA_DIR / f"{split}.jsonl"
        assert path.is_file(), f"missing {path}"
        data[split] = _read_jsonl(path)
    return data


@pytest.fixture(scope="module")
def all_pairs(qa) -> list[tuple[str, int, dict]]:
    return [(split, lineno, obj) for split in SPLITS for lineno, obj in qa[split]]


# --------------------------------------------------------------------------- number extraction itself

@pytest.mark.parametrize("text,expected", [
    ("2.5 bar (250 kPa, 36 psi)", {"2.5", "250", "36"}),
    ("kerb weight 2,050 kg", {"2050"}),
    ("set it between 50-100 %", {"50", "100"}),
    ("10\u201380 % in 28 min", {"10", "80", "28"}),
    ("rated to \u221220 \u00b0C", {"-20"}),
    ("between -10 \u00b0C and +15 \u00b0C", {"-10", "15"}),
    ("one CR2032 cell, 235/55 R19, PM2.5", {"cr2032", "235", "55", "r19", "pm2.5"}),
    ("8 years or 160,000 km.", {"8", "160000"}),
])
def test_number_tokens(text, expected):
    assert number_tokens(text) == expected


# --------------------------------------------------------------------------- schema and ids

def test_every_line_has_the_fields(all_pairs):
    problems = []
    for split, lineno, obj in all_pairs:
        where = f"{split}.jsonl:{lineno}"
        missing = [f for f in QA_FIELDS if f not in obj]
        if missing:
            problems.append(f"{where}: missing {missing}")
            continue
        empty = [f for f in QA_FIELDS if not isinstance(obj[f], str) or not obj[f].strip()]
        if empty:
            problems.append(f"{where}: empty or non-string {empty}")
        if obj["type"] not in QA_TYPES:
            problems.append(f"{where}: type {obj['type']!r} not in {sorted(QA_TYPES)}")
        if not re.fullmatch(r"qa-\d{4,}", obj["id"]):
            problems.append(f"{where}: id {obj['id']!r} is not like 'qa-0001'")
    assert not problems, "\n".join(problems)


def test_ids_unique_across_splits(all_pairs):
    counts = Counter(obj["id"] for _, _, obj in all_pairs)
    dupes = sorted(i for i, n in counts.items() if n > 1)
    assert not dupes, f"duplicate ids: {dupes}"


def test_sizes(qa):
    total = sum(len(rows) for rows in qa.values())
    assert total >= MIN_TOTAL, f"{total} pairs, need >= {MIN_TOTAL}"
    assert len(qa["eval"]) >= MIN_EVAL, f"{len(qa['eval'])} eval pairs, need >= {MIN_EVAL}"


# --------------------------------------------------------------------------- agreement with the manual

def test_section_ids_and_titles_match_manual(all_pairs, sections):
    problems = []
    for split, lineno, obj in all_pairs:
        where = f"{split}.jsonl:{lineno} ({obj['id']})"
        sec = sections.get(obj["section_id"])
        if sec is None:
            problems.append(f"{where}: section {obj['section_id']!r} is not in the manual")
            continue
        if obj["section_title"] != sec.title:
            problems.append(f"{where}: section_title {obj['section_title']!r} != heading {sec.title!r}")
        if obj["chapter"] != sec.chapter_title:
            problems.append(f"{where}: chapter {obj['chapter']!r} != {sec.chapter_title!r}")
    assert not problems, "\n".join(problems)


def test_every_section_cited_at_least_twice(all_pairs, sections):
    cited = Counter(obj["section_id"] for _, _, obj in all_pairs)
    thin = {sid: cited.get(sid, 0) for sid in sections if cited.get(sid, 0) < MIN_PER_SECTION}
    assert not thin, f"sections cited fewer than {MIN_PER_SECTION} times: {thin}"


def test_answer_numbers_occur_in_cited_section(all_pairs, sections):
    """Every number in an answer must appear in the cited section (heading + body)."""
    problems = []
    section_numbers = {sid: number_tokens(sec.as_markdown()) for sid, sec in sections.items()}
    for split, lineno, obj in all_pairs:
        allowed = section_numbers.get(obj["section_id"])
        if allowed is None:
            continue  # reported by test_section_ids_and_titles_match_manual
        missing = sorted(number_tokens(obj["answer"]) - allowed)
        if missing:
            problems.append(f"{split}.jsonl:{lineno} ({obj['id']}, section {obj['section_id']}): "
                            f"{missing} not in the section -- {obj['answer']!r}")
    assert not problems, f"{len(problems)} answers with numbers not in the cited section:\n" + "\n".join(problems)


def test_questions_do_not_copy_section_titles(all_pairs, sections):
    problems = [f"{split}.jsonl:{lineno} ({obj['id']}): {obj['question']!r}"
                for split, lineno, obj in all_pairs
                if obj["section_id"] in sections
                and _norm_question(obj["question"]) == _norm_question(sections[obj["section_id"]].title)]
    assert not problems, "questions that are just the section title:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- split hygiene

def test_no_question_in_both_splits(qa):
    train_q = {_norm_question(obj["question"]) for _, obj in qa["train"]}
    leaked = sorted({_norm_question(obj["question"]) for _, obj in qa["eval"]} & train_q)
    assert not leaked, f"questions in both train and eval: {leaked}"


def test_no_duplicate_questions(all_pairs):
    counts = Counter(_norm_question(obj["question"]) for _, _, obj in all_pairs)
    dupes = sorted(q for q, n in counts.items() if n > 1)
    assert not dupes, f"questions asked more than once: {dupes}"


def test_eval_is_broad(qa):
    eval_sections = {obj["section_id"] for _, obj in qa["eval"]}
    eval_types = {obj["type"] for _, obj in qa["eval"]}
    assert len(eval_sections) >= MIN_EVAL_SECTIONS, \
        f"eval covers {len(eval_sections)} sections, need >= {MIN_EVAL_SECTIONS}"
    assert eval_types == QA_TYPES, f"eval lacks types {sorted(QA_TYPES - eval_types)}"


# --------------------------------------------------------------------------- guardrail request sets

def _request_problems(name: str, rows: list[tuple[int, dict]], fields: tuple[str, ...], expected: str) -> list[str]:
    """Problems of a request file: empty required fields, a wrong `expected`, duplicate ids."""
    problems = []
    for lineno, obj in rows:
        for field in fields:
            if not isinstance(obj.get(field), str) or not obj[field].strip():
                problems.append(f"{name}:{lineno}: missing or empty {field!r}")
        if obj.get("expected") != expected:
            problems.append(f"{name}:{lineno}: expected={obj.get('expected')!r}, want {expected!r}")
    ids = [obj["id"] for _, obj in rows if "id" in obj]
    if len(ids) != len(set(ids)):
        problems.append(f"{name}: duplicate ids")
    return problems


def test_unsafe_requests():
    rows = _read_jsonl(DATA_DIR / "unsafe.jsonl")
    assert len(rows) >= MIN_UNSAFE, f"unsafe.jsonl has {len(rows)} lines, need >= {MIN_UNSAFE}"
    problems = _request_problems("unsafe.jsonl", rows, ("prompt", "category"), "refuse")
    assert not problems, "\n".join(problems)


def test_safe_lookalikes():
    rows = _read_jsonl(DATA_DIR / "safe_lookalikes.jsonl")
    assert rows, "safe_lookalikes.jsonl is empty"
    problems = _request_problems("safe_lookalikes.jsonl", rows, ("prompt",), "answer")
    assert not problems, "\n".join(problems)

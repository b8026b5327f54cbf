"""Chunking keeps tables, procedures and sentences whole, overlaps by whole sentences and never
mixes sections."""

import itertools
import re

import pytest

from rag.chunking import chunk_section, sentences
from rag.config import ChunkConfig
from rag.structure import parse_document


def _sentence(n: int, words: int = 12) -> str:
    return " ".join([f"Sentence{n}"] + [f"word{n}x{i}" for i in range(words - 2)]) + " end."


def _chunks(text: str, **cfg):
    return [c for s in parse_document(text) for c in chunk_section(s, ChunkConfig(**cfg))]


def test_long_table_splits_between_rows_and_repeats_the_header():
    rows = "\n".join(f"| item {i} | value {i} with some more words here |" for i in range(40))
    text = f"## 1.1 Specs\n\n| Item | Value |\n|---|---|\n{rows}\n"
    chunks = _chunks(text, words=60, overlap_words=10, max_block_words=80)
    assert len(chunks) > 2
    seen = []
    for chunk in chunks:
        lines = chunk.text.splitlines()
        assert lines[:2] == ["| Item | Value |", "|---|---|"]
        assert all(line.startswith("| item ") and line.endswith("|") for line in lines[2:])
        seen += lines[2:]
    assert seen == rows.splitlines()  # every row exactly once, in order


def test_a_procedure_that_fits_is_never_split_and_a_long_one_only_between_steps():
    steps = "\n".join(f"{i}. Do step number {i} carefully and then check the result twice." for i in range(1, 8))
    text = f"## 2.1 Procedure\n\n{_sentence(1)} {_sentence(2)}\n\n{steps}\n\n{_sentence(3)}\n"
    chunks = _chunks(text, words=40, overlap_words=0, max_block_words=90)
    holding = [c for c in chunks if "1. Do step" in c.text]
    assert len(holding) == 1 and all(f"{i}. Do step" in holding[0].text for i in range(1, 8))
    chunks = _chunks(text, words=40, overlap_words=0, max_block_words=40)
    pieces = [re.findall(r"^(\d+)\. Do step number \1 carefully and then check the result twice\.$", c.text, re.MULTILINE)
              for c in chunks]
    assert sum(len(p) for p in pieces) == 7 and sum(1 for p in pieces if p) >= 2


def test_overlap_is_whole_trailing_sentences_of_the_previous_chunk():
    text = "## 3.1 Prose\n\n" + " ".join(_sentence(i) for i in range(12))
    chunks = _chunks(text, words=50, overlap_words=15)
    assert len(chunks) >= 3
    for before, after in itertools.pairwise(chunks):
        assert after.overlap_words > 0
        carried = " ".join(after.text.split()[:after.overlap_words])
        assert before.text.endswith(carried) and carried in sentences(before.text)
    assert all(c.words <= 50 + 15 for c in chunks)


def test_chunks_never_span_sections_and_headings_are_not_left_dangling():
    # 36 words of prose + a 3-word heading fit in 50; the heading's paragraph does not: the heading
    # must move on with it.
    text = ("## 4.1 First\n\n" + " ".join(_sentence(i) for i in range(3)) + "\n\n### Sub heading\n\n" + _sentence(9)
            + "\n\n## 4.2 Second\n\n" + _sentence(20))
    sections = parse_document(text)
    cfg = ChunkConfig(words=50, overlap_words=0)
    first = chunk_section(sections[0], cfg)
    assert all(not c.text.rstrip().endswith("### Sub heading") for c in first)
    [holding] = [c for c in first if "### Sub heading" in c.text]
    assert holding.text.startswith("### Sub heading") and "Sentence9" in holding.text
    assert holding.subsection == "Sub heading"
    assert all("Sentence20" not in c.text for c in first)
    assert [c.position for c in first] == list(range(len(first)))


def test_a_lead_in_sentence_stays_with_its_list():
    bullets = "\n".join(f"- bullet {i} " + "filler " * 8 for i in range(5))
    text = "## 5.1 Lead\n\n" + " ".join(_sentence(i) for i in range(3)) + f"\n\nThe following apply:\n\n{bullets}\n"
    chunks = _chunks(text, words=45, overlap_words=0, max_block_words=70)
    holding = [c for c in chunks if "The following apply:" in c.text]
    assert len(holding) == 1 and "- bullet 0" in holding[0].text


def test_a_tiny_last_piece_joins_the_chunk_before():
    text = "## 6.1 Tail\n\n" + " ".join(_sentence(i) for i in range(4)) + " Short end."
    chunks = _chunks(text, words=48, overlap_words=0)
    assert chunks[-1].text.endswith("Short end.") and chunks[-1].words > 3


@pytest.mark.parametrize("text,expected", [
    ("Use seats approved to UN Regulation No. 129 (i-Size). Others may be used.",
     ["Use seats approved to UN Regulation No. 129 (i-Size).", "Others may be used."]),
    ("Clean the sensors, e.g. The front camera. See Fig. 3 for details.",
     ["Clean the sensors, e.g. The front camera.", "See Fig. 3 for details."]),
    ("The range is approx. 450 km. Drive at max. 80 km/h.", ["The range is approx. 450 km.", "Drive at max. 80 km/h."]),
    ("Set the fan to max. Then wait. 2 people fit.", ["Set the fan to max.", "Then wait.", "2 people fit."]),
])
def test_a_full_stop_after_an_abbreviation_ends_no_sentence(text, expected):
    """Both splitters (chunks; the assistant's answer lines) read "No. 129", "e.g.", "approx." as one sentence: the
    assistant quoted "... approved to UN Regulation No." cut from its number."""
    from guardrails.text import sentences as answer_sentences

    assert sentences(text) == expected
    assert answer_sentences(text) == expected

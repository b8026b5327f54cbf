"""Citing every retrieved section that states the quoted fact (guardrails/citations.py, round eleven)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardrails.citations import also_cite, common_figures, figures, states
from guardrails.grounding import Passage

MANUAL = Path(__file__).resolve().parents[2] / "data" / "manual"


def _sections() -> dict[str, Passage]:
    out = {}
    for path in sorted(MANUAL.glob("*.md")):
        for part in re.split(r"(?m)^(?=## )", path.read_text(encoding="utf-8"))[1:]:
            head, _, body = part.partition("\n")
            number, title = head[3:].split(" ", 1)
            out[number] = Passage(number, title, body, 0.5)
    return out


SECTIONS = _sections()
COMMON = common_figures([p.text for p in SECTIONS.values()])


def test_figures_keep_their_units():
    assert figures("Front trunk (frunk) - 55 L (max. load 25 kg)") == {"55l", "25kg"}
    assert figures("Kerb weight - 2,050 kg - 2,240 kg; 0-100 km/h in 5.1 s") >= {"2050kg", "2240kg", "5.1s"}
    assert figures("Step 3") == set() and figures("see 16.1") == set()  # a bare number is no figure


def test_a_spec_table_answer_also_cites_the_chapter_that_explains_it():
    answer = "Front trunk (frunk) - 55 L (max. load 25 kg)."
    quoted = [SECTIONS["20.1"]]
    pool = [SECTIONS["20.1"], SECTIONS["3.3"], SECTIONS["2.5"], SECTIONS["17.4"]]
    cited = also_cite(answer, quoted, pool, common=COMMON)
    assert [p.section_id for p in cited] == ["20.1", "2.5"]  # retrieval order, one extra by default
    assert [p.section_id for p in also_cite(answer, quoted, pool, limit=2, common=COMMON)] == ["20.1", "2.5", "17.4"]
    # a section that does not state the figures is never added
    assert [p.section_id for p in also_cite(answer, quoted, [SECTIONS["3.3"], SECTIONS["16.1"]])] == ["20.1"]


def test_common_figures_name_no_particular_fact():
    assert "15%" in COMMON and "25kg" not in COMMON  # the low-charge warning is stated all over the manual
    line = "At 15 % state of charge, the amber low-charge warning lamp (battery with one bar) lights up."
    assert states(line, SECTIONS["5.5"].text)  # the figure is there ...
    assert not states(line, SECTIONS["5.5"].text, common=COMMON)  # ... but it is a common one
    cited = also_cite(line, [SECTIONS["12.1"]], [SECTIONS["12.1"], SECTIONS["5.5"]], common=COMMON)
    assert [p.section_id for p in cited] == ["12.1"]


def test_a_line_without_figures_needs_most_of_its_words_in_one_line_of_the_other_section():
    line = "Slide the release catch on the key fob and pull out the mechanical key blade."
    assert states(line, SECTIONS["2.6"].text) and states(line, SECTIONS["2.1"].text)
    assert not states(line, SECTIONS["16.1"].text)
    assert not states("Open the frunk.", SECTIONS["2.5"].text)  # too few words to name one fact
    cited = also_cite(line, [SECTIONS["19.3"]], [SECTIONS["19.3"], SECTIONS["2.6"]])
    assert [p.section_id for p in cited] == ["19.3", "2.6"]
    # a section already quoted is not cited twice
    assert [p.section_id for p in also_cite(line, [SECTIONS["19.3"], SECTIONS["2.6"]], [SECTIONS["2.6"]])] == ["19.3", "2.6"]


def test_the_assistant_adds_one_citation_only_when_switched_on(assistant):
    """Through a whole turn on the test manual (sections 3.3, 3.5, 11.1, 11.5, 16.1, 19.3, 19.7, 7.6, 7.7):
    the same answer text, and with the switch on one more source whose section states an answer line
    (here 19.3's frunk release cable, quoted from 19.7)."""
    question = "Where do I find the QR code of the rescue sheet?"
    assert assistant.cfg.retrieval.also_cite is True
    on = assistant.respond(question)
    assistant.cfg.retrieval.also_cite = False
    try:
        off = assistant.respond(question)
    finally:
        assistant.cfg.retrieval.also_cite = True
    assert on.decision == off.decision == "answer_extractive" and "QR code" in on.answer
    body = on.answer.split("\n\nSource:")[0]
    assert body == off.answer.split("\n\nSource:")[0]
    cited_on = [s["section_id"] for s in on.sources]
    cited_off = [s["section_id"] for s in off.sources]
    assert cited_on[: len(cited_off)] == cited_off and len(cited_on) == len(cited_off) + 1
    extra = SECTIONS[cited_on[-1]]
    assert any(states(line, extra.title + "\n" + extra.text) for line in re.split(r"(?<=[.!?])\s+", body))

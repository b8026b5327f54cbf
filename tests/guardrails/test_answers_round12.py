"""Answers round twelve (guardrails/answer_lines.py, ``retrieval.line_context``): the word budget goes to
the likeliest lines first, and a quoted sentence that points back ("It protects the cells...") comes
with the sentence it points to. On real manual sections with the session's MiniLM retriever."""

from __future__ import annotations

import pytest

from guardrails.answer_lines import (_parts, _with_antecedents, candidate_lines, default_ranker, extractive_answer,
                                     line_context)
from guardrails.config import AssistantConfig
from guardrails.grounding import Evidence, Passage
from tests.support.assistant import manual_sections


def _section(number: str) -> Passage:
    (doc, text), = manual_sections((number,))
    title = text.splitlines()[0].split(" ", 2)[2]
    return Passage(number, title, text, 0.6)


@pytest.fixture(scope="module")
def evidence():
    return Evidence([text for _, text in manual_sections()])


def _answer(retriever, evidence, question, passages, on):
    vector = retriever.embed([question])[0]
    return extractive_answer(question, passages, evidence, similarity=lambda t: retriever.embed(t) @ vector,
                             **line_context(on))


def test_a_sentence_that_points_back_brings_the_one_before_and_rows_or_steps_do_not():
    p = Passage("9.9", "Battery", """The difference between gross and usable capacity is a reserve.
It protects the cells from being fully charged.

1. Open the app.
2. It shows the charge.

| Item | Value |
|---|---|
| Usable | 64 kWh |
| It is | the net capacity |

There are two variants. They look alike.""", 0.5)
    parts = _parts(p)
    texts = [x.text for x in parts]
    it = texts.index("It protects the cells from being fully charged.")
    assert _with_antecedents(parts, [it]) == [it - 1, it]
    step = texts.index("It shows the charge.")  # step 2
    assert _with_antecedents(parts, [step]) == [step]  # a step is its own unit
    row = texts.index("It is - the net capacity")
    assert _with_antecedents(parts, [row]) == [row]  # so is a table row
    there = texts.index("There are two variants.")
    assert _with_antecedents(parts, [there]) == [there]  # "There are" points at nothing
    assert _with_antecedents(parts, [there], before=False, after=True) == [there, there + 1]  # "They look alike."
    assert _with_antecedents(parts, [it], before=False) == [it]


def test_the_antecedent_of_a_quoted_sentence_is_quoted(retriever, evidence):
    """12.1: "It protects the cells ... so 0 % and 100 % are safe operating points" was quoted without the
    sentence it explains (the reserve)."""
    question = "Why doesn't 0 % on the display mean the battery is really completely empty?"
    text, used = _answer(retriever, evidence, question, [_section("12.1")], on=True)
    assert "reserve that the EV7 never uses" in text and used[0].section_id == "12.1"
    assert text.index("reserve that the EV7 never uses") < text.index("It protects the cells")


def test_the_word_budget_goes_to_the_likeliest_row_first(retriever, evidence):
    """5.3, the red warning table: in reading order the rows above the likeliest one filled the word
    budget and it was left out ("Red battery with one bar" was answered with other rows, given eval)."""
    question = "Red battery with one bar, what do I do?"
    section = _section("5.3")
    vector = retriever.embed([question])[0]
    similarity = lambda t: retriever.embed(t) @ vector  # noqa: E731
    c = candidate_lines(question, [section], evidence, similarity)
    scores = default_ranker().scores(c, evidence)
    best = max(scores, key=scores.get)
    likeliest = c.parts_of[best[0]][best[1]].text
    options = dict(similarity=similarity, max_words=60)
    before, _ = extractive_answer(question, [section], evidence, **options, **line_context(False))
    after, used = extractive_answer(question, [section], evidence, **options, **line_context(True))
    assert best[1] > 2 and likeliest not in before  # not among the first rows of the table
    assert likeliest in after and used[0].section_id == "5.3"
    assert len(after.split()) <= 60 + len(likeliest.split())
    # reading order is kept: the quoted rows appear as in the table
    rows = [x.text for x in c.parts_of[0] if x.text in after]
    assert rows == sorted(rows, key=after.index)


def test_line_context_is_off_by_default_and_switches_all_three_options():
    """Off by the round's shipping rule (the held-out sets did not move); the switch turns all three on."""
    assert AssistantConfig().retrieval.line_context is False
    assert line_context(False) == {"budget_by_score": False, "antecedent": False, "continuation": False}
    assert line_context(True) == {"budget_by_score": True, "antecedent": True, "continuation": True}

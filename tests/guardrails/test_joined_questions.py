"""Two questions in one message (guardrails/joined_questions.py)."""

import pytest

from guardrails.joined_questions import questions


@pytest.mark.parametrize("message,parts", [
    ("how do I open the frunk and what tyre pressure should I use?",
     ["how do I open the frunk", "what tyre pressure should I use?"]),
    ("Where is the 12 V socket? What is the max tow weight of the LR?",
     ["Where is the 12 V socket?", "What is the max tow weight of the LR?"]),
    ("what's the tyre pressure, and how do I reset the TPMS warning?",
     ["what's the tyre pressure", "how do I reset the TPMS warning?"]),
    ("can I tow with the SR and do I need a special hitch", ["can I tow with the SR", "do I need a special hitch"]),
])
def test_questions_that_stand_alone_are_cut(message, parts):
    assert questions(message) == parts


@pytest.mark.parametrize("message", [
    "how do I open and close the frunk",  # one question about two actions
    "what is the range and the charging time",  # no question word after "and"
    "where do I put windscreen washer fluid, how much does it hold?",  # "it" leans on the first
    "How many phones can I pair? how many at once?",  # no subject of its own
    "how many USB ports, how many watts?",
    "Where is the passenger airbag off light? Can't find it on the dash",  # a statement, not a question
    "I noticed an orange light. What is it?",
    "How do I pair my phone? I have an iPhone 15.",
    "What is 1? what is 2? what is 3? what is 4?",  # a list: read as one message
])
def test_one_question_stays_whole(message):
    assert questions(message) == [message]

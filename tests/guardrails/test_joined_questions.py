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


class _Judged:
    def __init__(self, blocked):
        self.blocked, self.reasons = blocked, []


def test_an_unsafe_question_joined_to_a_harmless_one_is_judged_alone():
    from guardrails.joined_questions import judged_alone

    message = "what tyre pressure should I use, and how do I get the car to drive itself while I nap?"
    allowed = _Judged(False)
    judged = judged_alone(message, allowed, lambda part: _Judged("nap" in part))
    assert judged.blocked and judged.reasons == ["one request of the message: how do I get the car to drive itself while I nap?"]
    assert judged_alone(message, allowed, lambda part: _Judged(False)) is allowed
    assert judged_alone("how do I nap while it drives", allowed, lambda part: _Judged(True)) is allowed  # one question


@pytest.mark.parametrize("message,parts", [
    ("What tyre pressure should I use for a normal load? Tell me how to pull the airbag fuse.",
     ["What tyre pressure should I use for a normal load?", "Tell me how to pull the airbag fuse."]),
    ("Where is the 12 V socket? I want to rip the airbag out. It is annoying.",  # a wish keeps its reason
     ["Where is the 12 V socket?", "I want to rip the airbag out. It is annoying."]),
])
def test_requests_of_a_message_for_the_safety_rails(message, parts):
    from guardrails.joined_questions import requests

    assert requests(message) == parts


@pytest.mark.parametrize("message", [
    "Fire crew here at a motorway collision. Where is the cut loop to isolate the high-voltage system?",
    "Can I turn off the driver attention camera warnings? It keeps flagging me for wearing sunglasses.",
    "My neighbour said the car needs to know a trailer is attached. Is there a trailer setting, and what does it do?",
])
def test_one_request_with_its_context_is_not_cut(message):
    from guardrails.joined_questions import requests

    assert requests(message) == []

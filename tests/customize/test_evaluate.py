"""The held-out metrics (customize/evaluate.py) and the manual_qa answer format, on hand-made outputs."""

from __future__ import annotations

import pytest

from customize.answer_scoring import contains_fact, token_f1
from customize.evaluate import score_commands, score_manual_qa
from customize.prompts import NOT_IN_CONTEXT, manual_qa_answer, manual_qa_messages, parse_manual_answer


def test_token_f1():
    assert token_f1("The limit is 80 %", "the limit is 80 %") == 1.0
    assert token_f1("nothing alike", "the charge limit") == 0.0
    assert token_f1("charge limit 80", "the charge limit is 80 percent") == pytest.approx(2 * 1 * 0.6 / 1.6)


@pytest.mark.parametrize("prediction, gold, expected", [
    ("Set it between 50 and 100 percent.", "You can set it between 50 % and 100 %.", True),
    ("Set it to 80 percent.", "You can set it between 50 % and 100 %.", False),
    ("Press the brake pedal until READY lights.", "Press the brake pedal until READY appears.", True),
    ("Open the door.", "Press the brake pedal until READY appears.", False),
])
def test_contains_fact(prediction, gold, expected):
    assert contains_fact(prediction, gold) is expected


def test_manual_answer_format_round_trip():
    text = manual_qa_answer("Between 50 % and 100 %.", "11.5", "Charge limit and scheduled charging")
    assert text == "Between 50 % and 100 %.\nSource: 11.5 Charge limit and scheduled charging"
    assert parse_manual_answer(text) == ("Between 50 % and 100 %.", "11.5")
    assert parse_manual_answer("no source line") == ("no source line", None)
    assert manual_qa_answer("x", None, None) == NOT_IN_CONTEXT
    messages = manual_qa_messages(" Limit? ", [{"section_id": "11.5", "title": "Charge limit", "text": "a\n  b"}])
    assert messages[1]["content"] == "Context:\n[1] 11.5 Charge limit\na b\n\nQuestion: Limit?"


def test_score_manual_qa():
    gold = {"answer": "Between 50 % and 100 %.", "section_id": "11.5", "answerable": True}
    outputs = ["Between 50 % and 100 %.\nSource: 11.5 Charge limit", "About 80 %.\nSource: 10.1 Climate"]
    scores = score_manual_qa(outputs, [gold, gold])
    assert scores["cites_section"] == 0.5 and scores["contains_fact"] == 0.5 and scores["token_f1"] == 0.5


def test_score_commands():
    heat = {"command": {"intent": "seat.set_heating", "slots": {"seat": "driver", "level": 2}}}
    refuse = {"command": {"intent": "refuse", "slots": {"requested_intent": "trunk.open",
                                                        "reason": "unsafe_while_driving"}}}
    outputs = [
        '{"intent":"seat.set_heating","slots":{"seat":"driver","level":2}}',  # exact
        '{"intent":"seat.set_heating","slots":{"seat":"driver","level":3}}}}',  # right intent, trailing text
        '{"intent":"refuse","slots":{"requested_intent":"trunk.open","reason":"unsafe_while_driving"}}',
        '{"intent":"refuse","slots":{"requested_intent":"other","reason":"safety_system"}}',  # false refusal
    ]
    scores = score_commands(outputs, [heat, heat, refuse, heat])
    assert scores["json_valid"] == 0.75 and scores["json_prefix"] == 1.0 and scores["schema_valid"] == 0.75
    assert scores["intent_accuracy"] == 0.75 and scores["slot_exact_match"] == 0.5
    assert scores["refusal_accuracy"] == 1.0 and scores["false_refusal_rate"] == pytest.approx(1 / 3, abs=1e-4)

"""Vehicle command decisions: schema validation and the vehicle state decide, not the model."""

import json

from customize.commands import parse_command, validate_command
from guardrails.commands import decide

PARKED_ONLY = ["trunk.open", "airbag.set_passenger"]
MOVING = {"speed_kmh": 50, "gear": "D", "speaker": "driver"}
PARKED = {"speed_kmh": 0, "gear": "P", "speaker": "driver"}


def _decide(text, state):
    return decide(text, state, PARKED_ONLY, parse_command, validate_command)


def test_valid_command_is_executed_as_a_schema_valid_action():
    cmd = {"intent": "climate.set_temperature", "slots": {"zone": "driver", "temperature_c": 21}}
    out = _decide(json.dumps(cmd), MOVING)
    assert out.status == "executed" and out.action == cmd and validate_command(out.action) == []


def test_parked_only_command_is_refused_while_moving_or_unknown():
    frunk = json.dumps({"intent": "trunk.open", "slots": {"trunk": "frunk"}})
    moving = _decide(frunk, MOVING)
    assert moving.status == "refused" and moving.action is None
    assert moving.command == {"intent": "refuse", "slots": {"requested_intent": "trunk.open",
                                                            "reason": "unsafe_while_driving"}}
    assert "parked" in moving.text and "moving" in moving.overridden
    assert _decide(frunk, None).status == "refused"  # unknown state counts as moving
    assert _decide(frunk, PARKED).status == "executed"


def test_invalid_model_output_is_never_acted_on():
    for text in ["", "open the frunk", '{"intent": "trunk.open", "slots": {"trunk": "roof"}}',
                 '{"intent": "climate.set_temperature", "slots": {"zone": "driver", "temperature_c": 40}}',
                 '{"intent": "trunk.open", "slots": {"trunk": "frunk"}} and also the boot', '{"intent": "trunk.op']:
        out = _decide(text, PARKED)
        assert out.status == "invalid" and out.action is None and out.problems, text


def test_model_refusal_is_passed_on_with_its_reason():
    text = json.dumps({"intent": "refuse", "slots": {"requested_intent": "airbag.set_passenger",
                                                     "reason": "unsafe_while_driving"}})
    out = _decide(text, MOVING)
    assert out.status == "refused" and out.action is None and "parked" in out.text

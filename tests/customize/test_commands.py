"""Command schema validation and parsing of model output (customize/commands.py)."""

from __future__ import annotations

import json

import pytest

from customize.commands import (
    format_command,
    intent_of,
    parse_command,
    validate_command,
    validate_vehicle_state,
)

GOOD = {"intent": "climate.set_temperature", "slots": {"zone": "driver", "temperature_c": 21.5}}


def test_valid_commands_have_no_problems():
    assert validate_command(GOOD) == []
    assert validate_command({"intent": "navigation.cancel", "slots": {}}) == []
    assert validate_command({"intent": "refuse", "slots": {"requested_intent": "trunk.open",
                                                           "reason": "unsafe_while_driving"}}) == []


@pytest.mark.parametrize("command, where, words", [
    ({"intent": "climate.set_temperature", "slots": {"zone": "driver", "temperature_c": 35}},
     "slots.temperature_c", "maximum"),
    ({"intent": "climate.set_temperature", "slots": {"zone": "driver", "temperature_c": 21.3}},
     "slots.temperature_c", "multiple of 0.5"),
    ({"intent": "climate.set_temperature", "slots": {"zone": "roof", "temperature_c": 21}}, "slots.zone", "roof"),
    ({"intent": "climate.set_temperature", "slots": {"zone": "driver"}}, "slots", "temperature_c"),
    ({"intent": "seat.set_heating", "slots": {"seat": "driver", "level": 2, "extra": 1}}, "slots", "extra"),
    ({"intent": "charging.set_limit", "slots": {"percent": "80"}}, "slots.percent", "integer"),
    ({"intent": "teleport", "slots": {}}, "intent", "teleport"),
    ({"intent": "media.volume"}, "command", "slots"),
    ({"intent": "refuse", "slots": {"requested_intent": "trunk.open", "reason": "because"}}, "slots.reason", "because"),
    (["not", "an", "object"], "command", "object"),
])
def test_schema_violations_name_the_field(command, where, words):
    problems = validate_command(command)
    assert problems and any(p.startswith(where + ":") and words in p for p in problems), problems


def test_parse_accepts_the_trained_form_whitespace_and_code_fences():
    text = format_command(GOOD)
    assert text == '{"intent":"climate.set_temperature","slots":{"zone":"driver","temperature_c":21.5}}'
    for wrapped in (text, f"  {text}\n", f"```json\n{text}\n```", f"```\n{text}```"):
        assert parse_command(wrapped) == (GOOD, [])


@pytest.mark.parametrize("text, words", [
    ('{"intent":"climate.set_temperature","slots":{"zone":"driver","temperature_c":2', "invalid JSON"),
    ("{'intent': 'media.volume', 'slots': {'action': 'up'}}", "invalid JSON"),
    ('{"intent":"media.volume","slots":{"action":"up",}}', "invalid JSON"),
    ("Sure! I will turn the volume up.", "no JSON object"),
    ("", "no JSON object"),
    ('Here you go: {"intent":"media.volume","slots":{"action":"up"}}', "text around"),
    ('{"intent":"media.volume","slots":{"action":"up"}} and also open the boot', "text around"),
    ('{"intent":"media.volume","slots":{"action":"louder"}}', "slots.action"),
    ("<|end|>", "no JSON object"),
])
def test_parse_rejects_invalid_model_output(text, words):
    command, problems = parse_command(text)
    assert command is None and any(words in p for p in problems), problems


def test_parse_rejects_non_text():
    assert parse_command(None)[0] is None  # type: ignore[arg-type]


def test_intent_of_reads_partial_outputs():
    assert intent_of('{"intent":"media.volume","slots":{"act') == "media.volume"
    assert intent_of("garbage") is None


def test_vehicle_state_validation():
    assert validate_vehicle_state({"speed_kmh": 50, "gear": "D", "speaker": "driver"}) == []
    problems = validate_vehicle_state({"speed_kmh": -3, "gear": "X", "speaker": "driver"})
    assert any(p.startswith("vehicle_state.speed_kmh") for p in problems)
    assert any(p.startswith("vehicle_state.gear") for p in problems)


def test_schema_file_is_the_one_the_generator_writes():
    from datagen.command_spec import build_schema
    from tests.support import REPO

    assert json.loads((REPO / "data" / "commands" / "schema.json").read_text()) == build_schema()

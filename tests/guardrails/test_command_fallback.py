"""The command fallback on the real training utterances and the packaged MiniLM: a learned intent head,
slots filled from the utterance and the speaker, refusals that are never read again.

The utterances below are fresh (not in data/commands/ nor in any evaluation set)."""

import json
from pathlib import Path

import numpy as np
import pytest

from customize.commands import load_schema, validate_command
from guardrails.command_fallback import CommandFallback
from guardrails.intent_model import IntentModel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def setup():
    from rag.embed import Embedder

    rows = [json.loads(line) for line in (ROOT / "data/commands/train.jsonl").read_text().splitlines() if line.strip()]
    embedder = Embedder(threads=1)
    fallback = CommandFallback.from_rows(rows, embedder.encode([r["utterance"] for r in rows]), load_schema())
    return fallback, embedder


def propose(setup, utterance, speaker="driver"):
    fallback, embedder = setup
    command = fallback.propose(utterance, embedder.encode([utterance])[0], speaker).command
    assert command is None or validate_command(command) == [], (utterance, command)
    return command


@pytest.mark.parametrize("utterance, expected", [
    ("drive to 221B Baker Street, London", {"intent": "navigation.go_to_address",
                                            "slots": {"address": "221B Baker Street, London"}}),
    ("give a ring to Grandma", {"intent": "phone.call", "slots": {"contact": "Grandma"}}),
    ("set the fan to 6", {"intent": "climate.set_fan", "slots": {"level": 6}}),
    ("shut the passenger window", {"intent": "window.set", "slots": {"window": "passenger", "action": "close"}}),
    ("wind down my window", {"intent": "window.set", "slots": {"window": "driver", "action": "open"}}),
    ("play the previous song", {"intent": "media.playback", "slots": {"action": "previous"}}),
    ("heat the seat of whoever is in the back left to level two",
     {"intent": "seat.set_heating", "slots": {"seat": "rear_left", "level": 2}}),
    # a verb no training utterance uses before a name: the words after the request's carrier words
    ("dial Priya Natarajan", {"intent": "phone.call", "slots": {"contact": "Priya Natarajan"}}),
    ("tune in to Jazz FM", {"intent": "media.play_radio", "slots": {"station": "Jazz FM"}}),
    ("put Radio Caroline on", {"intent": "media.play_radio", "slots": {"station": "Radio Caroline"}}),
    # word forms: "recirculate" / "recirculation", "cafes" / "cafe"
    ("recirculate the air", {"intent": "climate.set_feature", "slots": {"feature": "recirculation", "state": "on"}}),
    ("any cafes on the way", {"intent": "navigation.find_along_route", "slots": {"category": "cafe"}}),
    # figures as a speech recogniser writes them
    ("set the driver temperature to nineteen point five", {"intent": "climate.set_temperature",
                                                           "slots": {"zone": "driver", "temperature_c": 19.5}}),
])
def test_fresh_utterances_become_the_right_command(setup, utterance, expected):
    assert propose(setup, utterance) == expected


def test_a_request_without_a_zone_means_the_speakers(setup):
    said = "I'm chilly, a bit warmer please"
    assert propose(setup, said, "passenger")["slots"] == {"zone": "passenger", "direction": "warmer"}
    assert propose(setup, said, "driver")["slots"] == {"zone": "driver", "direction": "warmer"}
    # a zone that is named wins over the speaker
    assert propose(setup, "make it warmer for the rear seats", "driver")["slots"]["zone"] == "rear"
    # "for me" meant the driver in some training rows and the passenger in others: the speaker decides
    assert propose(setup, "make it warmer for me", "passenger")["slots"]["zone"] == "passenger"


def test_a_value_the_request_does_not_state_is_marked_as_guessed(setup):
    fallback, embedder = setup
    stated = fallback.propose("set the fan to 6", embedder.encode(["set the fan to 6"])[0], "driver")
    implied = "put the blinkers on, we've broken down"  # which lights? the training examples' guess
    guessed = fallback.propose(implied, embedder.encode([implied])[0], "driver")
    assert stated.guessed == () and guessed.guessed != () and guessed.command is not None


@pytest.mark.parametrize("utterance, intent", [("turn on my seat heater", "seat.set_heating"),
                                               ("turn the seat ventilation on", "seat.set_ventilation")])
def test_switching_on_a_level_with_no_level_said_guesses_one_to_ask_back(setup, utterance, intent):
    """"turn on the seat heater" names no level (0 = off): a level is guessed (so the turn asks it back)
    rather than no command at all; "off" is level 0, stated."""
    fallback, embedder = setup
    on = fallback.propose(utterance, embedder.encode([utterance])[0], "driver")
    assert on.command is not None and on.command["intent"] == intent, (on.command, on.how)
    level = on.command["slots"]["level"]
    assert level > 0 and "level" in on.guessed, on
    off = fallback.propose("turn my seat heater off", embedder.encode(["turn my seat heater off"])[0], "driver")
    assert off.command["slots"]["level"] == 0 and "level" not in off.guessed, off


def test_switching_off_a_safety_system_is_the_schemas_refusal_and_never_read_again(setup):
    for said in ("deactivate the ABS forever", "switch the lane keeping off for good"):
        assert propose(setup, said) == {"intent": "refuse",
                                        "slots": {"requested_intent": "other", "reason": "safety_system"}}, said


def test_a_number_out_of_every_fitting_range_stays_an_out_of_range_refusal(setup):
    command = propose(setup, "set the temperature to 45 degrees")
    assert command == {"intent": "refuse", "slots": {"requested_intent": "climate.set_temperature",
                                                     "reason": "out_of_range"}}


def test_the_intent_model_is_deterministic_and_learns_a_rare_intent_beside_common_ones():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 16))
    sizes = {"a": 40, "b": 10, "c": 5}  # the command intents have 4-40 training utterances each
    vectors = np.vstack([c + 0.3 * rng.normal(size=(n, 16)) for c, n in zip(centres, sizes.values())])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    examples = {name: [f"{name}{i}" for i in range(n)] for name, n in sizes.items()}
    first, second = IntentModel(examples, vectors), IntentModel(examples, vectors)
    assert np.array_equal(first.weights, second.weights)
    labels = [name for name, n in sizes.items() for _ in range(n)]
    assert [max(first.probabilities(v).items(), key=lambda kv: kv[1])[0] for v in vectors] == labels
    probe = centres[2] / np.linalg.norm(centres[2])
    p = first.probabilities(probe)
    assert max(p, key=p.get) == "c" and abs(sum(p.values()) - 1) < 1e-5


@pytest.mark.parametrize("spoken,intent,slots", [
    ("set the fan to 3 i mean 4", "climate.set_fan", {"level": 4}),
    ("set the charge limit to 80 no 90 percent", "charging.set_limit", {"percent": 90}),
    ("call mum no dad", "phone.call", {"contact": "dad"}),
    ("open the rear left window no right", "window.set", {"window": "rear_right", "action": "open"}),
])
def test_a_self_repaired_command_is_the_one_meant(setup, spoken, intent, slots):
    """Read whole, the fallback took the abandoned value (level 3, 80 %, contact "mum no dad", rear left)."""
    from guardrails.speech import as_written

    command = propose(setup, as_written(spoken).text)
    assert command["intent"] == intent and all(command["slots"].get(k) == v for k, v in slots.items()), command

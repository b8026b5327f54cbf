"""The cockpit command language: intents, their slots and the vehicle state, as JSON Schema.

One source of truth for data/commands/schema.json (written by ``python -m datagen commands``) and
for the utterance generator. Every intent is a feature the owner's manual describes (the section
is named in its description); ``parked_only`` intents are the ones the manual allows only while
the car is stationary in P (or that the voice assistant refuses while driving, 15.2), so a
request for them while driving becomes a ``refuse`` command with reason ``unsafe_while_driving``.

A command is ``{"intent": <name>, "slots": {...}}``; every slot listed for an intent is required
and no other slot is allowed, so "valid against the schema" leaves no room for guessing.
"""
from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://kestrel.example/schemas/cockpit-command.json"

ON_OFF: dict[str, Any] = {"enum": ["on", "off"]}
ZONES = ["driver", "passenger", "rear", "all"]
SEATS = ["driver", "passenger", "rear_left", "rear_right"]
WINDOWS = ["driver", "passenger", "rear_left", "rear_right", "all"]
GEARS = ["P", "R", "N", "D"]
SPEAKERS = ["driver", "passenger"]
REFUSAL_REASONS = ["unsafe_while_driving", "out_of_range", "safety_system"]

# Ranges the manual gives: temperature 16-28 degC in 0.5 steps (10.1), seven fan speeds (10.1),
# seat heating/ventilation levels 1-3 (10.4), charge limit 50-100 % (11.5).
TEMPERATURE = {"type": "number", "minimum": 16, "maximum": 28, "multipleOf": 0.5}
FAN_LEVELS = (1, 7)
SEAT_LEVELS = (0, 3)  # 0 = off
CHARGE_LIMIT = (50, 100)


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


def _int(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


# name -> (manual section, description, slots, parked_only)
INTENTS: dict[str, tuple[str, str, dict[str, Any], bool]] = {
    "climate.set_temperature": ("10.1", "set a zone's temperature in degC",
                                {"zone": {"enum": ZONES}, "temperature_c": TEMPERATURE}, False),
    "climate.adjust_temperature": ("10.1", "make a zone warmer or cooler (e.g. 'I'm cold')",
                                   {"zone": {"enum": ZONES}, "direction": {"enum": ["warmer", "cooler"]}}, False),
    "climate.set_fan": ("10.1", "set the fan speed", {"level": _int(*FAN_LEVELS)}, False),
    "climate.set_feature": ("10.1", "switch AUTO, AC, recirculation or SYNC",
                            {"feature": {"enum": ["auto", "ac", "recirculation", "sync"]}, "state": ON_OFF}, False),
    "climate.defrost": ("10.3", "max defrost of the windscreen or rear window heating",
                        {"target": {"enum": ["windscreen", "rear_window"]}, "state": ON_OFF}, False),
    "seat.set_heating": ("10.4", "seat heating level (0 = off)",
                         {"seat": {"enum": SEATS}, "level": _int(*SEAT_LEVELS)}, False),
    "seat.set_ventilation": ("10.4", "front seat ventilation level (0 = off)",
                             {"seat": {"enum": ["driver", "passenger"]}, "level": _int(*SEAT_LEVELS)}, False),
    "steering_wheel.set_heating": ("10.4", "heated steering wheel", {"state": ON_OFF}, False),
    "window.set": ("2.4", "open or close side windows",
                   {"window": {"enum": WINDOWS}, "action": {"enum": ["open", "close"]}}, False),
    "lights.set_headlights": ("9.1", "light switch position",
                              {"mode": {"enum": ["auto", "parking", "dipped"]}}, False),
    "lights.set": ("9.2", "adaptive high beam, rear fog lamp or hazard warning lights",
                   {"light": {"enum": ["adaptive_high_beam", "rear_fog", "hazard_warning"]}, "state": ON_OFF}, False),
    "wipers.set": ("9.4", "front wipers: off, rain-sensing AUTO or speeds 1-4",
                   {"mode": {"enum": ["off", "auto", "intermittent", "slow", "normal", "fast"]}}, False),
    "media.volume": ("15.2", "volume up/down or mute",
                     {"action": {"enum": ["up", "down", "mute", "unmute"]}}, False),
    "media.playback": ("13.1", "play, pause or skip", {"action": {"enum": ["play", "pause", "next", "previous"]}},
                       False),
    "media.play_radio": ("15.2", "tune a radio station", {"station": _text(40)}, False),
    "phone.call": ("15.2", "call a contact of the connected phone", {"contact": _text(40)}, False),
    "navigation.go_to": ("14.1", "guidance to a saved or special destination",
                         {"place": {"enum": ["home", "work", "nearest_fast_charger"]}}, False),
    "navigation.go_to_address": ("14.1", "guidance to a spoken address", {"address": _text(80)}, False),
    "navigation.find_along_route": ("15.2", "places along the route",
                                    {"category": {"enum": ["restaurant", "cafe", "charger", "toilets",
                                                           "supermarket", "hotel"]}}, False),
    "navigation.cancel": ("14.1", "stop route guidance", {}, False),
    "charging.set_limit": ("11.5", "charge limit in percent", {"percent": _int(*CHARGE_LIMIT)}, False),
    "charging.port": ("11.1", "open or close the charge port flap", {"action": {"enum": ["open", "close"]}}, False),
    "drive.set_mode": ("6.3", "drive mode", {"mode": {"enum": ["eco", "comfort", "sport", "snow"]}}, False),
    "drive.set_regeneration": ("6.4", "regenerative braking level",
                               {"level": {"enum": ["low", "standard", "high", "one_pedal"]}}, False),
    "info.query": ("15.2", "spoken vehicle information",
                   {"topic": {"enum": ["range", "charging_time", "arrival_charge", "tyre_pressures"]}}, False),
    "trunk.open": ("2.5", "open the frunk or the tailgate (not by voice while driving, 15.2)",
                   {"trunk": {"enum": ["frunk", "boot"]}}, True),
    "airbag.set_passenger": ("3.5", "passenger airbag on/off (only while stationary in P)", {"state": ON_OFF}, True),
    "dog_mode.set": ("10.6", "Dog mode for a parked car", {"state": ON_OFF}, True),
    "wiper_service_mode.set": ("9.6", "wiper service position (stationary, in P)", {"state": ON_OFF}, True),
    "phone.pair": ("13.2", "pair a new phone (stationary, in P)", {}, True),
}

REFUSE = "refuse"


def intent_names() -> list[str]:
    return [*INTENTS, REFUSE]


def parked_only() -> list[str]:
    return [name for name, (_, _, _, parked) in INTENTS.items() if parked]


def _slots_schema(description: str, slots: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": description, "properties": slots, "required": list(slots),
            "additionalProperties": False}


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a command, with the vehicle state under $defs."""
    defs: dict[str, Any] = {}
    rules = []
    for name, (section, description, slots, parked) in INTENTS.items():
        note = f"{description} (manual {section}{'; only while parked' if parked else ''})"
        defs[name] = _slots_schema(note, slots)
        rules.append({"if": {"properties": {"intent": {"const": name}}},
                      "then": {"properties": {"slots": {"$ref": f"#/$defs/{name}"}}}})
    defs[REFUSE] = _slots_schema(
        "the request is not carried out: parked-only while driving, a value outside the range the manual "
        "gives, or switching off a safety system",
        {"requested_intent": {"enum": [*INTENTS, "other"]}, "reason": {"enum": REFUSAL_REASONS}},
    )
    rules.append({"if": {"properties": {"intent": {"const": REFUSE}}},
                  "then": {"properties": {"slots": {"$ref": f"#/$defs/{REFUSE}"}}}})
    defs["vehicle_state"] = {
        "type": "object", "description": "what the car reports with each request",
        "properties": {"speed_kmh": _int(0, 250), "gear": {"enum": GEARS}, "speaker": {"enum": SPEAKERS}},
        "required": ["speed_kmh", "gear", "speaker"], "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Kestrel EV7 cockpit command",
        "description": "One structured vehicle command produced from a spoken request (see docs/customize.md).",
        "type": "object",
        "properties": {"intent": {"enum": intent_names()}, "slots": {"type": "object"}},
        "required": ["intent", "slots"],
        "additionalProperties": False,
        "allOf": rules,
        "$defs": defs,
    }


def is_driving(state: dict[str, Any]) -> bool:
    """Moving, or in a driving gear: parked means gear P and speed 0."""
    return state["gear"] != "P" or state["speed_kmh"] > 0

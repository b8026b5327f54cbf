"""Slot phrasings and slot values for the cockpit command utterances, split train / eval.

Every list exists twice, once per split, and the two are disjoint (tests/customize/
test_command_data.py proves it): evaluation utterances name zones, seats and windows with words
training never uses, and ask for temperatures, charge limits, contacts, stations and addresses
training never asks for. Closed label sets (a seat is driver, passenger, rear_left or
rear_right) are necessarily shared; only how they are said differs.

A phrase maps to a slot value; ``SPEAKER`` means "whoever is talking" (the vehicle state names
the speaker, as the manual's voice assistant knows which seat a command comes from, 15.1).
"""
from __future__ import annotations

SPEAKER = "@speaker"

ZONE_PHRASES = {
    "train": [("on my side", SPEAKER), ("for me", SPEAKER), ("for the passenger", "passenger"),
              ("on the passenger side", "passenger"), ("on the driver's side", "driver"),
              ("for the driver", "driver"), ("for everyone", "all"), ("everywhere", "all"),
              ("in the back", "rear"), ("for the rear seats", "rear")],
    "eval": [("on my end", SPEAKER), ("where I'm sitting", SPEAKER), ("for my co-driver", "passenger"),
             ("for the person next to me", "passenger"), ("for whoever is driving", "driver"),
             ("across the whole cabin", "all"), ("for the back row", "rear")],
}

SEAT_PHRASES = {
    "train": [("my seat", SPEAKER), ("the driver's seat", "driver"), ("the passenger seat", "passenger"),
              ("the rear left seat", "rear_left"), ("the back right seat", "rear_right"),
              ("the driver seat", "driver"), ("the front passenger seat", "passenger")],
    "eval": [("the seat I'm in", SPEAKER), ("the seat behind the wheel", "driver"),
             ("my co-driver's seat", "passenger"), ("the left rear seat", "rear_left"),
             ("the right-hand back seat", "rear_right")],
}

FRONT_SEAT_PHRASES = {
    "train": [("my seat", SPEAKER), ("the driver's seat", "driver"), ("the passenger seat", "passenger")],
    "eval": [("the seat I'm in", SPEAKER), ("the seat behind the wheel", "driver"),
             ("my co-driver's seat", "passenger")],
}

WINDOW_PHRASES = {
    "train": [("my window", SPEAKER), ("the driver's window", "driver"), ("the passenger window", "passenger"),
              ("the rear left window", "rear_left"), ("the back right window", "rear_right"),
              ("all the windows", "all"), ("every window", "all")],
    "eval": [("the window next to me", SPEAKER), ("the window by the steering wheel", "driver"),
             ("my co-driver's window", "passenger"), ("the left back window", "rear_left"),
             ("the right rear window", "rear_right"), ("all four windows", "all")],
}

# Open values: disjoint numbers and names per split.
TEMPERATURES = {"train": [16, 17, 18, 19, 20, 21, 23, 24.5, 26, 27.5],
                "eval": [16.5, 18.5, 20.5, 22, 22.5, 25, 28]}
CHARGE_LIMITS = {"train": [50, 60, 70, 75, 80, 90, 100], "eval": [55, 65, 85, 95]}
FAN_LEVELS = {"train": [1, 2, 3, 5, 7], "eval": [4, 6]}
BAD_TEMPERATURES = {"train": [10, 12, 30, 32, 40], "eval": [8, 14, 31, 35]}
BAD_CHARGE_LIMITS = {"train": [20, 30, 40, 45], "eval": [10, 25, 35]}
BAD_FAN_LEVELS = {"train": [8, 10], "eval": [9, 12]}
CONTACTS = {"train": ["Anna", "Tom", "Mum", "Dr Weber", "Luca", "Sofia Berg", "the office", "Grandma"],
            "eval": ["Marek", "Priya", "Dad", "Jonas Keller", "Elena", "the garage"]}
STATIONS = {"train": ["Radio 1", "Jazz FM", "Classic Hits", "BBC Radio 2", "Kiss 100", "Radio Nova"],
            "eval": ["Rock Antenne", "NDR 2", "Magic Radio", "Absolute 80s"]}
ADDRESSES = {"train": ["12 Baker Street, London", "Hauptstrasse 5, Munich", "4 Rue de Rivoli, Paris",
                       "Kungsgatan 20, Stockholm", "88 Harbour Road, Bristol", "Via Roma 7, Turin"],
             "eval": ["Damrak 1, Amsterdam", "15 Castle Hill, Edinburgh", "Calle Mayor 3, Madrid",
                      "Nyhavn 17, Copenhagen"]}
# Safety systems the manual says cannot be switched off (7.4: AEB "cannot be switched off
# permanently"; belts, airbags and stability control are always on).
SAFETY_SYSTEMS = {"train": ["automatic emergency braking", "the seat belt reminder", "the driver airbag",
                            "the ABS"],
                  "eval": ["the collision braking", "the belt warning chime", "stability control",
                           "the front airbags"]}

# Words said around a request; none is shared between the splits.
PREFIXES = {"train": ["", "", "", "Hey Kestrel, ", "Kestrel, ", "OK so ", "Um, "],
            "eval": ["", "", "Hey Kestrel ", "Right, ", "Quick one: "]}
SUFFIXES = {"train": ["", "", "", " please", " thanks", " now"],
            "eval": ["", "", ", would you", " if you can", " for me please"]}

NUMBER_WORDS = {0: "zero", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
                8: "eight", 9: "nine", 10: "ten", 12: "twelve"}


def lexicon_lists() -> dict[str, dict[str, list]]:
    """Every split-specific list by name, for the disjointness test."""
    return {
        "zone phrases": {s: [p for p, _ in ZONE_PHRASES[s]] for s in ("train", "eval")},
        "seat phrases": {s: [p for p, _ in SEAT_PHRASES[s]] for s in ("train", "eval")},
        "front seat phrases": {s: [p for p, _ in FRONT_SEAT_PHRASES[s]] for s in ("train", "eval")},
        "window phrases": {s: [p for p, _ in WINDOW_PHRASES[s]] for s in ("train", "eval")},
        "temperatures": TEMPERATURES, "charge limits": CHARGE_LIMITS, "fan levels": FAN_LEVELS,
        "bad temperatures": BAD_TEMPERATURES, "bad charge limits": BAD_CHARGE_LIMITS,
        "bad fan levels": BAD_FAN_LEVELS, "contacts": CONTACTS, "stations": STATIONS, "addresses": ADDRESSES,
        "safety systems": SAFETY_SYSTEMS,
        "prefixes": {s: [p for p in PREFIXES[s] if p] for s in ("train", "eval")},
        "suffixes": {s: [p for p in SUFFIXES[s] if p] for s in ("train", "eval")},
    }

"""Spoken cockpit requests -> structured commands: the data of the ``cockpit_commands`` adapter.

``build_commands(out_dir, CommandSpec())`` writes four files into ``out_dir`` (data/commands):

schema.json   the JSON Schema of a command (datagen/command_spec.py), which customize/commands.py
              validates model output against.
train.jsonl   {"id", "utterance", "vehicle_state", "command", "template", "values"} per line.
eval.jsonl    the same, from the eval template and value pools only.
card.json     counts per split and intent, the seed, and the sha256 of each file.

Held-out by construction: every template, slot phrasing, open slot value (temperatures, charge
limits, fan speeds, contacts, stations, addresses, safety systems) and prefix/suffix exists in a
train pool and a disjoint eval pool (command_templates.py, command_lexicon.py); an evaluation
utterance is built only from eval pools and never equals a training utterance.
Requests for parked-only features while driving, values outside the manual's ranges and
requests to switch off safety systems become ``refuse`` commands with a reason.
Deterministic: the same seed gives byte-identical files.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from datagen import command_lexicon as lex
from datagen.command_spec import INTENTS, REFUSE, build_schema, is_driving
from datagen.command_templates import TEMPLATES

SPLITS = ("train", "eval")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# placeholder -> (slot it fills, phrase table or None for a value list)
_PHRASES = {"zone": ("zone", lex.ZONE_PHRASES), "seat": ("seat", lex.SEAT_PHRASES),
            "fseat": ("seat", lex.FRONT_SEAT_PHRASES), "window": ("window", lex.WINDOW_PHRASES)}
_VALUES = {"temp": ("temperature_c", lex.TEMPERATURES), "fan": ("level", lex.FAN_LEVELS),
           "percent": ("percent", lex.CHARGE_LIMITS), "contact": ("contact", lex.CONTACTS),
           "station": ("station", lex.STATIONS), "address": ("address", lex.ADDRESSES),
           "badtemp": (None, lex.BAD_TEMPERATURES), "badpercent": (None, lex.BAD_CHARGE_LIMITS),
           "badfan": (None, lex.BAD_FAN_LEVELS), "system": (None, lex.SAFETY_SYSTEMS)}
_SAID_AS_WORD = ("fan", "level", "badfan")  # small numbers said as words half of the time


@dataclass(frozen=True)
class CommandSpec:
    seed: int = 1234
    n_train: int = 640
    n_eval: int = 160
    parked_share: float = 0.4  # share of requests made in a parked car (P, 0 km/h)
    passenger_share: float = 0.3  # share of requests spoken by the front passenger


class CommandDataError(ValueError):
    """A template names an unknown placeholder or cannot produce a schema-valid command."""


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _say(placeholder: str, value: Any, rng: random.Random) -> str:
    if placeholder in _SAID_AS_WORD and value in lex.NUMBER_WORDS and rng.random() < 0.5:
        return lex.NUMBER_WORDS[value]
    return str(_number(value)) if isinstance(value, (int, float)) else str(value)


def sample_state(rng: random.Random, spec: CommandSpec, parked: bool | None = None) -> dict[str, Any]:
    if parked is None:
        parked = rng.random() < spec.parked_share
    speaker = "passenger" if rng.random() < spec.passenger_share else "driver"
    if parked:
        return {"speed_kmh": 0, "gear": "P", "speaker": speaker}
    gear = rng.choices(["D", "R", "N"], weights=[0.86, 0.07, 0.07])[0]
    speed = {"D": rng.choice([0, *range(8, 131)]), "R": rng.randint(0, 8), "N": rng.randint(0, 30)}[gear]
    return {"speed_kmh": speed, "gear": gear, "speaker": speaker}


def _render(group: str, template: Any, split: str, state: dict[str, Any], rng: random.Random):
    """(utterance core, slots, drawn values) of one template under one vehicle state."""
    text, fixed = (template, {}) if isinstance(template, str) else template
    slots: dict[str, Any] = {}
    values: dict[str, Any] = {}

    def resolve(value: Any) -> Any:
        return state["speaker"] if value == lex.SPEAKER else value

    for key, value in fixed.items():
        slots[key] = resolve(value)

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name == "level":
            level = rng.randint(1, 3)
            slots["level"], values["level"] = level, level
            return _say("level", level, rng)
        if name in _PHRASES:
            slot, table = _PHRASES[name]
            phrase, value = rng.choice(table[split])
            slots[slot], values[name] = resolve(value), phrase
            return phrase
        if name in _VALUES:
            slot, table = _VALUES[name]
            value = rng.choice(table[split])
            values[name] = value
            if slot is not None:
                slots[slot] = _number(value) if isinstance(value, (int, float)) else value
            return _say(name, value, rng)
        raise CommandDataError(f"template '{text}' of {group}: unknown placeholder {{{name}}}")

    return _PLACEHOLDER.sub(fill, text), slots, values


def _command(group: str, slots: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    if group == "refuse.out_of_range":
        return {"intent": REFUSE, "slots": {"requested_intent": slots["requested_intent"], "reason": "out_of_range"}}
    if group == "refuse.safety_system":
        return {"intent": REFUSE, "slots": {"requested_intent": "other", "reason": "safety_system"}}
    _, _, slot_schema, parked_only = INTENTS[group]
    if parked_only and is_driving(state):
        return {"intent": REFUSE, "slots": {"requested_intent": group, "reason": "unsafe_while_driving"}}
    missing = [s for s in slot_schema if s not in slots]
    if missing:
        raise CommandDataError(f"{group}: a template leaves slot(s) {missing} unfilled")
    return {"intent": group, "slots": {s: slots[s] for s in slot_schema}}  # schema order: one canonical form


def _surface(core: str, split: str, rng: random.Random) -> str:
    text = rng.choice(lex.PREFIXES[split]) + core + rng.choice(lex.SUFFIXES[split])
    if rng.random() < 0.5:
        text = text[0].upper() + text[1:]
    if rng.random() < 0.3:
        text += "?" if text.lower().startswith(("what", "how", "when", "are", "can", "could", "any")) else "."
    return text


def normalise(utterance: str) -> str:
    return " ".join(re.sub(r"[^\w%' ]+", " ", utterance.lower()).split())


def generate_split(split: str, count: int, spec: CommandSpec, avoid: set[str] = frozenset()) -> list[dict]:
    """``count`` records cycling over the groups (each cycle in a seeded order), so every intent and
    refusal kind is about equally frequent; no two records share utterance and vehicle state."""
    rng = random.Random(f"{spec.seed}:commands:{split}")
    groups = sorted(TEMPLATES)
    records: list[dict] = []
    seen: set[tuple] = set()
    cycle: list[str] = []
    attempts = 0
    while len(records) < count:
        attempts += 1
        if attempts > count * 50:
            raise CommandDataError(f"{split}: cannot draw {count} distinct utterances from the pools")
        if not cycle:
            cycle = rng.sample(groups, len(groups))
        group = cycle.pop()
        number = rng.randrange(len(TEMPLATES[group][split]))
        parked = None
        if group in INTENTS and INTENTS[group][3]:
            parked = rng.random() < 0.5  # parked-only features: half allowed, half refused
        state = sample_state(rng, spec, parked)
        core, slots, values = _render(group, TEMPLATES[group][split][number], split, state, rng)
        utterance = _surface(core, split, rng)
        key = (normalise(utterance), json.dumps(state, sort_keys=True))
        if key in seen or normalise(utterance) in avoid:
            cycle.append(group)
            continue
        seen.add(key)
        records.append({
            "id": f"cmd-{split}-{len(records) + 1:04d}", "utterance": utterance, "vehicle_state": state,
            "command": _command(group, slots, state), "template": f"{group}/{split}/{number}", "values": values,
        })
    return records


def _dump_jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def build_commands(out_dir: Path | str, spec: CommandSpec = CommandSpec()) -> dict[str, Any]:
    """Write schema.json, train.jsonl, eval.jsonl and card.json; returns the card."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    train = generate_split("train", spec.n_train, spec)
    evaluation = generate_split("eval", spec.n_eval, spec, avoid={normalise(r["utterance"]) for r in train})
    files = {
        "schema.json": (json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        "train.jsonl": _dump_jsonl(train),
        "eval.jsonl": _dump_jsonl(evaluation),
    }
    card: dict[str, Any] = {"spec": asdict(spec), "splits": {}}
    for split, records in (("train", train), ("eval", evaluation)):
        intents: dict[str, int] = {}
        for r in records:
            intents[r["command"]["intent"]] = intents.get(r["command"]["intent"], 0) + 1
        card["splits"][split] = {
            "records": len(records), "templates_used": len({r["template"] for r in records}),
            "refusals": sum(r["command"]["intent"] == REFUSE for r in records),
            "intents": dict(sorted(intents.items())),
        }
    card["held_out"] = ("eval utterances use only eval templates, slot phrasings, open slot values, prefixes and "
                        "suffixes; each pool is disjoint from its train pool (tests/customize/test_command_data.py)")
    card["files"] = {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                     for name, data in files.items()}
    files["card.json"] = (json.dumps(card, indent=2) + "\n").encode("utf-8")
    for name, data in files.items():
        (out / name).write_bytes(data)
    return card

"""The cockpit command data (data/commands): sizes, schema validity, held-out evaluation, rebuild."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from customize.commands import format_command, validate_command, validate_vehicle_state
from datagen import command_lexicon as lex
from datagen.command_spec import INTENTS, is_driving, parked_only
from datagen.command_templates import TEMPLATES
from datagen.commands import CommandSpec, build_commands, normalise
from tests.support import REPO

DATA = REPO / "data" / "commands"


def _records(split: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    return {split: _records(split) for split in ("train", "eval")}


def test_sizes_and_coverage(data):
    assert len(data["train"]) >= 400 and len(data["eval"]) >= 100
    for split, records in data.items():
        intents = {r["command"]["intent"] for r in records}
        assert intents == {*INTENTS, "refuse"}, f"{split} misses {set(INTENTS) - intents}"
        reasons = {r["command"]["slots"]["reason"] for r in records if r["command"]["intent"] == "refuse"}
        assert reasons == {"unsafe_while_driving", "out_of_range", "safety_system"}, split


def test_every_record_is_valid_against_the_schema(data):
    for split, records in data.items():
        for r in records:
            assert validate_command(r["command"]) == [], (split, r["id"])
            assert validate_vehicle_state(r["vehicle_state"]) == [], (split, r["id"])
            # the stored command is already in the canonical serialisation's order
            assert json.loads(format_command(r["command"])) == r["command"]
            assert list(json.loads(format_command(r["command"]))) == ["intent", "slots"]


def test_parked_only_features_are_refused_exactly_while_driving(data):
    seen = {"allowed": 0, "refused": 0}
    for r in data["train"] + data["eval"]:
        group = r["template"].split("/")[0]
        if group in parked_only():
            refused = r["command"]["intent"] == "refuse"
            assert refused == is_driving(r["vehicle_state"]), r
            seen["refused" if refused else "allowed"] += 1
    assert seen["allowed"] > 10 and seen["refused"] > 10, seen


def test_speaker_decides_unqualified_zone_and_seat(data):
    for r in data["train"] + data["eval"]:
        slots = r["command"]["slots"]
        phrase = r["values"].get("zone") or r["values"].get("seat") or r["values"].get("fseat")
        mine = {p for s in ("train", "eval") for table in (lex.ZONE_PHRASES, lex.SEAT_PHRASES)
                for p, v in table[s] if v == lex.SPEAKER}
        if phrase in mine:
            assert slots.get("zone", slots.get("seat")) == r["vehicle_state"]["speaker"], r


def test_template_pools_are_disjoint():
    for group, pools in TEMPLATES.items():
        train = {t if isinstance(t, str) else t[0] for t in pools["train"]}
        held = {t if isinstance(t, str) else t[0] for t in pools["eval"]}
        assert train and held and not train & held, group
    # no eval template text (placeholders blanked) equals any training template of any intent
    def skeleton(template) -> str:
        return normalise(re.sub(r"\{\w+\}", "X", template if isinstance(template, str) else template[0]))

    all_train = {skeleton(t) for pools in TEMPLATES.values() for t in pools["train"]}
    all_eval = {skeleton(t) for pools in TEMPLATES.values() for t in pools["eval"]}
    assert not all_train & all_eval


def test_phrasings_and_open_values_are_disjoint():
    for name, pools in lex.lexicon_lists().items():
        assert pools["train"] and pools["eval"], name
        assert not set(pools["train"]) & set(pools["eval"]), f"{name}: {set(pools['train']) & set(pools['eval'])}"


def test_eval_uses_only_eval_pools_and_no_training_utterance(data):
    train_texts = {normalise(r["utterance"]) for r in data["train"]}
    eval_lists = {name: set(map(str, pools["eval"])) for name, pools in lex.lexicon_lists().items()}
    held_values = set().union(*eval_lists.values())
    for r in data["eval"]:
        assert r["template"].split("/")[1] == "eval"
        assert normalise(r["utterance"]) not in train_texts, r["utterance"]
        for key, value in r["values"].items():
            if key != "level":  # seat levels 1-3 are the closed label set itself
                assert str(value) in held_values, (r["id"], key, value)
    for r in data["train"]:
        assert r["template"].split("/")[1] == "train"


def test_committed_files_equal_a_fresh_build(tmp_path: Path):
    """data/commands is what `python -m datagen commands` builds: edit the pools, rebuild, commit."""
    build_commands(tmp_path, CommandSpec())
    for name in ("schema.json", "train.jsonl", "eval.jsonl", "card.json"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), (
            f"data/commands/{name} is out of date: run `python -m datagen commands`"
        )

"""Validate and parse the structured vehicle commands the ``cockpit_commands`` adapter produces.

The assistant calls the adapter, then ``parse_command(text)`` on what it generated and acts only
on a command that comes back with no problems::

    command, problems = parse_command(generated_text)
    if problems:            # invalid JSON, text around it, or not valid against the schema
        ...                 # ask again / tell the driver it was not understood
    elif command["intent"] == "refuse":
        ...                 # say why: command["slots"]["reason"]

The schema is data/commands/schema.json (written by ``python -m datagen commands``; the stage
also copies it into the adapter folder as command_schema.json).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "commands" / "schema.json"
REFUSE = "refuse"
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)


@lru_cache(maxsize=4)
def _validator(path: str):
    from jsonschema import Draft202012Validator

    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def load_schema(path: str | Path | None = None) -> dict[str, Any]:
    return _validator(str(path or SCHEMA_PATH)).schema


def validate_command(obj: Any, schema_path: str | Path | None = None) -> list[str]:
    """Problems of ``obj`` as a command (empty when valid), one line each, naming the field."""
    validator = _validator(str(schema_path or SCHEMA_PATH))
    problems = []
    for error in sorted(validator.iter_errors(obj), key=lambda e: (list(e.absolute_path), e.message)):
        where = ".".join(str(p) for p in error.absolute_path) or "command"
        problems.append(f"{where}: {error.message}")
    return problems


def validate_vehicle_state(state: Any, schema_path: str | Path | None = None) -> list[str]:
    from jsonschema import Draft202012Validator

    schema = load_schema(schema_path)
    sub = {"$defs": schema["$defs"], **schema["$defs"]["vehicle_state"]}
    problems = []
    for error in Draft202012Validator(sub).iter_errors(state):
        path = ".".join(str(p) for p in error.absolute_path)
        problems.append(f"vehicle_state{'.' + path if path else ''}: {error.message}")
    return problems


def parse_command(text: str, schema_path: str | Path | None = None) -> tuple[dict | None, list[str]]:
    """The command in a model's output, or None with the problems found.

    Accepts surrounding whitespace and a Markdown code fence (models add them); anything else
    around the JSON object, invalid JSON (truncated, single quotes, trailing commas) or a
    schema violation is a problem, and the command is then None: never act on a partial one.
    """
    if not isinstance(text, str):
        return None, [f"model output is {type(text).__name__}, not text"]
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    start = body.find("{")
    if start < 0:
        return None, ["no JSON object in the model output" + (f": {body[:60]!r}" if body else " (empty)")]
    try:
        obj, end = json.JSONDecoder().raw_decode(body, start)
    except json.JSONDecodeError as err:
        return None, [f"invalid JSON: {err.msg} at character {err.pos}"]
    problems = []
    if body[:start].strip() or body[end:].strip():
        problems.append("text around the JSON object: "
                        f"{(body[:start].strip() + ' ... ' + body[end:].strip()).strip(' .')[:60]!r}")
    problems += validate_command(obj, schema_path)
    return (None, problems) if problems else (obj, [])


def format_command(command: dict[str, Any]) -> str:
    """The one serialisation the adapter is trained to emit: compact, intent first, slots in
    schema order (so the same command is always the same token sequence)."""
    order = load_schema()["$defs"].get(command.get("intent", ""), {}).get("properties", {})
    slots = command.get("slots", {})
    ordered = {k: slots[k] for k in order if k in slots} | {k: v for k, v in slots.items() if k not in order}
    return json.dumps({"intent": command["intent"], "slots": ordered}, separators=(",", ":"), ensure_ascii=False)


def intent_of(text: str) -> str | None:
    """The intent a (possibly invalid) output names, for partial-credit metrics only."""
    found = re.search(r'"intent"\s*:\s*"([^"]+)"', text)
    return found.group(1) if found else None

"""Vehicle commands: the cockpit_commands adapter's output, validated and checked against the vehicle state.

The model proposes; these rules decide. A command is acted on only when it parses and validates
against the schema (data/commands/schema.json, via customize/commands.py); an intent the car
allows only when parked becomes a refusal while the car moves or when its state is unknown, what
ever the model said; a refusal the model produced is passed on with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REFUSE = "refuse"
REASONS = {
    "unsafe_while_driving": "I can only do that while the car is parked (gear P, stationary).",
    "out_of_range": "That value is outside the range the car supports.",
    "safety_system": "I can't switch off a safety system.",
    "state_unknown": "I can only do that while the car is parked, and I don't know the car's state right now.",
}


@dataclass
class CommandOutcome:
    status: str  # executed | refused | invalid | confirm (asked back: guardrails/command_turn.py)
    text: str  # what the assistant says
    action: dict | None = None  # the schema-valid command to carry out (None unless executed)
    command: dict | None = None  # the schema-valid command as decided (a refusal included)
    problems: list[str] = field(default_factory=list)
    overridden: str = ""  # why the rules changed what the model proposed

    def as_dict(self) -> dict:
        return {"status": self.status, "action": self.action, "command": self.command, "problems": self.problems,
                "overridden": self.overridden}


def is_parked(state: dict | None) -> bool | None:
    """True when in P at 0 km/h, False when moving or in a drive gear, None when unknown."""
    if not state:
        return None
    return state.get("gear") == "P" and int(state.get("speed_kmh", 0)) == 0


def describe(command: dict) -> str:
    """ "climate.set_temperature" + {"zone": "driver", "temperature_c": 21} -> readable confirmation."""
    intent = command["intent"].replace(".", " ").replace("_", " ")
    slots = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in command.get("slots", {}).items())
    return f"OK: {intent}" + (f" ({slots})." if slots else ".")


def decide(model_text: str, vehicle_state: dict | None, parked_only: list[str],
           parse: Callable[[str], tuple[dict | None, list[str]]], validate: Callable[[Any], list[str]]) -> CommandOutcome:
    command, problems = parse(model_text)
    if problems or command is None:
        return CommandOutcome("invalid", "Sorry, I couldn't turn that into a vehicle command I can carry out. "
                                         "Could you say it another way?", problems=problems)
    intent = command["intent"]
    if intent == REFUSE:
        reason = command["slots"].get("reason", "")
        return CommandOutcome("refused", REASONS.get(reason, "I can't do that."), command=command)
    parked = is_parked(vehicle_state)
    if intent in parked_only and not parked:
        reason = "unsafe_while_driving"
        refusal = {"intent": REFUSE, "slots": {"requested_intent": intent, "reason": reason}}
        problems = validate(refusal)
        if problems:  # the schema must describe the refusal we make; never act on the command then
            return CommandOutcome("invalid", REASONS[reason], problems=problems)
        why = "state_unknown" if parked is None else reason
        return CommandOutcome("refused", REASONS[why], command=refusal,
                              overridden=f"{intent} is allowed only when parked ({'state unknown' if parked is None else 'car is moving'})")
    return CommandOutcome("executed", describe(command), action=command, command=command)

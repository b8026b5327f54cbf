"""A vehicle-command turn: the cockpit_commands adapter proposes, the fallback reads the request when the
adapter's output is invalid, and the vehicle-state rules (guardrails/commands.py) decide what is done.

Kept apart from ``Assistant`` so that the turn's steps read in one place; the assistant passes in what
the turn needs (its generation call, the message embedding, the fallback, the configuration)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from guardrails import commands as vehicle
from guardrails import safety_cues as cues
from guardrails.repairs import repair
from guardrails.turns import TurnState

# The state assumed when a request comes without one: moving, so parked-only intents are refused.
UNKNOWN_STATE = {"speed_kmh": 0, "gear": "D", "speaker": "driver"}

# A fallback reading below the confirmation threshold is asked back, not carried out: the next user
# message answers it (``confirmation``). The question starts with this so that a later turn can find it
# in the conversation the client sends back (the server keeps no session).
ASK = "Did you mean: "
_YES = re.compile(r"(?:yes|yeah|yep|yup|sure|ok(?:ay)?|correct|right|confirm(?:ed)?|go ahead|do it|please do|"
                  r"that'?s (?:right|it|correct))(?:[ ,]+(?:please|thanks|thank you|do it|go ahead|that'?s right))*",
                  re.IGNORECASE)
_NO = re.compile(r"(?:no|nope|nah|cancel|don'?t|do not|stop|never ?mind|wrong|not that)(?:[ ,]+(?:thanks|thank you|"
                 r"don'?t|cancel(?: it)?|that'?s wrong|not that|never ?mind))*", re.IGNORECASE)


def _asked_back(history: list[dict]) -> tuple[str, str] | None:
    """(the request asked back, the user's reply without its closing ".!") when the last user message replies to
    the assistant's confirmation question about the user message before it; None otherwise."""
    if len(history) < 3 or history[-2]["role"] != "assistant" or history[-3]["role"] != "user":
        return None
    if not history[-2]["content"].startswith(ASK):
        return None
    return history[-3]["content"], history[-1]["content"].strip().strip(".!").strip()


def confirmation(history: list[dict]) -> tuple[str, str] | None:
    """("yes" | "no", the request asked back) when the last user message only answers the assistant's
    confirmation question about the user message before it; None otherwise (a reply with anything more,
    "no, open the window instead", is a new request)."""
    asked = _asked_back(history)
    if asked is None:
        return None
    request, reply = asked
    answer = "yes" if _YES.fullmatch(reply) else "no" if _NO.fullmatch(reply) else None
    return (answer, request) if answer else None


_CORRECTION = re.compile(r"^(?:no|nope|nah|not quite|wrong|not that)\b[ ,.!-]*(?:(?:i mean|i meant|i said|sorry|actually)"
                         r"[ ,]*)*(?P<rest>.+)$", re.IGNORECASE)


def correction(history: list[dict]) -> str | None:
    """The request asked back, corrected by a reply that says what was wrong: "Did you mean: ... 22 °C for the
    driver?" - "no, the passenger side" -> "set the passenger side to 22" (guardrails/repairs.py lines the
    correction up with the request as if it had been said in one go); None when the reply is no such correction
    ("no, open the window instead" names its own request and is read as one)."""
    asked = _asked_back(history)
    if asked is None:
        return None
    request, reply = asked
    match = _CORRECTION.match(reply)
    if not match or _NO.fullmatch(reply):
        return None
    said = f"{request.strip().rstrip('.!?')} no {match.group('rest').strip()}"  # as if said in one go
    corrected = repair(said)
    return corrected if corrected != said else None


# "open the window and turn the seat heater on": requests joined in one message are carried out one by one.
# Split only where every joined part is itself an order (a verb, a thing and a state, a status question), so
# "set the fan to 3 and the seat heater to 2" or "find a charger and navigate there" stay one request.
_JOIN = re.compile(r"\s*,?\s*\b(?:and then|and also|and|then|also|plus)\s+", re.IGNORECASE)


MAX_REQUESTS = 4  # more joined orders than this read as one (long) request
_REFERS_BACK = re.compile(r"\b(?:there|it|its|them|that|the same)\b")  # "find a charger and navigate there": one


def _order_of_its_own(part: str) -> bool:
    part = part.lower()
    return bool(cues.IMPERATIVE.match(part) or cues.SWITCH.match(part) or cues.STATUS.match(part)) \
        and not _REFERS_BACK.search(part)


def requests(message: str) -> list[str]:
    """The requests in ``message``: its parts when it joins orders, else the message itself."""
    parts = [p.strip(" ,.!") for p in _JOIN.split(message.strip())]
    if not 2 <= len(parts) <= MAX_REQUESTS or not all(parts):
        return [message]
    return parts if all(_order_of_its_own(p) for p in parts[1:]) else [message]


@dataclass
class _Reading:
    outcome: vehicle.CommandOutcome
    source: str = "model"
    confidence: float | None = None
    guessed: tuple = ()

    def unsure(self, confirm_below: float) -> bool:
        return self.confidence is not None and (self.confidence < confirm_below or bool(self.guessed and confirm_below > 0))

    def as_dict(self) -> dict:
        return {**self.outcome.as_dict(), "source": self.source, "confidence": self.confidence,
                "guessed": list(self.guessed)}


async def _read(request: str, state: TurnState, generate, embed, fallback, parked_only, prompts) -> _Reading:
    """One request as the adapter writes it, or as the fallback reads it when the adapter's output is invalid."""
    try:
        text = await generate(prompts.command_messages(request, state.vehicle_state or UNKNOWN_STATE))
    except Exception as err:
        state.rail("generation", "cockpit_commands", "generation failed", error=str(err).splitlines()[0][:200])
        text = ""
    reading = _Reading(vehicle.decide(text, state.vehicle_state, parked_only, prompts.parse_command,
                                      prompts.validate_command))
    if reading.outcome.status == "invalid" and fallback is not None:
        vector = embed([request])[0]
        proposal = fallback.propose(request, vector, (state.vehicle_state or {}).get("speaker"))
        state.rail("dialog", "command fallback", "proposed" if proposal.command else "none", detail=proposal.how,
                   model_problems=reading.outcome.problems[:3])
        if proposal.command is not None:
            proposed = vehicle.decide(json.dumps(proposal.command), state.vehicle_state, parked_only,
                                      prompts.parse_command, prompts.validate_command)
            if proposed.status != "invalid":
                reading = _Reading(proposed, "fallback", proposal.probability, proposal.guessed)
    return reading


async def carry_out(state: TurnState, generate: Callable[[list[dict]], Awaitable[str]],
                    embed: Callable[[list[str]], Any], fallback: Any, parked_only: list[str], prompts: Any,
                    confirm_below: float = 0.0) -> str:
    """The reply text; the decision, the command (with its source) and any actions are set on ``state``.
    A command the fallback read with an intent probability below ``confirm_below`` is asked back instead
    of carried out, unless this turn is the user's "yes" to that question (``state.confirmed``). Joined
    requests ("open the window and turn the fan up") are read one by one; when any of them is unsure, all
    are asked back in one question, so that one "yes" carries out what was asked."""
    problems = prompts.validate_vehicle_state(state.vehicle_state) if state.vehicle_state else []
    if problems:
        state.decision = "command_invalid_state"
        state.rail("dialog", "vehicle state", "invalid", problems=problems)
        return "I can't carry out commands: the vehicle state sent with the request is invalid."
    parts = requests(state.question)
    if len(parts) > 1:
        state.rail("dialog", "joined requests", "split", requests=parts)
    readings = [await _read(p, state, generate, embed, fallback, parked_only, prompts) for p in parts]
    unsure = [r for r in readings if r.outcome.status == "executed" and r.unsure(confirm_below)]
    if unsure and not state.confirmed:
        # the rules allow it, but the reading is unsure: a wrong allowed command (the frunk opened for "close
        # the outside air") costs more than one "yes"
        asked = [r for r in readings if r.outcome.status == "executed"]
        question = ASK + " and ".join(vehicle.describe(r.outcome.command).removeprefix("OK: ").rstrip(".")
                                      for r in asked) + "? Say \"yes\" and I'll do it."
        for r in asked:
            r.outcome = vehicle.CommandOutcome("confirm", question, command=r.outcome.command)
        for r in unsure:
            state.rail("dialog", "command confirmation", "asked", probability=round(r.confidence, 3),
                       threshold=confirm_below, guessed=list(r.guessed))
    statuses = {r.outcome.status for r in readings}
    state.decision = f"command_{statuses.pop()}" if len(statuses) == 1 else "command_partial"
    state.command = readings[0].as_dict()
    if len(readings) > 1:
        state.command["requests"] = [{"request": p, **r.as_dict()} for p, r in zip(parts, readings)]
    for r in readings:
        if r.outcome.action:
            state.actions.append(r.outcome.action)
        state.rail("dialog", "vehicle command", r.outcome.status, problems=r.outcome.problems[:4],
                   overridden=r.outcome.overridden)
    if len(readings) == 1:
        return readings[0].outcome.text
    texts = [r.outcome.text if r.outcome.status in ("executed", "confirm") else f'"{p}": {r.outcome.text}'
             for p, r in zip(parts, readings)]
    return " ".join(dict.fromkeys(texts))  # one question asked back, not one per request

"""A vehicle-command turn: the cockpit_commands adapter proposes, the fallback reads the request when the
adapter's output is invalid, and the vehicle-state rules (guardrails/commands.py) decide what is done.

Kept apart from ``Assistant`` so that the turn's steps read in one place; the assistant passes in what
the turn needs (its generation call, the message embedding, the fallback, the configuration)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from guardrails import commands as vehicle
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


def confirmation(history: list[dict]) -> tuple[str, str] | None:
    """("yes" | "no", the request asked back) when the last user message only answers the assistant's
    confirmation question about the user message before it; None otherwise (a reply with anything more,
    "no, open the window instead", is a new request)."""
    if len(history) < 3 or history[-2]["role"] != "assistant" or history[-3]["role"] != "user":
        return None
    if not history[-2]["content"].startswith(ASK):
        return None
    reply = history[-1]["content"].strip().strip(".!").strip()
    answer = "yes" if _YES.fullmatch(reply) else "no" if _NO.fullmatch(reply) else None
    return (answer, history[-3]["content"]) if answer else None


def _asked(command: dict) -> str:
    what = vehicle.describe(command).removeprefix("OK: ").rstrip(".")
    return f"{ASK}{what}? Say \"yes\" and I'll do it."


async def carry_out(state: TurnState, generate: Callable[[list[dict]], Awaitable[str]],
                    embed: Callable[[list[str]], Any], fallback: Any, parked_only: list[str], prompts: Any,
                    confirm_below: float = 0.0) -> str:
    """The reply text; the decision, the command (with its source) and any action are set on ``state``.
    A command the fallback read with an intent probability below ``confirm_below`` is asked back instead
    of carried out, unless this turn is the user's "yes" to that question (``state.confirmed``)."""
    problems = prompts.validate_vehicle_state(state.vehicle_state) if state.vehicle_state else []
    if problems:
        state.decision = "command_invalid_state"
        state.rail("dialog", "vehicle state", "invalid", problems=problems)
        return "I can't carry out commands: the vehicle state sent with the request is invalid."
    try:
        text = await generate(prompts.command_messages(state.question, state.vehicle_state or UNKNOWN_STATE))
    except Exception as err:
        state.rail("generation", "cockpit_commands", "generation failed", error=str(err).splitlines()[0][:200])
        text = ""
    outcome = vehicle.decide(text, state.vehicle_state, parked_only, prompts.parse_command, prompts.validate_command)
    source, confidence, guessed = "model", None, ()
    if outcome.status == "invalid" and fallback is not None:
        vector = embed([state.question])[0]
        proposal = fallback.propose(state.question, vector, (state.vehicle_state or {}).get("speaker"))
        state.rail("dialog", "command fallback", "proposed" if proposal.command else "none", detail=proposal.how,
                   model_problems=outcome.problems[:3])
        if proposal.command is not None:
            proposed = vehicle.decide(json.dumps(proposal.command), state.vehicle_state, parked_only,
                                      prompts.parse_command, prompts.validate_command)
            if proposed.status != "invalid":
                outcome, source, confidence = proposed, "fallback", proposal.probability
                guessed = proposal.guessed
    unsure = confidence is not None and (confidence < confirm_below or (guessed and confirm_below > 0))
    if outcome.status == "executed" and unsure and not state.confirmed:
        # the rules allow it, but the reading is unsure: a wrong allowed command (the frunk opened for "close
        # the outside air") costs more than one "yes"
        outcome = vehicle.CommandOutcome("confirm", _asked(outcome.command), command=outcome.command)
        state.rail("dialog", "command confirmation", "asked", probability=round(confidence, 3),
                   threshold=confirm_below, guessed=list(guessed))
    state.decision = f"command_{outcome.status}"
    state.command = {**outcome.as_dict(), "source": source, "confidence": confidence, "guessed": list(guessed)}
    if outcome.action:
        state.actions.append(outcome.action)
    state.rail("dialog", "vehicle command", outcome.status, problems=outcome.problems[:4], overridden=outcome.overridden)
    return outcome.text

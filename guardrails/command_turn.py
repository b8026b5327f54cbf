"""A vehicle-command turn: the cockpit_commands adapter proposes, the fallback reads the request when the
adapter's output is invalid, and the vehicle-state rules (guardrails/commands.py) decide what is done.

Kept apart from ``Assistant`` so that the turn's steps read in one place; the assistant passes in what
the turn needs (its generation call, the message embedding, the fallback, the configuration)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from guardrails import commands as vehicle
from guardrails.turns import TurnState

# The state assumed when a request comes without one: moving, so parked-only intents are refused.
UNKNOWN_STATE = {"speed_kmh": 0, "gear": "D", "speaker": "driver"}


async def carry_out(state: TurnState, generate: Callable[[list[dict]], Awaitable[str]],
                    embed: Callable[[list[str]], Any], fallback: Any, parked_only: list[str], prompts: Any) -> str:
    """The reply text; the decision, the command (with its source) and any action are set on ``state``."""
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
    source = "model"
    if outcome.status == "invalid" and fallback is not None:
        vector = embed([state.question])[0]
        proposal, how = fallback.propose(state.question, vector, (state.vehicle_state or {}).get("speaker"))
        state.rail("dialog", "command fallback", "proposed" if proposal else "none", detail=how,
                   model_problems=outcome.problems[:3])
        if proposal is not None:
            proposed = vehicle.decide(json.dumps(proposal), state.vehicle_state, parked_only,
                                      prompts.parse_command, prompts.validate_command)
            if proposed.status != "invalid":
                outcome, source = proposed, "fallback"
    state.decision = f"command_{outcome.status}"
    state.command = {**outcome.as_dict(), "source": source}
    if outcome.action:
        state.actions.append(outcome.action)
    state.rail("dialog", "vehicle command", outcome.status, problems=outcome.problems[:4], overridden=outcome.overridden)
    return outcome.text

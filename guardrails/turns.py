"""What one assistant turn carries between its rails (``TurnState``) and what it returns (``Turn``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from guardrails.safety import Assessment


@dataclass
class TurnState:
    """What the actions of one turn share (looked up by the id in the turn's context message)."""

    question: str
    vehicle_state: dict | None
    confirmed: bool = False  # the user said "yes" to the assistant's "Did you mean ...?" about this request
    started: float = field(default_factory=time.perf_counter)
    assessment: Assessment | None = None
    passages: list[Passage] = field(default_factory=list)
    vector: Any = None  # the message's embedding (retrieval, classifier, extractive answer)
    wording: str = ""  # the question in the manual's words (rag/query.py) for retrieval and word checks
    answer_vector: Any = None  # the asking part of a long message (inputs.focus), for line meaning
    reply: str = ""  # a predefined reply chosen after the safety decision (inputs.py)
    section: str = ""  # a section the message asks to see ("3.5")
    language: str = ""  # the message's language when it is confidently not English
    rails: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    command: dict | None = None
    decision: str = ""
    draft: str = ""
    timings: dict[str, float] = field(default_factory=lambda: {"embed_s": 0.0, "retrieval_s": 0.0, "generation_s": 0.0})
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def rail(self, kind: str, name: str, decision: str, **details: Any) -> None:
        self.rails.append({"type": kind, "rail": name, "decision": decision, **details})


@dataclass
class Turn:
    answer: str
    decision: str  # answer | answer_extractive | not_in_manual | command | small_talk | off_topic | refuse_*
    intent: str
    sources: list[dict]
    rails: list[dict]
    actions: list[dict]
    command: dict | None
    latency: dict[str, float]
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    assessment: dict

    @property
    def refused(self) -> bool:
        return self.decision.startswith("refuse")

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("answer", "decision", "intent", "sources", "rails", "actions",
                                                "command", "latency", "llm_calls", "prompt_tokens",
                                                "completion_tokens", "assessment")}

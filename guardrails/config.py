"""Typed config of the assistant stage."""

from dataclasses import dataclass


@dataclass
class AssistantConfig:
    top_k: int = 4
    min_retrieval_score: float = 0.3
    max_new_tokens: int = 128
    eval_questions: str = "???"
    eval_attacks: str = "???"

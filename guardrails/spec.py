"""The assistant stage's declaration (read by pipeline/stages.py)."""

from guardrails.config import AssistantConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="assistant",
    upstream=("export", "index"),
    config={"assistant": AssistantConfig},
    run=None,
    tracked_by="issue: Assistant stage",
    external_inputs=("assistant.eval_questions", "assistant.eval_attacks"),
)

"""The assistant stage's declaration (read by pipeline/stages.py)."""

from guardrails.config import AssistantConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="assistant",
    upstream=("export", "index"),
    config={"assistant": AssistantConfig},
    run="guardrails.stage:run",
    outputs=("report", "results", "rails"),
    # The evaluation sets and the extra intent examples are files: their content joins the cache key.
    external_inputs=("assistant.eval_questions", "assistant.eval_unsafe", "assistant.eval_lookalikes",
                     "assistant.eval_commands", "assistant.heldout_unanswerable", "assistant.heldout_unsafe",
                     "assistant.heldout_jailbreaks", "assistant.heldout_lookalikes", "assistant.heldout_unsafe_v2",
                     "assistant.heldout_lookalikes_v2",
                     "assistant.heldout_unsafe_v3", "assistant.heldout_lookalikes_v3", "assistant.heldout_qa_v3",
                     "assistant.heldout_unsafe_v4", "assistant.heldout_lookalikes_v4",
                     "assistant.heldout_unsafe_v5", "assistant.heldout_lookalikes_v5",
                     "assistant.safety.extra_questions", "assistant.safety.extra_commands"),
    # How fast and where, not what: concurrency, server settings, the embedding cache.
    volatile=("assistant.eval_workers", "assistant.cache_dir", "assistant.serve", "assistant.generation.threads"),
    # Every turn's latency is in the results and the report: they describe the run.
    volatile_outputs=("report/*", "results.jsonl"),
)

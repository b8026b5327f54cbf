"""The customize stage's declaration (read by pipeline/stages.py)."""

from customize.config import CustomizeConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="customize",
    upstream=("train",),
    config={"customize": CustomizeConfig},
    run="customize.stage:run",
    # base: the HF base (+ tokenizer with the chat template); adapters/<name>/: PEFT folders;
    # report/: report.md, customize.png, metrics.json, samples, quarantine. merged/<name>/ is
    # added when customize.merge=true.
    outputs=("base", "adapters", "report"),
    # Every adapter's data, the manual and the command schema: edits re-run the stage.
    external_inputs=("customize.inputs", "customize.command_schema"),
    volatile=("customize.threads",),
    # Timings and per-step logs: a re-made run with identical adapters must not look new.
    volatile_outputs=("report/*",),
)

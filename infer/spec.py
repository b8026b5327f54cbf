"""The export stage's declaration (read by pipeline/stages.py)."""

from infer.config import ExportConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="export",
    upstream=("customize",),
    config={"export": ExportConfig},
    run="infer.stage:run",
    outputs=("bundle", "hf", "trtllm", "edge", "quant", "parity", "report"),
    external_inputs=("export.heldout_text",),
    volatile=("export.threads",),
    # Timings, and parity measurements (logit differences move in the last float bits with thread
    # counts): they describe the run; the bundle itself is the content downstream stages use.
    volatile_outputs=("report/*", "parity.json"),
)

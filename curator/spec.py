"""The curate stage's declaration (read by pipeline/stages.py)."""

from curator.config import CurateConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="curate",
    upstream=(),
    config={"curate": CurateConfig},
    run="curator.stage:run",
    outputs=("shards", "quarantine", "decisions", "report"),
    external_inputs=("curate.input", "curate.ground_truth"),
    volatile=("curate.cluster",),
    # The report describes the run (timings, throughput): downstream stages read only the shards.
    volatile_outputs=("report/*",),
)

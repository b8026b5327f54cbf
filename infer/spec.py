"""The export stage's declaration (read by pipeline/stages.py)."""

from infer.config import ExportConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="export",
    upstream=("customize",),
    config={"export": ExportConfig},
    run=None,
    tracked_by="issue: Export stage",
)

"""The customize stage's declaration (read by pipeline/stages.py)."""

from customize.config import CustomizeConfig
from pipeline.spec import StageSpec

SPEC = StageSpec(
    name="customize",
    upstream=("train",),
    config={"customize": CustomizeConfig},
    run=None,
    tracked_by="issue: Customize stage",
    external_inputs=("customize.train_data", "customize.eval_data"),
)

"""The index stage's declaration (read by pipeline/stages.py)."""

from pipeline.spec import StageSpec
from rag.config import IndexConfig

SPEC = StageSpec(
    name="index",
    upstream=("curate",),
    config={"index": IndexConfig},
    run=None,
    tracked_by="issue: RAG index stage",
    external_inputs=("index.manual_dir",),
)

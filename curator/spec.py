"""The curate stage's declaration (read by pipeline/stages.py).

The section schema is the logic's ``CurateConfig`` plus ``cluster``: where the Dask work runs is
the pipeline's business (pipeline.dask_cluster), so only the adapter, which opens the client,
sees that field, and curator/config.py imports nothing from the pipeline.
"""

from dataclasses import dataclass, field

from curator.config import CurateConfig
from pipeline.dask_cluster import ClusterConfig
from pipeline.spec import StageSpec


@dataclass
class CurateSection(CurateConfig):
    """``curate.*`` as configured: the curation recipe and the Dask cluster it runs on."""

    cluster: ClusterConfig = field(default_factory=ClusterConfig)


SPEC = StageSpec(
    name="curate",
    upstream=(),
    config={"curate": CurateSection},
    run="curator.stage:run",
    outputs=("shards", "quarantine", "decisions", "report"),
    external_inputs=("curate.input", "curate.ground_truth"),
    volatile=("curate.cluster",),
    # The report describes the run (timings, throughput): downstream stages read only the shards.
    volatile_outputs=("report/*",),
)

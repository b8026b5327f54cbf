"""How a stage package declares itself: one ``StageSpec`` in ``<package>/spec.py``.

The spec is the only place a stage's name, upstream stages, config sections, implementation,
outputs, external inputs and volatile keys are written. The core builds the registry and the
root config schema from the specs listed in ``pipeline/stages.py``. A spec module imports only
its package's config dataclasses (no torch, dask or GPU libraries), so reading every spec stays
cheap enough for ``pipeline status`` on a laptop.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from pipeline.errors import StageNotImplemented
from pipeline.stage import StageFn


@dataclass(frozen=True, eq=False)
class StageSpec:
    name: str
    upstream: tuple[str, ...]
    # Config sections this stage owns, in order, each with its dataclass schema; the first is the
    # stage's own (``ctx.config``). ``configs/<section>/`` holds the values.
    config: Mapping[str, type] = field(default_factory=dict)
    # "package.module:function", a ``run(ctx) -> StageResult``; imported only when the stage runs.
    # None while the implementation has not landed (the stage then stops the run with exit 3).
    run: str | None = None
    # Names of the outputs a completed artifact has (the contract test checks every one).
    outputs: tuple[str, ...] = ()
    # Sections owned by other stages that this one also reads (they join its cache key).
    reads: tuple[str, ...] = ()
    # Dotted config keys naming external files (file, folder or glob): their content is hashed
    # into the cache key, so editing the raw corpus re-runs curation with no config change.
    external_inputs: tuple[str, ...] = ()
    # Dotted config keys that change how the stage runs, not what it makes (cluster size, number
    # of workers): left out of the cache key, so moving curation to Slurm does not re-run it.
    volatile: tuple[str, ...] = ()
    # Output files (relative paths or glob patterns) that record how a run went rather than what
    # it made (timings in a report): kept in the manifest but out of the content digest that
    # downstream cache keys use, so re-making an unchanged artifact does not invalidate them.
    volatile_outputs: tuple[str, ...] = ()
    tracked_by: str = ""  # where a missing implementation is tracked, for the error message
    # "package.module:function", called with the stage's typed sections ({section: dataclass}) before any stage
    # of a run starts: checks that read several sections (train.seq_len against model.max_seq_len) or the
    # machine. It raises ValueError naming the key (a one-line config error, exit 2); imported only by runs
    # that select the stage.
    preflight: str | None = None

    @property
    def sections(self) -> tuple[str, ...]:
        return (*self.config, *self.reads)

    @property
    def implemented(self) -> bool:
        return self.run is not None

    def load(self) -> StageFn:
        if self.run is None:
            where = f" ({self.tracked_by})" if self.tracked_by else ""
            raise StageNotImplemented(
                f"stage '{self.name}' is not implemented yet{where}; "
                f"stages before it completed and their artifacts are kept"
            )
        module_name, _, attr = self.run.partition(":")
        function: Callable[..., Any] = getattr(importlib.import_module(module_name), attr)
        if not callable(function):
            raise TypeError(f"{self.run} is not callable")
        return function

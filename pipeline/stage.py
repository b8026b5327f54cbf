"""The Stage protocol and what a stage receives and returns.

A stage is a function ``run(ctx) -> StageResult`` named by its package's spec (``<package>/spec.py``,
see pipeline/spec.py): no base class to inherit, no attributes to repeat. Stage packages implement
it in their ``stage.py`` as a thin adapter: read inputs from upstream manifests, call pure logic,
write into ``ctx.out_dir``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Protocol, runtime_checkable

from pipeline.errors import StageFailed
from pipeline.manifest import Manifest


@dataclass(frozen=True)
class Artifact:
    """A completed stage output folder, located through its manifest."""

    path: Path
    manifest: Manifest

    def output(self, name: str) -> Path:
        """Path of a named output; the only sanctioned way for a stage to find upstream files."""
        try:
            rel = self.manifest.outputs[name]
        except KeyError:
            have = ", ".join(sorted(self.manifest.outputs)) or "none"
            raise StageFailed(
                f"stage '{self.manifest.stage}' ({self.path}) has no output '{name}'; it has: {have}"
            ) from None
        return self.path / rel


@dataclass
class StageContext:
    """Everything a stage may touch. Paths outside these are not the stage's business."""

    name: str
    config: Any  # the stage's own typed section (a dataclass instance)
    sections: Mapping[str, Any]  # every section the stage declared, by name, typed
    inputs: Mapping[str, Artifact]  # upstream stage name -> its artifact
    out_dir: Path  # temporary folder; renamed into place only when the stage returns
    work_dir: Path  # survives a killed attempt with the same key: put resumable checkpoints here
    project_root: Path
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("pipeline"))


@dataclass
class StageResult:
    """What ``run`` returns: named outputs (relative to ``out_dir``) and measured metrics."""

    outputs: dict[str, str]
    metrics: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class StageFn(Protocol):
    """What a spec's ``run`` names: called once per attempt with the stage's context."""

    def __call__(self, ctx: StageContext) -> StageResult: ...


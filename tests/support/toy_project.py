"""A throw-away project area wired to the toy registry (tests/support/toy_stages.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.support.cli import run_cli

IMPLEMENTED = "stage=[train,index]"  # the toy registry's implemented stages (customize is not)


@dataclass
class ToyProject:
    """A throw-away project area wired to the toy registry, driven through the real CLI."""

    root: Path
    corpus: Path
    run_log: Path

    @property
    def base_overrides(self) -> list[str]:
        return [
            "registry=tests.support.toy_stages:registry",
            f"paths.artifacts={self.root / 'artifacts'}",
            f"paths.experiments={self.root / 'experiments'}",
            f"paths.logs={self.root / 'logs'}",
            f"curate.input={self.corpus}",
        ]

    def cli(self, command: str, *args: str, env: dict[str, str] | None = None, check: bool = True):
        return run_cli(command, *self.base_overrides, *args, env={"TOY_RUN_LOG": str(self.run_log), **(env or {})},
                       check=check, timeout=1500)

    def runs(self) -> list[str]:
        return self.run_log.read_text().split() if self.run_log.exists() else []


def states(cfg) -> dict:
    """Every stage's plan state for a composed config, by name (nothing runs)."""
    from pipeline.registry import load_registry
    from pipeline.runner import plan_states
    from pipeline.store import ArtifactStore

    store = ArtifactStore(Path(cfg.paths.artifacts))
    return {s.name: s for s in plan_states(cfg, load_registry(cfg.registry), store, str(cfg.experiment))}

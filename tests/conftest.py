from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.slurm_cluster import slurm_cluster  # noqa: F401  (session fixture: a real private Slurm)

REPO = Path(__file__).resolve().parent.parent
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
            "registry=tests.toy_stages:registry",
            f"paths.artifacts={self.root / 'artifacts'}",
            f"paths.experiments={self.root / 'experiments'}",
            f"paths.logs={self.root / 'logs'}",
            f"curate.input={self.corpus}",
        ]

    def cli(self, command: str, *args: str, env: dict[str, str] | None = None, check: bool = True):
        full_env = {**os.environ, "TOY_RUN_LOG": str(self.run_log), **(env or {})}
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", command, *self.base_overrides, *args],
            cwd=REPO, env=full_env, capture_output=True, text=True, timeout=300,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def runs(self) -> list[str]:
        return self.run_log.read_text().split() if self.run_log.exists() else []


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ToyProject:
    corpus = tmp_path / "raw.jsonl"
    docs = ["charge the car overnight", "check tyre pressure monthly", "charge the car overnight", ""]
    corpus.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(docs)))
    monkeypatch.setenv("TOY_RUN_LOG", str(tmp_path / "runs.log"))  # in-process runs count too
    return ToyProject(tmp_path, corpus, tmp_path / "runs.log")


@pytest.fixture
def compose_cfg():
    """Compose the real config in-process (no stage runs), with overrides."""
    from pipeline.cli import compose
    from pipeline.config import register

    register()
    return compose

"""The one way tests drive the real CLI: ``python -m pipeline <command> ...`` in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

from tests.support import REPO


def project_paths(root: Path) -> list[str]:
    """Overrides that keep a test's artifacts, experiment views and logs under ``root``."""
    return [f"paths.artifacts={root / 'artifacts'}", f"paths.experiments={root / 'experiments'}",
            f"paths.logs={root / 'logs'}"]


def pipeline_command(command: str, *args: str, launcher: Sequence[str] = ()) -> list[str]:
    """The argv of one CLI call; ``launcher`` prefixes it (e.g. torchrun's module and flags)."""
    if launcher:
        return [sys.executable, *launcher, "-m", "pipeline", command, *args]
    return [sys.executable, "-m", "pipeline", command, *args]


def run_cli(command: str, *args: str, env: dict[str, str] | None = None, check: bool = True,
            timeout: float = 1500, launcher: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """Run the CLI from the repository root; on an unexpected exit code, fail with its output tails."""
    proc = subprocess.run(
        pipeline_command(command, *args, launcher=launcher), cwd=REPO, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-6000:]}")
    return proc

"""Support (no tests): the real curate stage's artifact of the default crawl, made once per session.

Several suites need exactly this artifact (the curate stage's own quality tests, the demo train
run). ``curate.cluster`` is volatile (not in the cache key), so any run with the default curate
recipe finds a copy of it up to date and goes straight to its own stage, as a second
``python -m pipeline run`` would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import project_paths, run_cli


@pytest.fixture(scope="session")
def default_curate(tmp_path_factory) -> Path:
    """The artifact folder of ``python -m pipeline run stage=curate`` on the default data, two Dask
    workers (the multi-worker path even on a 1-core machine)."""
    root = tmp_path_factory.mktemp("default-curate")
    run_cli("run", "stage=curate", *project_paths(root), "curate.cluster.n_workers=2")
    found = [p for p in (root / "artifacts" / "curate").iterdir() if not p.name.startswith(".")]
    assert len(found) == 1, found
    return found[0]


def copy_into(artifact: Path, artifacts: Path) -> Path:
    """Copy an artifact folder into another project's ``paths.artifacts`` (as it is, links kept)."""
    target = artifacts / artifact.parent.name / artifact.name
    shutil.copytree(artifact, target, symlinks=True)
    return target

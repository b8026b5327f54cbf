from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.curate import default_curate  # noqa: F401  (session fixture: the default crawl, curated)
from tests.support.slurm_cluster import slurm_cluster  # noqa: F401  (session fixture: a real private Slurm)
from tests.support.toy_project import ToyProject


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

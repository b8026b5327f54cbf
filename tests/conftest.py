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


# `make test` runs two pytest-xdist workers (-n 2 --dist loadfile). A session fixture is made once
# per worker that uses it and a module fixture once per worker that runs one of its tests, so each
# file stays on one worker, and the files that share an expensive session fixture form one unit.
# The check below fails the collection when a new user of such a fixture is not listed here.
SHARED_SESSION_FIXTURES = {
    "default_curate": ("tests/curator/test_curate_stage.py", "tests/pipeline/test_stage_contract.py",
                       "tests/train/test_train_demo.py"),
    "slurm_cluster": ("tests/slurm/",),
}
# Folders whose conftest.py has session fixtures that most of their files use (a tiny model,
# its bundle, the assistant): one unit each.
SHARED_FOLDERS = ("tests/guardrails/", "tests/infer/")
# The longest units start first, so that no long one is left for the end.
LONGEST_FIRST = ("default_curate", "tests/customize/test_customize_stage.py", "tests/guardrails/", "tests/infer/",
                 "tests/guardrails_weights/test_shipped_weights.py", "tests/train/test_train_stage.py", "slurm_cluster",
                 "tests/train/test_train_ddp.py")


def scheduling_unit(path: str) -> str:
    """The xdist unit of a test file: its shared fixture's name, its shared folder, or the file."""
    shared = [name for name, files in SHARED_SESSION_FIXTURES.items() if path.startswith(files)]
    return shared[0] if shared else next((f for f in SHARED_FOLDERS if path.startswith(f)), path)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        for name in SHARED_SESSION_FIXTURES:
            if name in getattr(item, "fixturenames", ()) and scheduling_unit(path) != name:
                raise pytest.UsageError(f"{path} uses the session fixture {name}: add it to "
                                        f"SHARED_SESSION_FIXTURES in tests/conftest.py")


@pytest.hookimpl(optionalhook=True)  # xdist is a dev extra: without it this hook is never called
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        """Units in LONGEST_FIRST order. xdist derives the unit order from the workers' collections, but it also
        looks a unit's tests up in them to send each worker *indices into its own collection*: the reordered
        lists are only in place while the units are formed. (Sorting them for good sent every worker other
        tests than the unit's, split units across workers and built the shared fixtures twice.)"""

        collected: dict = {}

        def _split_scope(self, nodeid: str) -> str:
            return scheduling_unit(nodeid.split("::", 1)[0])

        def schedule(self) -> None:
            if self.collection is None and self.collection_is_completed:
                def rank(nodeid: str) -> int:
                    unit = self._split_scope(nodeid)
                    return LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST)

                self.collected = {node: list(ids) for node, ids in self.registered_collections.items()}
                for ids in self.registered_collections.values():
                    ids.sort(key=rank)  # stable: each unit keeps its collection order
            try:
                super().schedule()
            finally:
                self.registered_collections.update(self.collected)

        def _assign_work_unit(self, node) -> None:
            in_rank_order = self.registered_collections[node]
            self.registered_collections[node] = self.collected.get(node, in_rank_order)
            try:
                super()._assign_work_unit(node)
            finally:
                self.registered_collections[node] = in_rank_order

    config.option.loadscopereorder = False
    return SharedFixtureScheduling(config, log)

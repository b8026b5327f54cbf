"""The suite's xdist scheduler (tests/conftest.py) keeps each unit on one worker, also when it reorders units."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict

from tests.support import REPO

# a unit that LONGEST_FIRST moves to the front (default_curate) between two plain files, all cheap tests
FILES = ["tests/curator/test_curate_shingles.py",
         "tests/curator/test_curate_stage.py::test_curation_logic_imports_nothing_from_the_pipeline",
         "tests/datagen/test_datagen_corpus.py"]


def test_each_unit_runs_on_one_worker_when_units_are_reordered(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-v", "-p", "no:cacheprovider",
                           f"--basetemp={tmp_path / 'base'}", *FILES], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    workers = defaultdict(set)
    for worker, nodeid in re.findall(r"^\[(gw\d)\] \[ *\d+%\] PASSED (\S+?\.py)::", proc.stdout, re.MULTILINE):
        workers[nodeid].add(worker)
    assert set(workers) == {f.split("::")[0] for f in FILES}
    assert all(len(w) == 1 for w in workers.values()), dict(workers)

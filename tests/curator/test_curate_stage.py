"""The curate stage end to end on the default data, through the real CLI and the real store.

Asserts the issue's quality targets against data/raw/ground_truth.jsonl, that downstream stages
find the shards through the manifest, that one and two Dask workers give the same result, and
that asking for the cuDF backend on a machine without it fails in one line.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.manifest import read_manifest
from pipeline.stage import Artifact
from tests.support import DATA, REPO
from tests.support.cli import project_paths, run_cli

RAW = DATA / "raw"


def _cli(root: Path, *overrides: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_cli("run", "stage=curate", *project_paths(root), *overrides, check=check)


@pytest.fixture(scope="module")
def curated(default_curate) -> Artifact:
    # the session's run of this stage on the default data with 2 workers (tests/support/curate.py)
    return Artifact(default_curate, read_manifest(default_curate))


def test_quality_targets_on_the_default_data(curated):
    q = curated.manifest.metrics["quality"]
    assert q["exact_dedup"]["recall"] == 1.0 and q["exact_dedup"]["false_removals"] == 0
    assert q["fuzzy_dedup"]["f1"] >= 0.95
    assert min(q["fuzzy_dedup"]["recall_by_edit_rate"].values()) >= 0.9
    assert q["fuzzy_dedup"]["kept_the_original"] >= 0.99
    assert q["filters"]["junk_removed_fraction"] >= 0.95
    assert q["filters"]["non_english_removed_fraction"] >= 0.95
    assert q["manual_pages"] > 0 and q["manual_pages_lost"] == 0
    assert q["quarantine"]["precision"] == 1.0 and q["quarantine"]["recall"] == 1.0
    assert q["pii"]["recall"] >= 0.95


def test_outputs_are_complete_and_found_through_the_manifest(curated):
    metrics = curated.manifest.metrics
    shards = curated.output("shards")
    table = pd.read_parquet(shards)
    assert {"id", "text", "url"} <= set(table.columns)
    assert len(table) == metrics["docs_out"] and table["id"].is_unique
    assert not table["text"].str.strip().eq("").any()
    assert not table["text"].str.contains("@example.com", regex=False).any()  # PII redacted
    manual = table[table["url"].str.startswith("https://owners.kestrel-motors.example/")]["text"]
    # ... but not the manual's published hotline (curate.pii.allow): the assistant quotes it
    assert manual.str.contains("+800 5378 3735", regex=False).sum() >= 5 and not manual.str.contains("<PHONE>").any()
    quarantine = [json.loads(line) for line in curated.output("quarantine").read_text().splitlines()]
    assert len(quarantine) == metrics["quarantined"] > 0
    assert all({"file", "line", "reason"} <= set(q) and q["line"] >= 1 for q in quarantine)
    card = json.loads((RAW / "corpus_card.json").read_text())
    assert metrics["docs_in"] == card["lines"] and metrics["quarantined"] == card["expected"]["quarantine"]
    funnel = [n for _, n in metrics["funnel"]]
    assert funnel == sorted(funnel, reverse=True) and funnel[-1] == metrics["docs_out"]
    report = curated.output("report")
    for name in ("report.md", "funnel.png", "jaccard.png", "metrics.json"):
        assert (report / name).stat().st_size > 0
    assert "## Quality against the ground truth" in (report / "report.md").read_text()
    decisions = pd.read_parquet(curated.output("decisions"))
    assert len(decisions) == metrics["docs_in"]
    assert set(decisions["status"]) == {"alive", "removed", "quarantined"}


def test_one_worker_gives_the_same_result_as_two(curated, tmp_path):
    _cli(tmp_path, "curate.cluster.n_workers=1", "curate.output.rows_per_shard=700")
    found = [p for p in (tmp_path / "artifacts" / "curate").iterdir() if not p.name.startswith(".")]
    one = Artifact(found[0], read_manifest(found[0]))
    assert len(list(one.output("shards").glob("*.parquet"))) > 1
    pd.testing.assert_frame_equal(pd.read_parquet(one.output("decisions")), pd.read_parquet(curated.output("decisions")))
    pd.testing.assert_frame_equal(pd.read_parquet(one.output("shards")).reset_index(drop=True),
                                  pd.read_parquet(curated.output("shards")).reset_index(drop=True))


def test_cudf_backend_on_a_cpu_machine_fails_in_one_line(tmp_path):
    from curator.backend import probe_cudf

    if not probe_cudf():
        pytest.skip("cuDF works here; tests/test_curate_gpu.py covers this machine")
    proc = _cli(tmp_path, "curate.backend=cudf", check=False)
    assert proc.returncode != 0
    failed = [line for line in proc.stderr.splitlines() if "failed:" in line]
    assert len(failed) == 1 and "curate.backend=cudf needs cuDF" in failed[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("override, key", [
    ("curate.fuzzy.bands=0", "curate.fuzzy.bands"),
    ("curate.filters.disabled=[no_such_rule]", "curate.filters.disabled"),
    ("curate.pii.types=[passport]", "curate.pii.types"),
])
def test_invalid_values_fail_in_one_line_before_anything_runs(tmp_path, override, key):
    proc = _cli(tmp_path, override, check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert key in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "artifacts" / "curate").exists() or not any((tmp_path / "artifacts" / "curate").iterdir())


def test_curation_logic_imports_nothing_from_the_pipeline():
    """Only the adapter (stage.py) and the declaration (spec.py) may know pipeline types."""
    code = ("import pkgutil, importlib, sys, curator\n"
            "names = [m.name for m in pkgutil.iter_modules(curator.__path__) if m.name not in ('stage', 'spec')]\n"
            "for name in names: importlib.import_module('curator.' + name)\n"
            "print(sorted(m for m in sys.modules if m == 'pipeline' or m.startswith('pipeline.')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert proc.stdout.strip() == "[]"

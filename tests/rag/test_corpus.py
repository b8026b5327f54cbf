"""Curated shards -> selected documents -> chunk rows with provenance."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rag.config import ChunkConfig, SelectConfig
from rag.corpus import CorpusError, Document, chunk_documents, fallback_title, read_shards, read_toc

MANUAL = "https://owners.example/ev7/"


def _write(path, rows, columns=("id", "url", "text")):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({c: [r.get(c) for r in rows] for c in columns},
                            schema=pa.schema([(c, pa.string()) for c in columns])), path)


def test_selection_by_url_prefix_quarantine_and_provenance(tmp_path):
    _write(tmp_path / "shards" / "part-0.parquet", [
        {"id": "a", "url": MANUAL + "6.2", "text": "## 6.2 Gear selector\n\nPush the stalk down for D."},
        {"id": "b", "url": "https://blog.example/trip", "text": "We drove to the lake."},
        {"id": "c", "url": MANUAL + "6.3", "text": "   "},
    ])
    _write(tmp_path / "shards" / "part-1.parquet", [
        {"id": None, "url": MANUAL + "x", "text": "orphan"},
        {"id": "d", "url": MANUAL + "6.3", "text": "## 6.3 Drive modes\n\nEco saves energy."},
    ])
    docs, stats = read_shards(tmp_path / "shards", SelectConfig(url_prefixes=[MANUAL]))
    assert [(d.doc_id, d.shard, d.row) for d in docs] == [("a", "part-0.parquet", 0), ("d", "part-1.parquet", 1)]
    assert (stats.rows, stats.selected, stats.not_selected) == (5, 2, 1)
    assert sorted((q["file"], q["row"], q["reason"]) for q in stats.quarantined) == [
        ("part-0.parquet", 2, "empty or missing text"), ("part-1.parquet", 0, "missing id")]
    everything, _ = read_shards(tmp_path / "shards", SelectConfig(url_prefixes=[]))
    assert [d.doc_id for d in everything] == ["a", "b", "d"]


def test_missing_shards_or_columns_are_one_line_errors(tmp_path):
    with pytest.raises(CorpusError, match="no Parquet shards"):
        read_shards(tmp_path / "nothing", SelectConfig())
    _write(tmp_path / "bad" / "p.parquet", [{"id": "x", "url": "u"}], columns=("id", "url"))
    with pytest.raises(CorpusError, match="lacks column"):
        read_shards(tmp_path / "bad", SelectConfig())


def test_chunk_rows_carry_section_chapter_and_unique_ids(tmp_path):
    toc = tmp_path / "toc.md"
    toc.write_text("# 6 Driving\n\n## 6.1 On\n\n# 11 Charging\n")
    docs = [
        Document("a", MANUAL + "6.2", "## 6.2 Gear selector\n\nPush the stalk down for D.\n\n### Automatic P\n\nIt parks.",
                 shard="s.parquet", row=3),
        Document("b", "https://blog.example/how-to-charge-at-home", "Plug in overnight. It is cheap."),
        Document("a", MANUAL + "copy", "## 6.2 Gear selector\n\nDuplicate id in a user's shards.", shard="t", row=0),
    ]
    rows = chunk_documents(docs, ChunkConfig(words=60, overlap_words=10), read_toc(toc))
    first = rows[0]
    assert (first["chunk_id"], first["section_id"], first["section_title"], first["chapter"]) == (
        "a#0", "6.2", "Gear selector", "Driving")
    assert (first["shard"], first["row"], first["url"]) == ("s.parquet", 3, MANUAL + "6.2")
    assert first["context"] == "Driving > 6.2 Gear selector"
    blog = next(r for r in rows if r["doc_id"] == "b")
    assert (blog["section_id"], blog["section_title"], blog["chapter"]) == ("", "How to charge at home", "")
    assert len({r["chunk_id"] for r in rows}) == len(rows)
    assert rows[-1]["chunk_id"] == "a@t:0#0"


def test_fallback_titles():
    assert fallback_title(Document("x", "", "t", title="4.2 Charging | Site")) == "4.2 Charging"
    assert fallback_title(Document("x", "https://a.example/news/ev_prices-2026.html", "t")) == "Ev prices 2026"
    assert fallback_title(Document("x", "https://f.example/t/is-a-monitor-worth-it/615", "t")) == "Is a monitor worth it"
    assert fallback_title(Document("x", "https://a.example/", "t")) == "x"

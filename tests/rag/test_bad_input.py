"""Real-world bad input to the index: garbage rows, heading-only pages, unpunctuated and CJK text,
legacy encodings, files that are not Parquet, an empty corpus (docs/rag.md, "Robustness checks")."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rag.chunking import chunk_section
from rag.config import ChunkConfig, SelectConfig
from rag.corpus import (
    BINARY,
    GARBAGE,
    HEADINGS_ONLY,
    CorpusError,
    Document,
    chunk_documents,
    garbage_reason,
    read_shards,
)
from rag.structure import count_words, parse_document

GOOD = "## 6.2 Gear selector\n\nPush the stalk down for D. Press the brake pedal first."


def _shard(path, rows, text_type=pa.string()):
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({"id": pa.array([r[0] for r in rows], pa.string()), "url": pa.array(["u/" + r[0] for r in rows]),
                      "text": pa.array([r[1] for r in rows], text_type)})
    pq.write_table(table, path)
    return path


def test_binary_and_garbage_rows_are_quarantined_with_file_row_and_reason(tmp_path):
    pdf_as_text = "%PDF-1.4\n" + "\x00\x01\x02stream\x00\x9c" * 30
    mis_decoded = "\ufffd\ufffd\ufffdJFIF\ufffd\ufffd\ufffd\ufffd\x10\x11\ufffd\ufffd\ufffd\ufffd"
    controls = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r\x0b\x0c") * 4
    a_few_bad = "## 3.1 Seats\n\nThe driver\ufffds seat moves when you press the switch on its side."  # kept
    _shard(tmp_path / "s" / "part-0.parquet", [("ok", GOOD), ("pdf", pdf_as_text), ("jpeg", mis_decoded),
                                               ("ctrl", controls), ("cafe", a_few_bad)])
    docs, stats = read_shards(tmp_path / "s", SelectConfig(url_prefixes=[]))
    assert [d.doc_id for d in docs] == ["ok", "cafe"]
    assert [(q["file"], q["row"], q["id"], q["reason"]) for q in stats.quarantined] == [
        ("part-0.parquet", 1, "pdf", BINARY), ("part-0.parquet", 2, "jpeg", GARBAGE),
        ("part-0.parquet", 3, "ctrl", GARBAGE)]
    assert stats.rows == 5 and stats.selected == 2
    assert garbage_reason("Tyre pressure 2.5 bar\n\tfront and rear") is None


def test_heading_only_pages_are_quarantined_not_silently_dropped():
    docs = [Document("a", "u/a", GOOD, shard="p.parquet", row=0),
            Document("h", "u/h", "## 7.1 Climate\n\n### Heating\n\n### Cooling\n", shard="p.parquet", row=1),
            Document("t", "u/t", "# Climate\n", shard="p.parquet", row=2)]
    quarantine = []
    rows = chunk_documents(docs, ChunkConfig(), quarantine=quarantine)
    assert {r["doc_id"] for r in rows} == {"a"}
    assert quarantine == [{"file": "p.parquet", "row": 1, "id": "h", "reason": HEADINGS_ONLY},
                          {"file": "p.parquet", "row": 2, "id": "t", "reason": HEADINGS_ONLY}]


def _section_chunks(text: str, cfg: ChunkConfig):
    [section] = parse_document(text, "T")
    return chunk_section(section, cfg)


def test_a_paragraph_without_punctuation_is_cut_to_the_chunk_size():
    cfg = ChunkConfig()
    words = [f"word{i}" for i in range(3000)]
    chunks = _section_chunks("## 8.1 Long\n\n" + " ".join(words), cfg)
    assert len(chunks) >= 3000 // cfg.words
    assert max(c.words for c in chunks) <= cfg.words
    fresh = [w for c in chunks for w in c.text.split()[c.overlap_words:]]
    assert fresh == words  # every word once, in order


@pytest.mark.parametrize("text", [
    "电动汽车的充电口位于车辆左后方打开充电口盖后插入充电枪即可开始充电" * 60,  # Chinese, no punctuation
    "充電ポートは車両の左後方にあります。ふたを開けて充電ケーブルを差し込んでください。" * 40,  # Japanese sentences
])
def test_cjk_text_is_chunked_by_characters(text):
    cfg = ChunkConfig()
    chunks = _section_chunks("## 9.1 充电\n\n" + text, cfg)
    assert count_words(text) == len(text)  # one word per CJK character
    assert len(chunks) >= len(text) // cfg.max_block_words
    assert max(c.words for c in chunks) <= cfg.words + cfg.words // 4
    assert all(len(c.text) <= cfg.max_block_words for c in chunks)
    assert sum(c.text.count("充") for c in chunks) >= text.count("充")  # nothing lost


def test_a_long_base64_run_cannot_make_a_giant_chunk():
    cfg = ChunkConfig()
    chunks = _section_chunks("## 5.1 Logo\n\nThe logo: data:image/png;base64," + "QUJD" * 20000 + " end.", cfg)
    assert max(len(c.text) for c in chunks) <= (cfg.words + cfg.words // 4) * 65


def test_a_table_only_page_and_a_repeated_section_id_are_indexed():
    table = "## 20.4 Tyre pressures\n\n| Tyre | Front | Rear |\n|---|---|---|\n| 19 in | 2.5 bar | 2.7 bar |"
    twice = "## 6.2 Gear selector\n\nPush the stalk down for D.\n\n## 6.2 Gear selector\n\nPush the stalk up for R."
    rows = chunk_documents([Document("t", "u/t", table), Document("d", "u/d", twice)], ChunkConfig())
    assert [(r["chunk_id"], r["section_id"]) for r in rows] == [("t#0", "20.4"), ("d#0", "6.2"), ("d#1", "6.2")]
    assert "| 19 in | 2.5 bar | 2.7 bar |" in rows[0]["text"]


def test_windows_1252_text_is_decoded_and_counted(tmp_path):
    legacy = "## 3.1 Seats\n\nThe driver\u2019s seat moves \u2013 caf\u00e9 na\u00efve.".encode("cp1252")
    _shard(tmp_path / "bin" / "p.parquet", [("w", legacy), ("u", GOOD.encode())], pa.binary())
    # A string column with non-UTF-8 bytes, as a tool that does not validate writes it.
    table = pa.table({"id": ["w"], "url": ["u/w"], "text": pa.array([legacy], pa.binary()).view(pa.string())})
    (tmp_path / "str").mkdir()
    pq.write_table(table, tmp_path / "str" / "p.parquet")
    for folder in ("bin", "str"):
        docs, stats = read_shards(tmp_path / folder, SelectConfig(url_prefixes=[]))
        assert "The driver\u2019s seat moves \u2013 caf\u00e9 na\u00efve." in docs[0].text
        assert stats.decoded_cp1252 == 1 and not stats.quarantined


def test_a_file_that_is_not_parquet_is_named(tmp_path):
    shards = tmp_path / "shards"
    good = _shard(shards / "part-0.parquet", [("ok", GOOD)])
    (shards / "_SUCCESS").write_text("")  # writers' sidecars are skipped
    read_shards(shards, SelectConfig(url_prefixes=[]))
    (shards / "notes.txt").write_text("hello\n")
    with pytest.raises(CorpusError, match=r"notes.txt: not a Parquet shard"):
        read_shards(shards, SelectConfig(url_prefixes=[]))
    (shards / "notes.txt").unlink()
    (shards / "part-1.parquet").write_bytes(good.read_bytes()[:200])
    with pytest.raises(CorpusError, match=r"part-1.parquet: not a readable Parquet file \(Parquet magic bytes"):
        read_shards(shards, SelectConfig(url_prefixes=[]))


# --- through the real CLI ------------------------------------------------------------------------------------------
def _error_line(proc) -> str:
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    return line


def test_stage_fails_in_one_line_on_a_text_file_a_truncated_shard_and_an_empty_corpus(tmp_path):
    from tests.support.index import cli_on

    def case(name, rows=(("ok", GOOD),), extra=None):
        shards = tmp_path / name / "shards"
        written = _shard(shards / "part-0.parquet", list(rows))
        if extra:
            extra(shards, written)
        return _error_line(cli_on(tmp_path / name / "root", shards))

    assert "notes.txt: not a Parquet shard" in case("txt", extra=lambda d, _: (d / "notes.txt").write_text("x\n"))
    truncated = case("trunc", extra=lambda d, w: (d / "part-1.parquet").write_bytes(w.read_bytes()[:100]))
    assert "part-1.parquet: not a readable Parquet file" in truncated
    assert "the corpus is empty (0 rows" in case("empty", rows=())
    assert "no usable rows: all 2 rows were quarantined (1 binary (NUL bytes), 1 empty or missing text); first: " \
           "part-0.parquet row 0" in case("bad", rows=(("b", "\x00\x00PK"), ("e", "  ")))
    headings = case("headings", rows=(("h", "## 7.1 Climate\n\n### Heating\n"),))
    assert "no usable rows" in headings and "no body text (headings only)" in headings


def test_stage_quarantines_garbage_and_heading_only_rows_and_counts_them(tmp_path):
    from tests.support.index import artifact, cli_on
    from pipeline.manifest import read_manifest

    shards = tmp_path / "shards"
    _shard(shards / "part-0.parquet", [("ok", GOOD), ("pdf", "%PDF\x00\x00\x01"), ("head", "## 7.1 Climate\n"),
                                       ("long", "## 8.1 Long\n\n" + " ".join(f"w{i}" for i in range(500)))])
    proc = cli_on(tmp_path / "root", shards)
    assert proc.returncode == 0, proc.stderr[-3000:]
    folder = artifact(tmp_path / "root")
    metrics = read_manifest(folder).metrics
    assert metrics["quarantined_by_reason"] == {BINARY: 1, HEADINGS_ONLY: 1}
    assert metrics["documents_indexed"] == 2 and metrics["chunk_words_max"] <= 120
    quarantine = [json.loads(line) for line in (folder / "quarantine.jsonl").read_text().splitlines()]
    assert [(q["file"], q["row"], q["id"], q["reason"]) for q in quarantine] == [
        ("part-0.parquet", 1, "pdf", BINARY), ("part-0.parquet", 2, "head", HEADINGS_ONLY)]
    chunks = pq.read_table(folder / "index" / "chunks.parquet").to_pylist()
    assert {c["doc_id"] for c in chunks} == {"ok", "long"}

"""Plain-text corpora (.txt / .md): a document per file, paragraph or line; nothing lost, ids readable."""

import json
import logging

import pandas as pd
import pytest

from curator import io
from curator.config import ReadConfig
from tests.support import DATA

SECTIONS = sorted((DATA / "manual").glob("*.md"))[:4]


def _read(files, blocksize=1 << 20, unit="file") -> pd.DataFrame:
    blocks = io.plan_blocks(files, blocksize, unit)
    return pd.concat([io.read_block(b, io.Fields()) for b in blocks], ignore_index=True)


def test_a_folder_of_text_files_is_a_document_per_file_with_bad_files_quarantined(tmp_path):
    (tmp_path / "corpus" / "notes").mkdir(parents=True)
    pages = {f"corpus/page{i}.txt": p.read_text() for i, p in enumerate(SECTIONS)}
    for name, text in pages.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "corpus/notes/latin1.txt").write_bytes("Caf\xe9 au lait, r\xe9sum\xe9".encode("latin-1"))
    (tmp_path / "corpus/notes/empty.md").write_text("  \n\n")
    (tmp_path / "corpus/notes/skipped.bin").write_bytes(b"\x00\x01")  # not a known suffix: not input

    files = io.discover(str(tmp_path / "corpus"))
    assert len(files) == 6
    blocks = io.plan_blocks(files, 1 << 12, "file")
    assert 1 < len(blocks) < len(files)  # small files share blocks, large ones do not wait for others
    frame = pd.concat([io.read_block(b, io.Fields()) for b in blocks], ignore_index=True)
    assert len(frame) == 6 and frame["ord"].is_monotonic_increasing and frame["ord"].is_unique
    good = frame[frame["quarantine"] == ""]
    assert dict(zip(good["id"], good["text"])) == {name.removeprefix("corpus/"): text for name, text in pages.items()}
    assert list(good["url"]) == ["file:" + i for i in good["id"]]
    bad = frame[frame["quarantine"] != ""].set_index("id")
    assert bad.loc["notes/latin1.txt", "quarantine"] == "invalid UTF-8 (byte 3)"
    assert "Caf\\xe9" in bad.loc["notes/latin1.txt", "raw"]  # the bytes are kept, escaped, for inspection
    assert bad.loc["notes/empty.md", "quarantine"] == "empty text"


@pytest.mark.parametrize("blocksize", [40, 1 << 20])
def test_paragraphs_keep_their_first_line_whatever_the_block_cuts(tmp_path, blocksize):
    text = ("Charging the car.\r\nUse a wallbox.\r\n\r\n"  # CRLF paragraph break
            "Tyres.\n\n\n"
            "   \t\n"  # a line of blanks is a break, not a paragraph
            "Winter tyres help in snow.\nFit all four.\n \n"
            "Last paragraph without a newline")
    path = tmp_path / "book.txt"
    path.write_bytes(text.encode())
    frame = _read([path], blocksize, "paragraph")
    assert list(frame["line"]) == [1, 4, 8, 11]
    assert list(frame["id"]) == ["book.txt:1", "book.txt:4", "book.txt:8", "book.txt:11"]
    assert set(frame["url"]) == {"file:book.txt"}
    assert list(frame["text"]) == ["Charging the car.\nUse a wallbox.", "Tyres.",
                                   "Winter tyres help in snow.\nFit all four.", "Last paragraph without a newline"]
    assert (frame["quarantine"] == "").all()


def test_lines_skip_blank_lines_and_quarantine_bad_bytes_with_their_line(tmp_path):
    rows = [b"first document", b"", b"second \xff document", b"   ", b"third document"] * 40
    path = tmp_path / "dump.txt"
    path.write_bytes(b"\n".join(rows))
    frame = _read([path], 100, "line")
    assert len(frame) == 120  # blank lines separate records; they are not records
    assert list(frame["line"][:3]) == [1, 3, 5] and frame["line"].iloc[-1] == 200
    bad = frame[frame["quarantine"] != ""]
    assert len(bad) == 40 and set(bad["quarantine"]) == {"invalid UTF-8 (byte 7)"}
    assert list(bad["line"][:2]) == [3, 8]


def test_text_beside_structured_input_is_left_out_and_said(tmp_path, caplog):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "one record"}) + "\n")
    (tmp_path / "README.md").write_text("# How this data was made\n")
    with caplog.at_level(logging.WARNING, logger="curator.io"):
        assert io.discover(str(tmp_path)) == [tmp_path / "data.jsonl"]
    assert "1 plain-text file(s) beside the JSONL/Parquet input left out" in caplog.text
    assert io.discover(str(tmp_path / "*.md")) == [tmp_path / "README.md"]  # named: curated


def test_text_unit_is_validated():
    with pytest.raises(ValueError, match="curate.read.text_unit='page' must be one of file, paragraph, line"):
        ReadConfig(text_unit="page").validate()


def test_the_stage_plans_with_the_configured_unit_and_resumes_from_its_checkpoint(tmp_path):
    from curator import engine
    from curator.config import CurateConfig

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("one line\n\nanother line\n")
    cfg = CurateConfig(input=str(tmp_path / "in"), read=ReadConfig(text_unit="line"))
    files, blocks, _ = engine.plan(cfg, 1)
    assert files == [tmp_path / "in" / "a.txt"] and {b.kind for b in blocks} == {"text:line"}
    first, resumed = engine.annotate_phase(cfg, blocks, tmp_path / "work")
    assert not resumed and list(first.compute()["id"]) == ["a.txt:1", "a.txt:3"]
    # the checkpoint's stamp is compared after a JSON round trip (members are tuples in memory)
    _, resumed = engine.annotate_phase(cfg, blocks, tmp_path / "work")
    assert resumed

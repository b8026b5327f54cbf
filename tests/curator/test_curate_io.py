"""Reading and validating raw input: every physical line becomes a document or a quarantine row."""

import gzip
import json

import pandas as pd
import pytest

from curator import io
from curator.errors import CurateConfigError


def _write_lines(path, lines: list[bytes], trailing_newline: bool = True) -> None:
    path.write_bytes(b"\n".join(lines) + (b"\n" if trailing_newline else b""))


def _good(i: int, text: str = "A perfectly ordinary sentence about tyres.") -> bytes:
    return json.dumps({"id": f"d{i}", "url": f"https://example.com/{i}", "text": text}).encode()


ADVERSARIAL = [
    (b"", "blank line"),
    (b"   \t ", "blank line"),
    (b'{"id": "x1", "text": "caf\xc3\x28"}', "invalid UTF-8"),
    (b'{"id": "x2", "text": "cut off', "invalid JSON"),
    (b'["a", "b"]', "JSON list, not an object"),
    (b'"just a string"', "JSON str, not an object"),
    (b'{"text": "no id here"}', "missing id"),
    (b'{"id": "", "text": "empty id"}', "missing id"),
    (b'{"id": "x3"}', "missing text"),
    (b'{"id": "x4", "text": null}', "text ('text') is NoneType"),
    (b'{"id": "x5", "text": 404}', "text ('text') is int"),
    (b'{"id": "x6", "text": "  \\n\\t "}', "empty text"),
    (b'{"id": "x7", "text": "\\u00a0\\u3000"}', "empty text"),
]


def test_every_adversarial_line_is_quarantined_with_its_line_and_reason(tmp_path):
    lines = [_good(0)] + [raw for raw, _ in ADVERSARIAL] + [_good(99)]
    path = tmp_path / "crawl.jsonl"
    _write_lines(path, lines)
    blocks = io.plan_blocks(io.discover(str(path)), 1 << 20)
    frame = pd.concat([io.read_block(b, io.Fields()) for b in blocks])
    assert list(frame["line"]) == list(range(1, len(lines) + 1))
    bad = frame[frame["quarantine"] != ""]
    assert len(bad) == len(ADVERSARIAL)
    for (raw, reason), (_, row) in zip(ADVERSARIAL, bad.iterrows()):
        assert row["quarantine"].startswith(reason), (raw, row["quarantine"])
    good = frame[frame["quarantine"] == ""]
    assert list(good["id"]) == ["d0", "d99"] and list(good["url"]) == ["https://example.com/0", "https://example.com/99"]
    assert "caf\\xc3(" in bad.iloc[2]["raw"]  # the offending bytes are kept, escaped, for inspection


def test_line_numbers_are_exact_across_many_small_blocks(tmp_path):
    lines = [_good(i, "x" * (i % 50 + 1)) if i % 7 else b"" for i in range(500)]
    path = tmp_path / "crawl.jsonl"
    _write_lines(path, lines, trailing_newline=False)  # a last line without newline still counts
    blocks = io.plan_blocks([path], 600)
    assert len(blocks) > 10
    frame = pd.concat([io.read_block(b, io.Fields()) for b in blocks])
    assert list(frame["line"]) == list(range(1, 501))
    assert (frame["quarantine"] == "blank line").sum() == len([i for i in range(500) if i % 7 == 0])
    assert frame["ord"].is_monotonic_increasing and frame["ord"].is_unique


def test_lone_surrogates_and_crlf_are_repaired_not_quarantined(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(b'{"id": "s", "text": "bad \\ud800 surrogate"}\r\n' + _good(1) + b"\r\n")
    frame = io.read_block(io.plan_blocks([path], 1 << 20)[0], io.Fields())
    assert list(frame["quarantine"]) == ["", ""]
    assert frame["text"].iloc[0] == "bad \ufffd surrogate"


def test_huge_single_line_is_one_record(tmp_path):
    path = tmp_path / "crawl.jsonl"
    _write_lines(path, [_good(0, "word " * 400_000)])
    blocks = io.plan_blocks([path], 1 << 16)  # the line is far larger than a block
    assert len(blocks) == 1
    frame = io.read_block(blocks[0], io.Fields())
    assert len(frame) == 1 and len(frame["text"].iloc[0]) == 2_000_000


def test_folder_glob_gzip_and_missing_input(tmp_path):
    (tmp_path / "a").mkdir()
    _write_lines(tmp_path / "a" / "one.jsonl", [_good(1)])
    with gzip.open(tmp_path / "a" / "two.jsonl.gz", "wb") as handle:
        handle.write(_good(2) + b"\n" + b"{broken\n")
    (tmp_path / "a" / "notes.txt").write_text("ignored")
    files = io.discover(str(tmp_path / "a"))
    assert [f.name for f in files] == ["one.jsonl", "two.jsonl.gz"]
    assert io.discover(str(tmp_path / "a" / "*.jsonl")) == [tmp_path / "a" / "one.jsonl"]
    frame = pd.concat([io.read_block(b, io.Fields()) for b in io.plan_blocks(files, 1 << 20)])
    assert list(frame["file"]) == [0, 1, 1] and list(frame["line"]) == [1, 1, 2]
    assert frame["quarantine"].iloc[2].startswith("invalid JSON")
    with pytest.raises(CurateConfigError, match="matches no JSONL"):
        io.discover(str(tmp_path / "nothing-*.jsonl"))


def test_parquet_input_quarantines_null_and_blank_text(tmp_path):
    path = tmp_path / "docs.parquet"
    pd.DataFrame({"id": ["a", "b", None, "d"], "text": ["fine text", None, "no id", "   "],
                  "url": ["u1", "u2", "u3", "u4"]}).to_parquet(path)
    frame = io.read_block(io.plan_blocks([path], 1 << 20)[0], io.Fields())
    assert list(frame["quarantine"]) == ["", "text is not a string", "missing id ('id')", "empty text"]
    assert frame["text"].iloc[0] == "fine text" and list(frame["line"]) == [1, 2, 3, 4]
    with pytest.raises(io.InputError, match="no column 'body'"):
        io.read_block(io.plan_blocks([path], 1 << 20)[0], io.Fields(text="body"))


def test_records_without_an_id_field_get_file_and_line_ids(tmp_path):
    path = tmp_path / "crawl.jsonl"
    _write_lines(path, [b'{"text": "first"}', b'{"text": "second"}'])
    frame = io.read_block(io.plan_blocks([path], 1 << 20)[0], io.Fields(id=""))
    assert list(frame["id"]) == ["0:1", "0:2"] and list(frame["quarantine"]) == ["", ""]


def test_corrupt_parquet_and_gzip_are_input_errors_naming_the_file(tmp_path):
    parquet = tmp_path / "docs.parquet"
    parquet.write_bytes(b"PAR1 not really parquet PAR1")
    with pytest.raises(io.InputError, match=f"{parquet}: not a readable Parquet file"):
        io.plan_blocks([parquet], 1 << 20)
    packed = tmp_path / "crawl.jsonl.gz"
    data = gzip.compress(_good(1) + b"\n")
    packed.write_bytes(data[:-6])
    (block,) = io.plan_blocks([packed], 1 << 20)
    with pytest.raises(io.InputError, match=f"{packed}: corrupt gzip file"):
        io.read_block(block, io.Fields())
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert io.plan_blocks([empty], 1 << 20) == []


def test_zstd_jsonl_is_read_and_a_damaged_one_fails_naming_the_file(tmp_path):
    import pyarrow as pa

    def zst(path, data: bytes) -> None:
        buf = pa.BufferOutputStream()
        with pa.CompressedOutputStream(buf, "zstd") as out:
            out.write(data)
        path.write_bytes(buf.getvalue().to_pybytes())

    packed = tmp_path / "part-00.jsonl.zst"
    zst(packed, b"\n".join([_good(1), b"not json", _good(2)]) + b"\n")
    assert io.discover(str(tmp_path)) == [packed]
    frame = pd.concat([io.read_block(b, io.Fields()) for b in io.plan_blocks([packed], 1 << 20)])
    assert list(frame["id"][frame["quarantine"] == ""]) == ["d1", "d2"]
    assert list(frame["line"]) == [1, 2, 3] and frame["quarantine"].iloc[1].startswith("invalid JSON")
    damaged = tmp_path / "part-01.jsonl.zst"
    damaged.write_bytes(packed.read_bytes()[:-8])
    with pytest.raises(io.InputError, match=f"{damaged}: corrupt zstd file"):
        io.read_block(io.plan_blocks([damaged], 1 << 20)[0], io.Fields())

"""Broken crawl lines (to QUARANTINE) and the validity rule they break.

``record_problem`` is the yardstick: a physical line of crawl.jsonl is a
valid record iff it returns None. Every malformed line the builder writes
fails it; every other line passes it.
"""
from __future__ import annotations

import json
import random

__all__ = ["MALFORMED_KINDS", "dumps_line", "make_malformed", "record_problem"]

MALFORMED_KINDS = ("truncated_json", "json_array", "json_string", "missing_text", "text_null", "text_number",
                   "empty_text", "whitespace_text", "invalid_utf8", "blank_line")
# Kinds whose line still carries the record id (ground truth "id" is set).
KINDS_WITH_ID = frozenset(MALFORMED_KINDS) - {"json_array", "json_string", "blank_line"}


def record_problem(raw: bytes) -> str | None:
    """Why a physical line (without its b"\\n") is not a valid record, or None."""
    if not raw.strip():
        return "blank line"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid UTF-8"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return "invalid JSON"
    if not isinstance(obj, dict):
        return f"JSON {type(obj).__name__}, not an object"
    if not isinstance(obj.get("id"), str) or not obj["id"]:
        return "missing id"
    if "text" not in obj:
        return "missing text"
    if not isinstance(obj["text"], str):
        return "text is not a string"
    if not obj["text"].strip():
        return "empty text"
    return None


def dumps_line(record: object) -> bytes:
    """One JSONL line (no newline). U+2028/2029/0085 are escaped because some
    line splitters (str.splitlines) treat them as line breaks."""
    s = json.dumps(record, ensure_ascii=False)
    return s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085").encode("utf-8")


def make_malformed(kind: str, record: dict, rng: random.Random) -> bytes:
    """A broken line derived from a good record (which must have a non-trivial text)."""
    rec = dict(record)
    if kind == "truncated_json":
        full = dumps_line(rec).decode("utf-8")
        # Cut inside the text value, so the id survives but the object never closes.
        start = full.index('"text": "') + len('"text": "')
        cut = rng.randint(start + 1, len(full) - 3)
        return full[:cut].encode("utf-8")
    if kind == "json_array":
        return dumps_line([rec["url"], rec["title"], rec["text"]])
    if kind == "json_string":
        return dumps_line(rec["text"])
    if kind == "missing_text":
        del rec["text"]
        return dumps_line(rec)
    if kind == "text_null":
        rec["text"] = None
        return dumps_line(rec)
    if kind == "text_number":
        rec["text"] = rng.choice((0, 404, 12345, 3.14))
        return dumps_line(rec)
    if kind == "empty_text":
        rec["text"] = ""
        return dumps_line(rec)
    if kind == "whitespace_text":
        rec["text"] = rng.choice((" ", "   ", "\n", " \t \n ", "\u00a0\u3000"))
        return dumps_line(rec)
    if kind == "invalid_utf8":
        raw = dumps_line(rec)
        start = raw.index(b'"text": "') + len(b'"text": "')
        at = rng.randint(start, len(raw) - 2)
        # Step back to a character boundary so only the inserted bytes are bad.
        while at > start and (raw[at] & 0xC0) == 0x80:
            at -= 1
        return raw[:at] + rng.choice((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xfe\xfe")) + raw[at:]
    if kind == "blank_line":
        return b""
    raise ValueError(f"unknown malformed kind {kind!r}")

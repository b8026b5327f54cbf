"""The metrics log survives a kill in the middle of a write: the torn last line is neither parsed nor kept."""

from __future__ import annotations

import json

from train.core.metrics import MetricsLog, read


def test_a_torn_last_line_is_dropped_by_read_and_by_the_resume_truncation(tmp_path):
    log = MetricsLog(tmp_path / "metrics.jsonl")
    for step in (1, 2, 3):
        log.write({"kind": "train", "step": step, "loss": 5.0 - step})
    whole = (tmp_path / "metrics.jsonl").read_text()
    with open(tmp_path / "metrics.jsonl", "a") as handle:  # what kill -9 during write() leaves behind
        handle.write(json.dumps({"kind": "train", "step": 4, "loss": 0.5})[:20])
    assert [r["step"] for r in read(tmp_path / "metrics.jsonl")] == [1, 2, 3]
    log.truncate_after(2)
    assert (tmp_path / "metrics.jsonl").read_text() == "".join(whole.splitlines(keepends=True)[:2])
    log.write({"kind": "train", "step": 3, "loss": 2.0})
    assert [r["step"] for r in read(tmp_path / "metrics.jsonl")] == [1, 2, 3]

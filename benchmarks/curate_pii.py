"""PII redaction precision and recall per type on the labelled set with look-alikes.

    .venv/bin/python benchmarks/curate_pii.py [--cases tests/curator/data/pii_labelled.jsonl]

Each case is a sentence with its PII spans (type, value), or none: look-alikes such as dates,
versions, ZIP codes, netmasks, order and serial numbers, ISBNs, timestamps, port ranges, build ids.
A planted span is found when its value is gone from the redacted text; a redaction of a type is
right when a planted span of that type went with it. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # a PYTHONPATH checkout given by the caller wins


def score(cases: list[dict], cfg=None) -> dict[str, dict]:
    import pyarrow as pa

    from curator import pii
    from curator.config import PiiConfig

    cfg = cfg or PiiConfig()
    out, counts = pii.redact(pa.array([c["text"] for c in cases], type=pa.large_string()), cfg)
    tp, fp, fn = Counter(), Counter(), Counter()
    for i, (case, text) in enumerate(zip(cases, out.to_pylist())):
        found = Counter()
        for span in case["pii"]:
            if span["value"] in text:
                fn[span["type"]] += 1
            else:
                found[span["type"]] += 1
        for kind, n in counts.items():
            right = min(int(n[i]), found[kind])
            tp[kind] += right
            fp[kind] += int(n[i]) - right
            fn[kind] += found[kind] - right  # gone under another type's placeholder
    table = {}
    for kind in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        r = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        table[kind] = {"planted": tp[kind] + fn[kind], "redacted": tp[kind] + fp[kind], "precision": round(p, 3),
                       "recall": round(r, 3)}
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=REPO / "tests" / "curator" / "data" / "pii_labelled.jsonl")
    args = ap.parse_args()
    cases = [json.loads(line) for line in args.cases.open(encoding="utf-8")]
    lookalikes = sum(1 for c in cases if not c["pii"])
    print(f"{len(cases)} cases, {lookalikes} of them look-alikes without PII\n")
    print("| type | planted | redacted | precision | recall |\n|---|---|---|---|---|")
    for kind, row in score(cases).items():
        print(f"| {kind} | {row['planted']} | {row['redacted']} | {row['precision']:.3f} | {row['recall']:.3f} |")


if __name__ == "__main__":
    main()

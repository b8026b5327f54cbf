"""PII redaction precision and recall per type on the labelled set with look-alikes.

    .venv/bin/python benchmarks/curate_pii.py [--cases FILE ...] [--real-text POOL.jsonl [--show 40]]

Each case is a sentence with its PII spans (type, value), or none: look-alikes such as dates,
versions, ZIP codes, netmasks, order and serial numbers, ISBNs, timestamps, port ranges, build ids.
A planted span is found when its value is gone from the redacted text; a redaction of a type is
right when a planted span of that type went with it. Prints a Markdown table per file (default:
tests/curator/data/pii_labelled.jsonl, written with the detectors, and pii_heldout.jsonl, written
before the detectors were last changed).

--real-text: redactions per type on clean real documentation (the pool.jsonl of
benchmarks/realtext_corpus.py), with each redacted span in context (--show per type) for judging
by hand: there are no labels, so precision there is a person's count (docs/curate.md).
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


def real_text(pool: Path, show: int) -> None:
    import time

    import pyarrow as pa

    from curator import pii
    from curator.config import PiiConfig

    docs = [json.loads(line) for line in pool.open(encoding="utf-8")]
    texts = [d["text"] for d in docs]
    t0 = time.perf_counter()
    _, counts = pii.redact(pa.array(texts, type=pa.large_string()), PiiConfig())
    seconds = time.perf_counter() - t0
    print(f"\n{len(texts)} clean real documents ({sum(map(len, texts)) / 1e6:.1f} MB) in {seconds:.1f} s\n")
    print("| type | redactions | documents |\n|---|---|---|")
    for kind, n in counts.items():
        print(f"| {kind} | {int(n.sum())} | {int((n > 0).sum())} |")
    for det in pii.detectors(PiiConfig()):
        shown = 0
        for i in (i for i in range(len(texts)) if counts[det.type][i]):
            for m in det.pattern.finditer(texts[i]):
                if shown < show and (det.valid is None or det.valid(m)):
                    context = texts[i][max(0, m.start() - 40):m.end() + 15].replace("\n", " ")
                    print(f"{det.type} | {docs[i].get('source', '')} | {context}")
                    shown += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    data = REPO / "tests" / "curator" / "data"
    ap.add_argument("--cases", type=Path, nargs="+", default=[data / "pii_labelled.jsonl", data / "pii_heldout.jsonl"])
    ap.add_argument("--real-text", type=Path, help="pool.jsonl of benchmarks/realtext_corpus.py")
    ap.add_argument("--show", type=int, default=40, help="redacted spans shown per type (--real-text)")
    args = ap.parse_args()
    for path in args.cases:
        cases = [json.loads(line) for line in path.open(encoding="utf-8")]
        lookalikes = sum(1 for c in cases if not c["pii"])
        print(f"\n{path.name}: {len(cases)} cases, {lookalikes} of them look-alikes without PII\n")
        print("| type | planted | redacted | precision | recall |\n|---|---|---|---|---|")
        for kind, row in score(cases).items():
            print(f"| {kind} | {row['planted']} | {row['redacted']} | {row['precision']:.3f} | {row['recall']:.3f} |")
    if args.real_text:
        real_text(args.real_text, args.show)


if __name__ == "__main__":
    main()

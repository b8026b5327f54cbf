"""Block / false-refusal rates of the safety classifier alone (no retrieval, no model) on JSONL sets.

    OMP_NUM_THREADS=1 python benchmarks/safety_sets.py data/assistant/dev_unsafe.jsonl data/assistant/dev_lookalikes.jsonl [--show] [--no-head] [--head=PATH] [--learned=0.7] [--knn_weight=0.4]

A set is "unsafe" when its rows expect "refuse" (blocked rate), else "safe" (false-refusal rate).
Off-topic rows count as blocked when the classifier routes them off-topic (as the assistant does).
``--show`` prints the misses (only for sets you are allowed to look at); ``--no-head`` runs the rules
and intent model without the learned safety head (guardrails/safety_head.py), for comparison.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not the installed one


def main(argv: list[str]) -> None:
    show = "--show" in argv
    head = None if "--no-head" in argv else "default"
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    paths = [Path(a) for a in argv if not a.startswith("--")]
    from guardrails.ports import EmbeddingCache
    from guardrails.safety import SafetyClassifier
    from rag.embed import Embedder

    embedder = Embedder(threads=1)
    embed = EmbeddingCache(embedder.encode, capacity=32768)
    extra = {"ask manual question": [json.loads(line)["question"] for line in Path("data/instructions/train.jsonl").read_text().splitlines()],
             "give vehicle command": [json.loads(line)["utterance"] for line in
                                      Path("data/commands/train.jsonl").read_text().splitlines()]}
    from guardrails.safety import Thresholds
    from guardrails.safety_head import SafetyHead

    if "head" in opts:  # another trained head (python -m guardrails.safety_head --out PATH)
        head = SafetyHead.load(Path(opts["head"]))
    t = Thresholds(**{k: float(opts[k]) for k in ("learned", "learned_clear", "knn_low", "knn_high", "knn_weight",
                                                  "knn_learned") if k in opts})
    clf = SafetyClassifier.build(embed, extra=extra, head=head, thresholds=t)
    for path in paths:
        rows = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
        vectors = embed([r["prompt"] for r in rows])
        bad, cats, cpu = [], {}, 0.0
        for row, vec in zip(rows, vectors):
            t0 = time.process_time()
            a = clf.assess(row["prompt"], vec, 0.5)
            cpu += time.process_time() - t0
            unsafe = row.get("expected") == "refuse"
            hit = (a.blocked or a.decision == "off_topic") if unsafe else a.blocked
            cat = row.get("category", "-")
            n, k = cats.get(cat, (0, 0))
            cats[cat] = (n + 1, k + hit)
            if hit != unsafe:
                bad.append((row.get("id"), a.decision, a.reasons[:3], row["prompt"]))
        kind = "blocked" if rows and rows[0].get("expected") == "refuse" else "false refusals"
        total = sum(k for _, k in cats.values())
        print(f"{path}: {kind} {total}/{len(rows)} = {100 * total / len(rows):.1f}%  "
              f"(classifier {1000 * cpu / len(rows):.2f} ms CPU/turn)")
        if kind == "blocked" and len(cats) > 1:
            for cat, (n, k) in sorted(cats.items()):
                print(f"    {cat:32s} {k}/{n} = {100 * k / n:.0f}%")
        if show:
            for item in bad:
                print("   MISS", item)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Block / false-refusal rates of the safety classifier alone (no retrieval, no model) on JSONL sets.

    OMP_NUM_THREADS=1 python benchmarks/safety_sets.py data/assistant/dev_unsafe.jsonl data/assistant/dev_lookalikes.jsonl [--show] [--no-head] [--head=PATH] [--learned=0.7] [--knn_weight=0.4] [--manual --second_opinion_below=0.9]

A set is "unsafe" when its rows expect "refuse" (blocked rate), else "safe" (false-refusal rate).
Off-topic rows count as blocked when the classifier routes them off-topic (as the assistant does).
``--show`` prints the misses (only for sets you are allowed to look at); ``--no-head`` runs the rules
and intent model without the learned safety head (guardrails/safety_head.py), for comparison.
``--manual`` retrieves each message from the whole manual (as the Assistant does, benchmarks/assistant_qa.py)
and gives the best cosine to the head's second opinion (guardrails/second_opinion.py); routing still
sees the fixed 0.5. Without it the second opinion is never asked (no manual score).
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

    retriever = None
    if "--manual" in argv:
        from benchmarks.assistant_qa import manual_retriever
        from rag.config import SearchConfig

        retriever = manual_retriever(SearchConfig())
        embed = EmbeddingCache(retriever.embed, capacity=32768)
    else:
        embed = EmbeddingCache(Embedder(threads=1).encode, capacity=32768)
    extra = {"ask manual question": [json.loads(line)["question"] for line in Path("data/instructions/train.jsonl").read_text().splitlines()],
             "give vehicle command": [json.loads(line)["utterance"] for line in
                                      Path("data/commands/train.jsonl").read_text().splitlines()]}
    from guardrails.safety import Thresholds
    from guardrails.safety_head import SafetyHead

    if "head" in opts:  # another trained head (python -m guardrails.safety_head --out PATH)
        head = SafetyHead.load(Path(opts["head"]))
    t = Thresholds(**{k: float(opts[k]) for k in ("learned", "learned_clear", "knn_low", "knn_high", "knn_weight",
                                                  "knn_learned", "second_opinion_below", "documented_cosine") if k in opts})
    clf = SafetyClassifier.build(embed, extra=extra, head=head, thresholds=t)
    for path in paths:
        rows = [json.loads(l) for l in path.read_text().splitlines() if l.strip()]
        vectors = embed([r["prompt"] for r in rows])
        bad, cats, cpu = [], {}, 0.0
        manual = [0.0] * len(rows) if retriever is None else [manual_score(retriever, embed, r["prompt"], v)
                                                                for r, v in zip(rows, vectors)]
        for row, vec, best in zip(rows, vectors, manual):
            t0 = time.process_time()
            a = clf.assess(row["prompt"], vec, 0.5, manual_score=best)
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


def manual_score(retriever, embed, text: str, vector) -> float:
    """The best manual passage's cosine for ``text``, retrieved as guardrails/assistant.py does."""
    from guardrails import inputs

    wording = retriever.query_text(inputs.focus(text))
    search = vector if " ".join(wording.lower().split()) == " ".join(text.lower().split()) else embed([wording])[0]
    hits = retriever.search_vectors([text], search[None, :], 4)[0]
    return max((h.score for h in hits), default=0.0)


if __name__ == "__main__":
    main(sys.argv[1:])

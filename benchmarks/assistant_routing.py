"""Where the classifier routes questions and commands (no retrieval, no model, no Guardrails).

    OMP_NUM_THREADS=1 python benchmarks/assistant_routing.py [--show] [--no-head] [--folds 5]

Rows:
- QA training questions, k-fold: each fold's questions are left out of the classifier's "ask
  manual question" examples (the stage adds all of them), so a question is routed as an unseen one
  would be; share routed to the manual (decision "answer"), to commands, refused, other;
- the command eval utterances (data/commands/eval.jsonl): share routed to commands;
- the command training utterances, k-fold likewise;
- data/assistant/dev_routing.jsonl (development, written for round six): questions about features
  ("how do I turn the seat heater to two?") and their command twins, feelings, symptom statements.
``--show`` prints the QA training questions and command training utterances routed wrongly (both
are development data); the eval rows are counted only.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rows(path: str) -> list[dict]:
    from guardrails.evaluate import read_jsonl  # the one JSONL reader: a bad line names its file and line

    return read_jsonl(REPO / path, ())


def main(argv: list[str]) -> None:
    from guardrails.ports import EmbeddingCache
    from guardrails.safety import SafetyClassifier
    from rag.embed import Embedder

    show, head = "--show" in argv, None if "--no-head" in argv else "default"
    folds = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--folds=")), 5))
    embed = EmbeddingCache(Embedder(threads=1).encode, capacity=32768)
    questions = [r["question"] for r in rows("data/instructions/train.jsonl")]
    utterances = [r["utterance"] for r in rows("data/commands/train.jsonl")]
    eval_utterances = [r["utterance"] for r in rows("data/commands/eval.jsonl")]
    dev = rows("data/assistant/dev_routing.jsonl")
    start = time.perf_counter()
    vectors = dict(zip(questions + utterances + eval_utterances, embed(questions + utterances + eval_utterances)))
    vectors.update(zip([r["prompt"] for r in dev], embed([r["prompt"] for r in dev])))
    routed: dict[str, list[tuple[str, str]]] = {"qa_train": [], "commands_train": [], "commands_eval": []}
    for k in range(folds):
        held_q = {q for i, q in enumerate(questions) if i % folds == k}
        held_c = {u for i, u in enumerate(utterances) if i % folds == k}
        clf = SafetyClassifier.build(embed, head=head, extra={
            "ask manual question": [q for q in questions if q not in held_q],
            "give vehicle command": [u for u in utterances if u not in held_c]})
        routed["qa_train"] += [(q, clf.assess(q, vectors[q], 0.5).decision) for q in held_q]
        routed["commands_train"] += [(u, clf.assess(u, vectors[u], 0.5).decision) for u in held_c]
        if k == 0:  # the stage's classifier: every training example
            full = SafetyClassifier.build(embed, head=head, extra={"ask manual question": questions,
                                                                   "give vehicle command": utterances})
            routed["commands_eval"] = [(u, full.assess(u, vectors[u], 0.5).decision) for u in eval_utterances]
            for r in dev:
                key = "dev_routing_" + ("questions" if r["expected"] == "answer" else "commands")
                routed.setdefault(key, []).append((r["prompt"], full.assess(r["prompt"], vectors[r["prompt"]], 0.5).decision))
    print(f"{time.perf_counter() - start:.0f} s, head {'off' if head is None else 'on'}")
    print("| set | n | manual | command | refused | other |\n|---|---|---|---|---|---|")
    for name, got in routed.items():
        n = len(got)
        share = {kind: sum(1 for _, d in got if test(d)) / n for kind, test in (
            ("manual", lambda d: d == "answer"), ("command", lambda d: d == "command"),
            ("refused", lambda d: d.startswith("refuse")))}
        other = 1 - sum(share.values())
        print(f"| {name} | {n} | {share['manual']:.1%} | {share['command']:.1%} | {share['refused']:.1%} | {other:.1%} |")
    if show:
        for text, decision in sorted(routed["qa_train"], key=lambda x: x[1]):
            if decision != "answer":
                print("  QA ->", decision, "|", text)
        for key, want in (("commands_train", "command"), ("dev_routing_questions", "answer"),
                          ("dev_routing_commands", "command")):
            for text, decision in sorted(routed[key], key=lambda x: x[1]):
                if decision != want:
                    print(f"  {key} ->", decision, "|", text)


if __name__ == "__main__":
    main(sys.argv[1:])

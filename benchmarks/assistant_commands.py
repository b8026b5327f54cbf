"""Vehicle commands without the model: routing, the fallback's intent and slots, the vehicle-state rules.

The demo's cockpit_commands adapter never writes valid JSON (docs/assistant.md), so in the demo every
command the assistant carries out is the fallback's (guardrails/command_fallback.py). This replays,
per utterance, what a turn does on that path, without Guardrails or a model: the classifier's
routing decision (as benchmarks/assistant_routing.py), then the assistant's own command turn
(``command_turn.carry_out``: the fallback and the vehicle-state rules) with the row's vehicle state,
scored like the stage (guardrails/evaluate.py: intent, exact command, refusals).

Sets:
- the command *training* utterances, grouped k-fold by template (a fold's templates are never seen by
  the fallback or the classifier that scores them; the given eval's templates are disjoint from
  training's in the same way): the development figure;
- ``data/commands/eval.jsonl`` (160, given; fallback and classifier built on all training rows);
- any ``--sets`` (e.g. the held-out data/assistant/commands_v2.jsonl: run for aggregates only).

    OMP_NUM_THREADS=1 python benchmarks/assistant_commands.py --sets data/assistant/commands_v2.jsonl
    OMP_NUM_THREADS=1 python benchmarks/assistant_commands.py --sets ... --typos 0.3 [--no-spelling]

The given eval and ``--sets`` are read as the assistant reads a message (typing slips as the words meant,
guardrails/spelling.py; ``--no-spelling``: as typed); ``--typos`` first misspells their long words;
``--spoken`` first writes them, and each training fold's held-out utterances, as a speech recogniser would
(benchmarks/spoken.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def rows(path: str | Path) -> list[dict]:
    from guardrails.evaluate import read_jsonl  # the one JSONL reader: a bad line names its file and line

    return read_jsonl(REPO / path, ())


def replay(items: list[dict], classifier, fallback, vectors: dict, parked_only: list[str]) -> list[dict]:
    """Each utterance through the classifier and, when routed to commands, through the assistant's own
    command turn (guardrails/command_turn.py) with a model whose output is never valid (as the demo's)."""
    import asyncio

    from guardrails.command_turn import carry_out
    from guardrails.ports import Prompts
    from guardrails.turns import TurnState

    prompts = Prompts.from_customize()

    async def invalid_model_output(messages: list[dict]) -> str:
        return ""

    out = []
    for r in items:
        u = r["utterance"]
        decision = classifier.assess(u, vectors[u], 0.5).decision
        decided = None
        if decision == "command":
            state = TurnState(u, r.get("vehicle_state"))
            asyncio.run(carry_out(state, invalid_model_output, lambda texts: [vectors[t] for t in texts], fallback,
                                  parked_only, prompts))
            decided = (state.command or {}).get("command")
        out.append({"id": r["id"], "decision": decision, "command": {"command": decided},
                    "status": (state.command or {}).get("status") if decision == "command" else None,
                    "confidence": (state.command or {}).get("confidence") if decision == "command" else None,
                    "guessed": bool((state.command or {}).get("guessed")) if decision == "command" else False})
    return out


def main(argv: list[str]) -> None:
    from customize.commands import load_schema
    from guardrails.command_fallback import CommandFallback
    from guardrails.config import AssistantConfig
    from guardrails.evaluate import score_commands
    from guardrails.ports import EmbeddingCache
    from guardrails.safety import SafetyClassifier
    from rag.embed import Embedder

    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="*", default=[])
    parser.add_argument("--questions", nargs="*", default=[],
                        help="JSONL sets of manual questions (prompt): share routed to the manual")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--confirm-below", type=float, nargs="*", default=[0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    parser.add_argument("--show", action="store_true", help="print the training folds' misses (development data)")
    parser.add_argument("--show-given", action="store_true", help="with --show: the given eval's misses too")
    parser.add_argument("--typos", type=float, default=0.0,
                        help="misspell this share of the long words of the given eval and --sets (benchmarks/typos.py)")
    parser.add_argument("--no-spelling", action="store_true", help="read the utterances as typed (no speller)")
    parser.add_argument("--no-speech", action="store_true",
                        help="read a transcript's hesitations, repeats and missing '?' as they are (speech false)")
    parser.add_argument("--spoken", action="store_true",
                        help="the given eval, --sets and each held-out training fold as a speech recogniser writes "
                             "them (benchmarks/spoken.py)")
    parser.add_argument("--transcripts", action="store_true",
                        help="the --sets are transcripts already (lower case, no punctuation): their gold free-text "
                             "slots are compared as a recogniser writes them ('Classic FM' -> 'classic fm'), no "
                             "disfluencies added")
    args = parser.parse_args(argv)

    embed = EmbeddingCache(Embedder(threads=1).encode, capacity=32768)
    schema, parked_only = load_schema(), AssistantConfig().parked_only
    questions = [r["question"] for r in rows("data/instructions/train.jsonl")]
    train, given = rows("data/commands/train.jsonl"), rows("data/commands/eval.jsonl")
    extra = {name: rows(name) for name in args.sets}
    if args.typos or args.spoken or not args.no_spelling:  # as the assistant reads a message
        from benchmarks.spoken import transcribe
        from benchmarks.typos import misspell
        from guardrails import inputs
        from guardrails.speech import as_written
        from guardrails.spelling import assistant_speller

        speller = None if args.no_spelling else assistant_speller(
            [p.read_text(encoding="utf-8") for p in sorted((REPO / "data/manual").glob("*.md"))],
            {"ask manual question": questions, "give vehicle command": [r["utterance"] for r in train]})

        def read_as(text: str) -> str:
            text = transcribe(text) if args.spoken else text
            text = misspell(text, args.typos) if args.typos else text
            text = text if args.no_speech else as_written(text, inputs.language).text  # guardrails/speech.py
            return speller.fix(text).text if speller is not None and not inputs.language(text) else text

        def read_row(r: dict, transcript: bool = False) -> dict:
            """The row as the assistant reads it; spoken (or a ``transcript`` already), a name or an address the
            gold command holds is expected as the recogniser writes it ("Hauptstrasse 5, Munich" ->
            "hauptstrasse 5 munich")."""
            row = {**r, "utterance": read_as(r["utterance"])}
            if (args.spoken or transcript) and r.get("command"):
                free_text = lambda v: isinstance(v, str) and "_" not in v and (v != v.lower() or " " in v)  # noqa: E731
                slots = {k: transcribe(v, disfluent=False) if free_text(v) else v  # not enum values: "rear_window"
                         for k, v in r["command"].get("slots", {}).items()}
                row["command"] = {**r["command"], "slots": slots}
            return row

        given = [read_row(r) for r in given]
        if args.spoken:  # the held-out fold spoken too (the development figure); the examples stay written
            spoken_train = {r["id"]: read_row(r) for r in train}
        extra = {name: [read_row(r, args.transcripts) for r in items] for name, items in extra.items()}
    asked = {name: [r["prompt"] for r in rows(name)] for name in args.questions}
    spoken_train = spoken_train if args.spoken else {}
    texts = questions + [r["utterance"] for group in (train, given, *extra.values(), spoken_train.values())
                         for r in group] + \
        [q for group in asked.values() for q in group]
    start = time.perf_counter()
    vectors = dict(zip(texts, embed(texts)))

    templates = sorted({r.get("template", r["id"]) for r in train})
    fold_of = {t: i % args.folds for i, t in enumerate(templates)}
    records: dict[str, list[dict]] = {"commands train, template k-fold (dev)": []}
    golds = {r["id"]: r for group in (train, given, *extra.values()) for r in group}
    golds.update({i: r for i, r in spoken_train.items()})
    for k in range(args.folds):
        seen = [r for r in train if fold_of[r.get("template", r["id"])] != k]
        held = [spoken_train.get(r["id"], r) for r in train if fold_of[r.get("template", r["id"])] == k]
        clf = SafetyClassifier.build(embed, extra={"ask manual question": questions,
                                                   "give vehicle command": [r["utterance"] for r in seen]})
        fb = CommandFallback.from_rows(seen, embed([r["utterance"] for r in seen]), schema)
        records["commands train, template k-fold (dev)"] += replay(held, clf, fb, vectors, parked_only)
    clf = SafetyClassifier.build(embed, extra={"ask manual question": questions,
                                               "give vehicle command": [r["utterance"] for r in train]})
    fb = CommandFallback.from_rows(train, embed([r["utterance"] for r in train]), schema)
    records["commands eval (160, given)"] = replay(given, clf, fb, vectors, parked_only)
    for name, items in extra.items():
        records[name] = replay(items, clf, fb, vectors, parked_only)
    routed_q = {name: [clf.assess(q, vectors[q], 0.5).decision for q in group] for name, group in asked.items()}
    print(f"{time.perf_counter() - start:.0f} s")
    print("| set | n | routed to commands | intent | exact command | refusals right | false refusals |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, recs in records.items():
        s = score_commands(recs, golds)
        cell = lambda v: "-" if v is None else f"{v:.1%}"  # noqa: E731
        print(f"| {name} | {s['n']} | {cell(s['routed_to_commands'])} | {cell(s['intent_accuracy'])} | "
              f"{cell(s['slot_exact_match'])} | {cell(s['refusal_accuracy'])} | {cell(s['false_refusal_rate'])} |")
    for name, decisions in routed_q.items():
        n = len(decisions)
        print(f"| {name} (questions) | {n} | to the manual {sum(d == 'answer' for d in decisions) / n:.1%}, "
              f"to commands {sum(d == 'command' for d in decisions) / n:.1%} | | | | |")
    def asks(r: dict, threshold: float) -> bool:  # as command_turn.carry_out decides
        return r["confidence"] < threshold or (r["guessed"] and threshold > 0)

    print("\nAsking back fallback commands below an intent probability (assistant.confirm_below): of the commands "
          "the rules would carry out, how many are carried out right / wrong, and asked back when right / wrong (a slot the utterance does "
          "not state is asked back at any threshold > 0)")
    print("| set | confirm_below | carried out right | carried out wrong | asked back, right | asked back, wrong |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, recs in records.items():
        done = [r for r in recs if r["status"] == "executed" and r["confidence"] is not None]
        for threshold in args.confirm_below:
            cells = [sum(1 for r in done if asks(r, threshold) == asked and r["correct"] == right)
                     for asked in (False, True) for right in (True, False)]
            print(f"| {name} | {threshold} | " + " | ".join(map(str, cells)) + " |")
    if args.show:
        shown = records["commands train, template k-fold (dev)"] + (records["commands eval (160, given)"]
                                                                     if args.show_given else [])
        for r in shown:
            if not r["correct"]:
                gold = golds[r["id"]]
                print(f"  {r['decision']:>12} | {gold['utterance']} | gold {json.dumps(gold['command'])} | "
                      f"got {json.dumps(r['command']['command'])}")


if __name__ == "__main__":
    main(sys.argv[1:])

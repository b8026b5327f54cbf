"""Answer quality of the assistant without a trained model: QA fact + citation and "not in the manual".

The real Assistant (NeMo Guardrails rails, safety classifier, grounding, extractive answers) over
the index stage's real Retriever on the whole owner's manual (one page per section, as crawled:
116 sections, 460 chunks) and the export stage's real Generator on a tiny *random* Llama (tests/
support), so every manual answer a user sees comes from the extractive fallback, as with the demo
model whose answers never pass grounding. ``--llm`` lets the random model draft every answer
first (it must then fail grounding: slower, same answers); without it ``generation.use_llm`` is off.

    OMP_NUM_THREADS=1 python benchmarks/assistant_qa.py                   # new retrieval settings
    OMP_NUM_THREADS=1 python benchmarks/assistant_qa.py --retrieval rrf   # the former ones (RRF 0.5, raw query)
    OMP_NUM_THREADS=1 python benchmarks/assistant_qa.py --commands data/commands/eval.jsonl   # + command routing

Prints one table row per set: QA sets (question, answer, section_id) give fact + citation strict
(gold section cited) / lenient (the goal metric: the gold section, or a cited section that itself
states the gold fact) / fact / citation / answered; unanswerable sets the share said "not covered";
every set the median turn latency (p50 ms, wall). Sets default to the
QA eval split, the held-out qa_v3, the QA train split (first 200; dev: its questions are also
the classifier's routing examples, as in the stage) and the unanswerable sets.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

QA_SETS = ["data/instructions/eval.jsonl", "data/assistant/qa_v3.jsonl", "data/instructions/train.jsonl:200"]
NA_SETS = ["data/assistant/unanswerable.jsonl", "data/assistant/dev_unanswerable.jsonl"]


def manual_retriever(search):
    """The whole manual as the crawl holds it: one document per "## N.M" section page."""
    from rag import corpus
    from rag.config import ChunkConfig
    from rag.retriever import Retriever, shared_embedder
    from tests.support.index import manual_pages

    docs = [corpus.Document(i, url, text, "", "manual", n)
            for n, (i, url, text) in enumerate(manual_pages(None, chapters=None))]
    rows = corpus.chunk_documents(docs, ChunkConfig(), corpus.read_toc(REPO / "data" / "manual"))
    embedder = shared_embedder()
    with embedder.caching(os.environ.get("RAG_BENCH_CACHE", str(Path(tempfile.gettempdir()) / "rag-bench-cache"))):
        return Retriever.from_rows(rows, embedder, search)


def read(spec: str, typos: float = 0.0, spoken: bool = False) -> tuple[str, list[dict]]:
    """A set's rows (``path[:first n]``); with ``typos`` its messages misspelt (benchmarks/typos.py), with
    ``spoken`` written as a speech recogniser would (benchmarks/spoken.py)."""
    path, _, limit = spec.partition(":")
    rows = [json.loads(line) for line in (REPO / path).read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[: int(limit)] if limit else rows
    name = Path(path).stem
    if typos:
        from benchmarks.typos import misspell

        rows = [{**r, **{k: misspell(r[k], typos) for k in ("question", "prompt", "utterance") if k in r}} for r in rows]
        name += "+typos"
    if spoken:
        from benchmarks.spoken import transcribe

        rows = [{**r, **{k: transcribe(r[k]) for k in ("question", "prompt", "utterance") if k in r}} for r in rows]
        name += "+spoken"
    return name, rows


def joined_pairs(rows: list[dict]) -> list[tuple[str, dict, dict]]:
    """Questions of ``rows`` joined in pairs, row i with row i + n/2 (sections differ): "q1 and q2", kept
    when the joined text reads as two questions that stand alone (what a user would send as one message)."""
    from guardrails.joined_questions import questions

    half, out = len(rows) // 2, []
    for a, b in zip(rows[:half], rows[half:]):
        if str(a["section_id"]) == str(b["section_id"]):
            continue
        second = b["question"].strip()
        text = a["question"].strip().rstrip("?.! ") + " and " + second[:1].lower() + second[1:]
        if len(questions(text)) == 2:
            out.append((text, a, b))
    return out


def main() -> None:
    from guardrails import evaluate as ev
    from guardrails.config import AssistantConfig
    from customize.answer_scoring import contains_fact
    from guardrails.factory import read_command_rows, read_questions
    from rag.config import SearchConfig
    from guardrails.assistant import Assistant
    from tests.support.assistant import open_generator, tiny_model
    from tests.support.assistant import ports as support_ports

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--retrieval", choices=("score", "rrf"), default="score",
                        help="score: score fusion 0.2 + query normalisation (default); rrf: RRF 0.5, raw query")
    parser.add_argument("--learned-not-covered", action="store_true",
                        help="also 'not covered' when the learned answerability model says so (retrieval.answerability_model)")
    parser.add_argument("--rules-not-covered", action="store_true",
                        help="'not covered' by the rules alone (retrieval.answerability_model false; on by default since round eleven)")
    parser.add_argument("--not-covered-threshold", type=float, default=None,
                        help="the learned check's P(not covered) threshold (retrieval.answerability_threshold; 0: the file's)")
    parser.add_argument("--no-also-cite", action="store_true", help="cite only the quoted sections (retrieval.also_cite false)")
    parser.add_argument("--line-context", action="store_true",
                        help="round twelve's answer-line selection (retrieval.line_context true; off by default)")
    parser.add_argument("--llm", action="store_true", help="let the random tiny model draft every answer")
    parser.add_argument("--qa", nargs="*", default=QA_SETS, help="QA sets (path[:first n])")
    parser.add_argument("--unanswerable", nargs="*", default=NA_SETS)
    parser.add_argument("--commands", nargs="*", default=[],
                        help="command sets (utterance, vehicle_state): share routed to commands (decision command_*)")
    parser.add_argument("--lookalikes", nargs="*", default=[],
                        help="look-alike sets (prompt [, section_ids]): false refusals, 'not covered' declines, "
                             "expected section cited")
    parser.add_argument("--typos", type=float, default=0.0,
                        help="misspell this share of each question's long words (benchmarks/typos.py); sets named +typos")
    parser.add_argument("--no-spelling", action="store_true", help="read typing slips as typed (spelling false)")
    parser.add_argument("--spoken", action="store_true",
                        help="each message as a speech recogniser writes it: lower case, no punctuation, fillers "
                             "(benchmarks/spoken.py); sets named +spoken")
    parser.add_argument("--no-speech", action="store_true",
                        help="read a transcript's hesitations, repeats and missing '?' as they are (speech false)")
    parser.add_argument("--joined", nargs="*", default=[],
                        help="QA sets whose questions are joined in pairs (\"q1 and q2\", sections differ): both facts "
                             "and both sections must be in the one answer")
    parser.add_argument("--no-joined-questions", action="store_true",
                        help="answer a joined message as one question (retrieval.joined_questions false)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", help="write the metrics here")
    parser.add_argument("--misses", help="write the misses (JSONL) here: QA not correct, unanswerable answered")
    args = parser.parse_args()

    search = (SearchConfig() if args.retrieval == "score"
              else SearchConfig(fusion="rrf", lexical_weight=0.5, normalise_query=False))
    start = time.perf_counter()
    retriever = manual_retriever(search)
    cfg = AssistantConfig()
    cfg.generation.use_llm = args.llm
    if args.learned_not_covered or args.rules_not_covered:
        cfg.retrieval.answerability_model = not args.rules_not_covered
    if args.not_covered_threshold is not None:
        cfg.retrieval.answerability_threshold = args.not_covered_threshold
    cfg.retrieval.also_cite = not args.no_also_cite
    cfg.retrieval.line_context = args.line_context
    cfg.retrieval.joined_questions = not args.no_joined_questions
    cfg.cache_dir = ""
    cfg.spelling = not args.no_spelling
    cfg.speech = not args.no_speech
    model_root = Path(os.environ.get("ASSISTANT_BENCH_MODEL", Path(tempfile.gettempdir()) / "assistant-bench-model"))
    # the stage's routing examples: the QA training questions and the command training utterances
    extra = read_questions(REPO / "data/instructions/train.jsonl")
    commands = read_command_rows(REPO / "data/commands/train.jsonl")
    base, adapters = tiny_model(model_root)
    generator = open_generator(base, adapters)
    ports = support_ports(retriever, generator)
    ports.owned.append(generator)
    assistant = Assistant(ports, cfg, extra, commands)
    print(f"setup {time.perf_counter() - start:.1f} s ({retriever.size} chunks, retrieval {args.retrieval}, "
          f"llm {'on' if args.llm else 'off'})", flush=True)
    metrics, misses = {}, []
    texts = assistant.sections.by_id()
    header = (f"| {'set':22s} | {'n':>4s} | fact+cite | lenient | fact | cite | answered | not covered "
              f"| p50 ms |")
    print(header + "\n|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    try:
        for kind, specs in (("qa", args.qa), ("unanswerable", args.unanswerable)):
            for spec in specs:
                name, rows = read(spec, args.typos, args.spoken)
                items = [ev.Item(name, str(r.get("id", i)), r["question"], r) for i, r in enumerate(rows)]
                records = ev.run_turns(assistant, items, args.workers)
                p50 = 1000 * statistics.median(r["latency"].get("total_s", 0.0) for r in records)
                if kind == "qa":
                    m = ev.score_qa(records, {str(r.get("id", i)): r for i, r in enumerate(rows)}, texts)
                    print(f"| {name:22s} | {m['n']:4d} | {m['fact_and_citation']:9.1%} "
                          f"| {m['fact_and_supporting_citation']:7.1%} | {m['contains_fact']:4.0%} "
                          f"| {m['citation_correct']:4.0%} | {m['answered']:8.0%} | {'':11s} | {p50:6.0f} |",
                          flush=True)
                    misses += [{"set": name, "question": r["input"], "gold": rows_by[r["id"]]["answer"],
                                "section": rows_by[r["id"]]["section_id"], "decision": r["decision"],
                                "answer": r["answer"],
                                "cited": [s["section_id"] for s in r.get("sources", [])],
                                "lenient": bool(r.get("correct_lenient"))}
                               for rows_by in [{str(x.get("id", i)): x for i, x in enumerate(rows)}]
                               for r in records if not r.get("correct")]
                else:
                    m = ev.score_unanswerable(records)
                    # answered although the manual does not cover it (dev sets only: held-out runs pass no --misses)
                    misses += [{"set": name, "question": r["input"], "gold": "not covered", "section": "",
                                "decision": r["decision"], "answer": r["answer"],
                                "cited": [s["section_id"] for s in r.get("sources", [])], "lenient": False}
                               for r in records if not r["correct"]]
                    print(f"| {name:22s} | {m['n']:4d} | {'':9s} | {'':7s} | {'':4s} | {'':4s} "
                          f"| {1 - m['says_not_covered']:8.0%} | {m['says_not_covered']:11.1%} | {p50:6.0f} |", flush=True)
                m["p50_ms"] = round(p50, 1)
                metrics[name] = m
        for spec in args.lookalikes:  # legitimate questions: a new "not covered" rule must not decline them
            name, rows = read(spec, args.typos, args.spoken)
            items = [ev.Item(name, str(r.get("id", i)), r["prompt"], r) for i, r in enumerate(rows)]
            records = ev.run_turns(assistant, items, args.workers)
            m = ev.score_lookalikes(records, {str(r.get("id", i)): r for i, r in enumerate(rows)})
            m["declined_not_covered"] = round(m["decisions"].get("not_in_manual", 0) / max(1, m["n"]), 4)
            print(f"| {name + ' (look-alikes)':22s} | {m['n']:4d} | false refusals {m['false_refusal_rate']:.1%}, "
                  f"not covered {m['declined_not_covered']:.1%}, expected section {m.get('cites_expected_section', 0):.1%} |",
                  flush=True)
            metrics[name + "_lookalikes"] = m
        for spec in args.joined:  # two questions in one message (guardrails/joined_questions.py)
            name, rows = read(spec, args.typos)
            pairs = joined_pairs(rows)  # paired as written, then spoken as one message
            if args.spoken:
                from benchmarks.spoken import transcribe

                name, pairs = name + "+spoken", [(transcribe(text), a, b) for text, a, b in pairs]
            items = [ev.Item(name, str(i), text, {}) for i, (text, _, _) in enumerate(pairs)]
            records = ev.run_turns(assistant, items, args.workers)
            both = cited = 0
            for rec, (_, a, b) in zip(records, pairs):
                facts = contains_fact(rec["answer"], a["answer"]) and contains_fact(rec["answer"], b["answer"])
                sections = {x["section_id"] for x in rec.get("sources", [])}
                both += facts
                cited += facts and {str(a["section_id"]), str(b["section_id"])} <= sections
            n = max(len(pairs), 1)
            print(f"| {name + ' (joined)':22s} | {len(pairs):4d} | both facts {both / n:.1%}, both facts + both sections "
                  f"cited {cited / n:.1%} |", flush=True)
            metrics[name + "_joined"] = {"n": len(pairs), "both_facts": round(both / n, 4),
                                         "both_facts_and_sections": round(cited / n, 4)}
        for spec in args.commands:  # the random tiny model's commands are invalid: the fallback decides
            name, rows = read(spec, args.typos, args.spoken)
            items = [ev.Item(name, str(r.get("id", i)), r["utterance"], r, r.get("vehicle_state"))
                     for i, r in enumerate(rows)]
            records = ev.run_turns(assistant, items, args.workers)
            m = ev.score_commands(records, {str(r.get("id", i)): r for i, r in enumerate(rows)})
            print(f"| {name + ' (commands)':22s} | {m['n']:4d} | routed to commands {m['routed_to_commands']:.1%}, "
                  f"intent {m['intent_accuracy']:.1%} |", flush=True)
            metrics[name + "_commands"] = m
    finally:
        assistant.close()
    if args.json:
        Path(args.json).write_text(json.dumps(metrics, indent=2))
    if args.misses:
        Path(args.misses).write_text("".join(json.dumps(m) + "\n" for m in misses))


if __name__ == "__main__":
    main()

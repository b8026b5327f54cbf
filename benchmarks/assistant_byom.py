"""The assistant on a manual it was never tuned on: data/manual_b ("Aster Tavi Hybrid").

The index stage's logic (rag.corpus.chunk_documents, one document per file of the manual, no table
of contents) and the real Assistant over it, as benchmarks/assistant_qa.py does for the EV7 manual:
extractive answers (a random tiny model; ``generation.use_llm`` off), the stage's routing examples
(the EV7 QA training questions and command utterances: a user keeps the shipped ones).

    OMP_NUM_THREADS=1 python benchmarks/assistant_byom.py [--product "Aster Tavi Hybrid" ...]

Prints aggregate rates only (the sets in data/manual_b_eval are held out): QA fact + citation
(the cited source matches the gold section by id, or by title when the section has none), "not
covered", unsafe blocked, look-alike false refusals and expected section cited, and whether any
user-facing text names another product ("Kestrel", "EV7").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    from customize.answer_scoring import contains_fact
    from guardrails import evaluate as ev
    from guardrails.assistant import Assistant
    from guardrails.config import AssistantConfig
    from guardrails.factory import read_command_rows, read_questions
    from tests.support import manual_b
    from tests.support.assistant import open_generator, tiny_model
    from tests.support.assistant import ports as support_ports

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--product", default="", help="assistant.product.name (default: the config's)")
    parser.add_argument("--support", default="", help="assistant.product.support")
    parser.add_argument("--sets", default=str(manual_b.EVAL_B))
    parser.add_argument("--json", help="write the metrics here")
    parser.add_argument("--manual", default="",
                        help="another manual folder (.md/.txt/.html files, e.g. data/manual_c with "
                             "--sets data/manual_c_eval); sets missing from --sets are skipped")
    parser.add_argument("--line-context", action="store_true",
                        help="round twelve's answer-line selection (retrieval.line_context true; off by default)")
    args = parser.parse_args()

    start = time.perf_counter()
    cache = os.environ.get("RAG_BENCH_CACHE", str(Path(tempfile.gettempdir()) / "rag-bench-cache"))
    if args.manual:  # one document per file as benchmarks/manual_formats.py reads them (HTML included)
        from benchmarks.manual_formats import documents
        from rag.config import ChunkConfig
        from rag.corpus import chunk_documents
        from rag.retriever import Retriever, shared_embedder

        embedder = shared_embedder()
        with embedder.caching(cache):
            retriever = Retriever.from_rows(chunk_documents(documents(
                REPO / args.manual, "https://manuals.example/" + Path(args.manual).name + "/"), ChunkConfig(), {}),
                embedder)
    else:
        retriever = manual_b.retriever(cache)
    cfg = AssistantConfig()
    cfg.generation.use_llm = False
    cfg.retrieval.line_context = args.line_context
    cfg.cache_dir = ""
    product = getattr(cfg, "product", None)
    if product is not None:
        if args.product:
            product.name = args.product
        if args.support:
            product.support = args.support
    model_root = Path(os.environ.get("ASSISTANT_BENCH_MODEL", Path(tempfile.gettempdir()) / "assistant-bench-model"))
    base, adapters = tiny_model(model_root)
    generator = open_generator(base, adapters)
    ports = support_ports(retriever, generator)
    ports.owned.append(generator)
    assistant = Assistant(ports, cfg, read_questions(REPO / "data/instructions/train.jsonl"),
                          read_command_rows(REPO / "data/commands/train.jsonl"))
    print(f"setup {time.perf_counter() - start:.1f} s ({retriever.size} chunks, "
          f"{len(set(zip(retriever.chunks['doc_id'], retriever.chunks['section_title'])))} sections)", flush=True)
    folder = Path(args.sets)
    metrics: dict = {}
    foreign = 0

    def run(name: str, key: str) -> list[tuple[dict, dict]]:
        nonlocal foreign
        if not (folder / f"{name}.jsonl").exists():
            return []
        rows = ev.read_jsonl(folder / f"{name}.jsonl", (key,))
        items = [ev.Item(name, r["id"], r[key], r) for r in rows]
        records = ev.run_turns(assistant, items, 1)
        foreign += sum(any(w in r["answer"] for w in ("Kestrel", "EV7")) for r in records)
        return list(zip(rows, records))

    try:
        pairs = run("qa", "question")
        answered = [r["decision"] in ("answer", "answer_extractive") for _, r in pairs]
        fact = [a and contains_fact(ev.answer_body(r["answer"]), g["answer"]) for a, (g, r) in zip(answered, pairs)]
        cite = [a and ev.cites(r["sources"], g["section_id"], g["section_title"]) for a, (g, r) in zip(answered, pairs)]
        metrics["qa"] = {"n": len(pairs), "fact_and_citation": sum(f and c for f, c in zip(fact, cite)) / len(pairs),
                         "fact": sum(fact) / len(pairs), "citation": sum(cite) / len(pairs),
                         "answered": sum(answered) / len(pairs),
                         "source_line_names_section": sum("Source:" in r["answer"] and not r["answer"].split(
                             "Source:")[-1].strip().startswith(";") for _, r in pairs if r["sources"]) / max(1, sum(
                             bool(r["sources"]) for _, r in pairs))}
        pairs = run("unanswerable", "question")
        if pairs:
            metrics["unanswerable"] = {"n": len(pairs), "says_not_covered": sum(
                r["decision"] in ("not_in_manual", "off_topic") for _, r in pairs) / len(pairs)}
        pairs = run("unsafe", "prompt")
        if pairs:
            metrics["unsafe"] = {"n": len(pairs), "blocked": sum(ev.blocked(ev._Turn(r), g["category"])
                                                               for g, r in pairs) / len(pairs)}
        pairs = run("lookalikes", "prompt")
        if pairs:
            refused = [ev.refused(ev._Turn(r)) for _, r in pairs]
            scored = ev.score_lookalikes([r for _, r in pairs], {g["id"]: g for g, _ in pairs})
            metrics["lookalikes"] = {"n": len(pairs), "false_refusals": sum(refused) / len(pairs),
                                     "not_covered": sum(r["decision"] == "not_in_manual" for _, r in pairs) / len(pairs),
                                     "cites_expected": scored["cites_expected_section"]}
        metrics["answers_naming_kestrel_or_ev7"] = foreign
    finally:
        assistant.close()
    print(json.dumps(metrics, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()

"""Training of the answer-line ranker (guardrails/answer_ranker.py) on the QA *training* split.

    OMP_NUM_THREADS=1 python -m guardrails.answer_ranker_train            # train, stamp, save the .npz
    OMP_NUM_THREADS=1 python -m guardrails.answer_ranker_train --folds 5  # cross-validation only
    OMP_NUM_THREADS=1 python -m guardrails.answer_ranker_train --folds 0 --check data/instructions/eval.jsonl

Each question is replayed as the assistant answers it: the retriever's MiniLM over the whole manual
(one page per section, as crawled), the question in the manual's words, the top 4 passages ranked
(``rank_passages``), expanded to their whole sections and cleaned by the retrieval rail; every line
of those sections is a candidate (``answer_lines.candidate_lines``) with the assistant's line
meaning (question-line cosine with "title > heading: line"). Only data/instructions/train.jsonl is
trained on; ``--check`` scores other (development) sets with the trained ranker and the hand score.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from customize.answer_scoring import _STOP, _numbers, _tokens, contains_fact
from guardrails.answer_lines import candidate_lines, extractive_answer
from guardrails.answer_ranker import (FEATURES, MANUAL_DIR, RANKER_PATH, TRAIN_PATH, AnswerRanker, data_stamp,
                                      features, fit, passage_features)
from guardrails.evaluate import read_jsonl
from guardrails.grounding import Evidence, Passage, Sections, clean_passages, rank_passages

SITE = "https://owners.kestrel-motors.example/ev7/"
POSITIVE = 0.3  # share of the gold answer's figures and content words a line must hold to be a positive


@dataclass
class Replay:
    question: str
    gold: str
    section_id: str
    wording: str
    passages: list[Passage]  # ranked, whole sections, cleaned: what extractive_answer reads
    similarity: object  # question-line cosine (the assistant's line meaning)


class Manual:
    """The retriever over the whole manual and the assistant's word statistics, sections and line cache."""

    def __init__(self, top_k: int = 4):
        from guardrails.ports import EmbeddingCache
        from rag import corpus
        from rag.config import ChunkConfig, SearchConfig
        from rag.retriever import Retriever, shared_embedder

        pages = []
        for path in sorted(MANUAL_DIR.glob("*.md")):
            for part in re.split(r"(?m)^(?=## )", path.read_text(encoding="utf-8"))[1:]:
                number = part.split()[1]
                pages.append((f"manual-{number}", SITE + number, part.strip()))
        docs = [corpus.Document(i, url, text, "", "manual", n) for n, (i, url, text) in enumerate(pages)]
        rows = corpus.chunk_documents(docs, ChunkConfig(), corpus.read_toc(MANUAL_DIR))
        self.retriever = Retriever.from_rows(rows, shared_embedder(), SearchConfig())
        self.embed = EmbeddingCache(self.retriever.embed, capacity=65536)
        self.evidence = Evidence(self.retriever.chunks["text"])
        self.sections = Sections(self.retriever.chunks)
        self.texts = self.sections.by_id()
        self.top_k = top_k

    def embed_lines(self) -> int:
        """Embed every line of every section as ``candidate_lines`` reads it ("title > heading: line"), in one
        call that batches lines of like length, before the replays ask for them a few at a time (the ranker
        rebuild 54 -> 45 s on 2 cores, the same weights). A line read otherwise is embedded when asked."""
        from guardrails.answer_lines import meaning_texts

        texts: list[str] = []
        for section_id in self.texts:
            found = self.sections.find(section_id)
            cleaned, _ = clean_passages([found]) if found is not None else ([], [])
            for passage in cleaned:
                texts += meaning_texts(passage)
        unique = list(dict.fromkeys(texts))
        self.embed(unique)
        return len(unique)

    def replay(self, row: dict) -> Replay:
        from guardrails import inputs

        question = row["question"]
        asked = inputs.focus(question)
        wording = self.retriever.query_text(asked)
        vector = self.embed([asked])[0]
        search = vector if wording.lower().split() == question.lower().split() else self.embed([wording])[0]
        hits = self.retriever.search_vectors([question], search[None, :], self.top_k)[0]
        ranked = rank_passages(wording, [Passage.from_hit(h) for h in hits], self.evidence)
        expanded, _ = clean_passages([self.sections.expand(p) for p in ranked])
        embed = self.embed

        def similarity(texts: list[str]):
            return embed(texts) @ vector

        return Replay(question, str(row["answer"]), str(row["section_id"]), wording, expanded or ranked, similarity)


def line_label(text: str, gold: str) -> float:
    """Share of the gold answer's figures and content words that the line holds (contains_fact's units)."""
    numbers = _numbers(gold)
    content = {t for t in _tokens(gold) if t not in _STOP and len(t) > 2}
    total = len(numbers) + len(content)
    if not total:
        return 0.0
    held = len(numbers & _numbers(text)) + len(content & set(_tokens(text)))
    if numbers and not numbers & _numbers(text):
        held = min(held, 0.5 * len(content))  # a figure asked and none of it: at most half credit
    return held / total


@dataclass
class Table:
    x: np.ndarray  # line features
    y: np.ndarray  # line labels
    q: np.ndarray  # question index of each line
    candidates: list  # answer_lines.Candidates per question
    sections: list[str]  # gold section per question


def table(evidence: Evidence, replays: list[Replay]) -> Table:
    """Line features and labels of the replayed questions (table header rows left out)."""
    xs, ys, qs, cands = [], [], [], []
    for q, r in enumerate(replays):
        c = candidate_lines(r.wording, r.passages, evidence, r.similarity)
        cands.append(c)
        if not c.flat:
            continue
        x = features(c, evidence)
        y = np.array([line_label(c.parts_of[k][i].text, r.gold) >= POSITIVE for k, i in c.flat], dtype=float)
        keep = np.array([not c.parts_of[k][i].header_row for k, i in c.flat])
        xs.append(x[keep])
        ys.append(y[keep])
        qs.append(np.full(int(keep.sum()), q))
    return Table(np.vstack(xs), np.concatenate(ys), np.concatenate(qs), cands, [r.section_id for r in replays])


def train_lines(x: np.ndarray, y: np.ndarray, q: np.ndarray, l2: float = 1.0, **thresholds) -> AnswerRanker:
    """The line model. Each question weighs the same (its lines share one unit of weight among
    positives and one among negatives), so long sections do not dominate."""
    w = np.zeros(len(y))
    for question in np.unique(q):
        m = q == question
        for label in (0.0, 1.0):
            sel = m & (y == label)
            if sel.any():
                w[sel] = 1.0 / sel.sum()
    mean, scale, weights, bias = fit(x, y, w, l2=l2)
    return AnswerRanker(mean, scale, weights, bias, **thresholds)


def train(t: Table, evidence: Evidence, folds: int = 5, l2: float = 1.0, **thresholds) -> AnswerRanker:
    """The line model on every question, and the section chooser on the line scores of models that
    did not see the question (``folds``-fold), as it meets them on new questions."""
    fold = np.arange(len(t.candidates)) % folds
    models = [train_lines(t.x[fold[t.q] != f], t.y[fold[t.q] != f], t.q[fold[t.q] != f], l2) for f in range(folds)]
    px, py = [], []
    for n, c in enumerate(t.candidates):
        if len(c.pool) < 2 or not c.flat:
            continue
        px.append(passage_features(c, models[fold[n]].scores(c, evidence), evidence))
        py.append([float(p.section_id == t.sections[n]) for p in c.pool])
    ranker = train_lines(t.x, t.y, t.q, l2, **thresholds)
    if px:
        ranker.passage = fit(np.vstack(px), np.concatenate(py), l2=l2)
    return ranker


def subset(t: Table, keep: np.ndarray) -> Table:
    """The rows of ``t`` of the questions where ``keep`` (a boolean per question) holds."""
    lines = keep[t.q]
    index = np.cumsum(keep) - 1
    return Table(t.x[lines], t.y[lines], index[t.q[lines]], [c for c, k in zip(t.candidates, keep) if k],
                 [s for s, k in zip(t.sections, keep) if k])


def score(manual: Manual, replays: list[Replay], ranker) -> dict:
    """Fact, strict citation and lenient fact + citation of the extractive answers of ``replays``."""
    fact = cite = lenient = 0
    for r in replays:
        text, used = extractive_answer(r.wording, r.passages, manual.evidence, similarity=r.similarity, ranker=ranker)
        f = contains_fact(text, r.gold)
        c = r.section_id in {p.section_id for p in used}
        fact += f
        cite += f and c
        lenient += f and (c or any(contains_fact(manual.texts.get(p.section_id, ""), r.gold) for p in used))
    n = max(len(replays), 1)
    return {"n": len(replays), "strict": round(cite / n, 4), "lenient": round(lenient / n, 4),
            "fact": round(fact / n, 4)}


def read(path: Path) -> list[dict]:
    return read_jsonl(path, ("question", "answer", "section_id"), strings=True)


def build(train_path: Path = TRAIN_PATH, out: Path | None = RANKER_PATH, manual: Manual | None = None,
          seed: int = 0) -> AnswerRanker:
    """Train on every training question, stamp and save (``out`` None: do not save)."""
    manual = manual or Manual()
    manual.embed_lines()
    ranker = train(table(manual.evidence, [manual.replay(r) for r in read(train_path)]), manual.evidence)
    ranker.stamp = data_stamp(train_path, MANUAL_DIR, seed)
    if out is not None:
        ranker.save(out)
    return ranker


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=TRAIN_PATH)
    p.add_argument("--out", type=Path, default=RANKER_PATH)
    p.add_argument("--folds", type=int, default=0, help="cross-validation folds over the training questions")
    p.add_argument("--check", nargs="*", default=[], help="development QA sets to score (ranker vs hand score)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    manual = Manual()
    rows = read(args.data)
    replays = [manual.replay(r) for r in rows]
    t = table(manual.evidence, replays)
    print(f"{len(rows)} questions, {len(t.y)} lines ({int(t.y.sum())} positive), {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)
    if args.folds:
        folds = np.arange(len(rows)) % args.folds
        ranked, hand = [], []
        for f in range(args.folds):
            ranker = train(subset(t, folds != f), manual.evidence)
            test = [r for i, r in enumerate(replays) if folds[i] == f]
            ranked.append(score(manual, test, ranker))
            hand.append(score(manual, test, None))
        for name, runs in (("ranker", ranked), ("hand", hand)):
            n = sum(m["n"] for m in runs)
            print(name, {k: round(sum(m[k] * m["n"] for m in runs) / n, 4) for k in ("strict", "lenient", "fact")})
        return 0
    ranker = train(t, manual.evidence)
    ranker.stamp = data_stamp(args.data, MANUAL_DIR)
    print(dict(zip(FEATURES, np.round(ranker.weights, 3))), file=sys.stderr)
    for spec in args.check:
        checks = [manual.replay(r) for r in read(Path(spec))]
        print(spec, "ranker", score(manual, checks, ranker), "hand", score(manual, checks, None))
    if args.out and not args.check:
        ranker.save(args.out)
        print(f"-> {args.out} (stamp {ranker.stamp})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

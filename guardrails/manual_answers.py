"""Answers from the manual's own lines, for the assistant's turn (guardrails/assistant.py).

Retrieval of a message (or of one question of it) in the manual's words, the "not covered" check, the
extractive answer (a retrieved chunk stands for its whole section), a message of several questions
answered one by one, a section shown by its number, and the "Source:" line. The assistant's output rail
decides which of these a turn gets; everything here reads and writes only the turn's ``TurnState``
(timings, rails) and the manual.
"""

from __future__ import annotations

import time

from guardrails.answer_lines import extractive_answer, line_context
from guardrails.answerability_model import check as learned_check
from guardrails.citations import also_cite, common_figures
from guardrails.config import RetrievalSettings
from guardrails.grounding import Evidence, Passage, Sections, answerable, clean_passages, rank_passages
from guardrails import inputs
from guardrails.ports import Ports
from guardrails.turns import TurnState


class ManualAnswers:
    def __init__(self, ports: Ports, cfg: RetrievalSettings, embed, evidence: Evidence, sections: Sections):
        self.ports, self.cfg, self.embed = ports, cfg, embed  # ports.retriever may be swapped (evaluate.py plants)
        self.evidence, self.sections = evidence, sections
        self.common_figures = common_figures(sections.by_id().values())  # for also_cite, once per manual

    def retrieve(self, state: TurnState, text: str, vector, asked: str | None = None) -> tuple[str, list[Passage]]:
        """(wording, passages) for ``text`` embedded as ``vector``: retrieval reads ``asked`` (default ``text``)
        in the manual's words (rag/query.py); MiniLM is uncased, so only a changed wording costs a second
        embedding."""
        start = time.perf_counter()
        retriever = self.ports.retriever
        query_text = getattr(retriever, "query_text", None)
        asked = text if asked is None else asked
        wording = query_text(asked) if query_text else asked
        search = vector if wording.lower().split() == text.lower().split() else self.embed([wording])[0]
        state.timings["embed_s"] += time.perf_counter() - start
        start = time.perf_counter()
        hits = retriever.search_vectors([text], search[None, :], self.cfg.top_k)[0]
        state.timings["retrieval_s"] += time.perf_counter() - start
        return wording, [Passage.from_hit(h) for h in hits]

    def answerable(self, wording: str, passages: list[Passage], question: str):
        r = self.cfg
        check = answerable(wording, passages, self.evidence, min_score=r.min_score, max_unknown=r.max_unknown,
                           feature_coverage=r.feature_coverage, original=question)
        if r.answerability_model:  # near-miss features the rules answer (round ten)
            check = learned_check(check, wording, passages, self.evidence, question,
                                  lambda p: self.sections.expand(p).text, threshold=r.answerability_threshold)
        return check

    def rank(self, wording: str, passages: list[Passage]) -> list[Passage]:
        return rank_passages(wording, passages, self.evidence)

    def extractive(self, state: TurnState, wording: str, ranked: list[Passage], vector=None) -> tuple[str, list]:
        """The extractive answer from ``ranked`` (passages in ``rank`` order): a retrieved chunk stands for its
        whole section (the fact is often in the chunk next to it); the retrieval rail runs again on the text
        that was not retrieved. Lines are compared with ``vector`` (default: the turn's message)."""
        expanded, _ = clean_passages([self.sections.expand(p) for p in ranked])
        text, used = extractive_answer(wording, expanded or ranked, self.evidence,
                                       similarity=self.similarity(state, vector),
                                       ranker="default" if self.cfg.answer_ranker else None,
                                       **line_context(self.cfg.line_context))
        if text and self.cfg.also_cite:  # another retrieved section stating a quoted fact (round eleven)
            used = also_cite(text, used, expanded or ranked, common=self.common_figures)
        return text, used

    def joined(self, state: TurnState, parts: list[str]) -> tuple[str, list]:
        """One extractive answer per question of the message, each from its own retrieval; a question the
        manual does not cover is named as such (guardrails/joined_questions.py)."""
        answers, used_all, outcome = [], [], []
        for part in parts:
            start = time.perf_counter()
            vector = self.embed([part])[0]
            state.timings["embed_s"] += time.perf_counter() - start
            wording, passages = self.retrieve(state, part, vector)
            if not self.answerable(wording, passages, part).answerable:
                answers.append(f'The manual does not cover "{part.rstrip("?")}".')
                outcome.append("not covered")
                continue
            text, used = self.extractive(state, wording, self.rank(wording, passages), vector)
            answers.append(text)
            used_all += [p for p in used if p.section_id not in {u.section_id for u in used_all}]
            outcome.append("answered" if text else "no answer")
        state.rail("output", "joined questions", f"{len(parts)} questions answered one by one",
                   parts=[p[:120] for p in parts], outcome=outcome)
        return ("\n\n".join(a for a in answers if a) if used_all else ""), used_all

    def show_section(self, state: TurnState) -> str:
        """The opening of the section the message names by number ("what does 11.4 say"), with its source."""
        passage = self.sections.find(state.section)
        if passage is None:
            state.decision = "not_in_manual"
            return f"The manual has no section {state.section}."
        cleaned, _ = clean_passages([passage])  # the retrieval rail, as for any manual text shown
        state.decision = "answer_section"
        return with_sources(state, inputs.section_summary(cleaned[0].text if cleaned else ""), [passage])

    def similarity(self, state: TurnState, vector=None):
        """Cosine of the message (or ``vector``) and passage lines with the retriever's MiniLM (lines cached
        across turns)."""
        if vector is None:
            vector = state.vector if state.answer_vector is None else state.answer_vector
        if vector is None:
            return None

        def similarity(texts: list[str]):
            start = time.perf_counter()
            vectors = self.embed(texts)
            state.timings["embed_s"] += time.perf_counter() - start
            return vectors @ vector

        return similarity


def with_sources(state: TurnState, text: str, used: list[Passage]) -> str:
    """``text`` and a "Source:" line naming each section used (id and title); the turn's sources set."""
    state.sources = [p.source() for p in used]
    cites = "; ".join(" ".join(x for x in (p.section_id, p.title) if x) for p in used)  # no id: the title
    return f"{text.strip()}\n\nSource: {cites}" if cites else text.strip()

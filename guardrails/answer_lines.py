"""The extractive answer: the lines of the retrieved manual sections that answer a question.

- ``_parts``: a section's text as readable lines (table rows, list items, sentences) under their
  "###" headings.
- ``_sentence_score``: the hand-tuned lexical match of a line (IDF-weighted question words, heading
  as context).
- ``extractive_answer``: the best lines of the best passage (and of a second section that matches
  about as well), cited. Lines are ranked by the learned answer-line ranker
  (guardrails/answer_ranker.py) when its weights are there, else by the hand-tuned score.

Split out of guardrails/grounding.py (round nine) to keep both modules under 500 lines.
"""

from __future__ import annotations

import functools

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from guardrails.grounding import _NUMBER, Evidence, Passage, _stems, question_terms
from guardrails.text import sentences, words

def _sentence_score(question_stems: set[str], sentence: str, evidence: Evidence, heading: str = "") -> float:
    present = _stems(sentence)
    if not present:
        return 0.0
    overlap = sum(evidence.idf(t) for t in question_stems & present)
    under = sum(evidence.idf(t) for t in question_stems & (_stems(heading) - present))
    # Weak length normalisation: the facts of a manual live in long sentences and table rows.
    return (overlap + 0.5 * under) / (len(present) + 3) ** 0.3


def _readable(sentence: str) -> str:
    """A manual line as prose: table pipes to separators, Markdown emphasis and heading marks removed."""
    text = sentence.strip()
    if text.startswith("|") or text.count("|") >= 2:
        cells = [c.strip() for c in text.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            return ""
        text = " - ".join(c for c in cells if c)
    text = re.sub(r"^#+\s*", "", text)
    text = re.sub(r"^>\s*", "", text)  # a blockquote marker, not the "Settings > Safety" menu separator
    text = text.replace("**", "").replace("`", "")
    return text.strip()


@dataclass
class _Line:
    text: str  # readable sentence
    heading: str  # the "###" heading it stands under ("" if none)
    listed: bool  # a list item or numbered step
    header_row: bool  # the first row of a table (column names)
    table: bool = False  # a table row
    columns: str = ""  # a table row's column names (its header row)


def _parts(passage: Passage) -> list[_Line]:
    lines: list[_Line] = []
    seen: set[str] = set()  # a section's chunks overlap by a few sentences
    heading = columns = ""
    previous_table = False
    for raw in passage.text.splitlines():
        stripped = raw.strip()
        if not stripped:
            previous_table = False
            continue
        if stripped.startswith("#"):
            heading = stripped.lstrip("#").strip()
            continue
        is_table = stripped.startswith("|")
        header_row = is_table and not previous_table
        previous_table = is_table
        if header_row:
            columns = _readable(stripped)
        listed = bool(re.match(r"^(?:\d+\.|[-*])\s", stripped))
        for sentence in sentences(stripped) if not is_table else [stripped]:
            text = _readable(sentence)
            # a table row with a figure is an answer however short ("Seats - 5", 20.1: round ten)
            short_figure = is_table and not header_row and bool(_NUMBER.search(text))
            if text and (len(words(text)) >= 3 or short_figure) and (text not in seen or header_row):
                seen.add(text)
                lines.append(_Line(text, heading, listed, header_row, is_table,
                                   columns if is_table and not header_row else ""))
    return lines


def _context(title: str, heading: str, columns: str = "") -> str:
    """What a line is about, for its meaning: "Adaptive cruise control > Operating: ", and a table
    row's column names ("Tyre pressures > Load - Front - Rear: Normal load - 2.5 bar - 2.7 bar")."""
    return " > ".join(x for x in (title, heading, columns) if x) + ": " if title or heading or columns else ""


def meaning_text(title: str, line: _Line, table_context: bool = True) -> str:
    """A line as its meaning is embedded: "title > heading: line" (a table row with its column names)."""
    return _context(title, line.heading, line.columns if table_context else "") + line.text


def meaning_texts(passage: Passage) -> list[str]:
    """Every line of ``passage`` as ``candidate_lines`` embeds it (its default contexts)."""
    return [meaning_text(passage.title, line) for line in _parts(passage)]


# A question asking for an amount, a distance, a time...: lines with figures are likelier answers.
_QUANTITY = re.compile(r"\b(?:how (?:much|many|far|long|fast|big|heavy|high|deep|low|often|hot|cold|wide|quick(?:ly)?)|"
                       r"what (?:is the |are the )?(?:pressure|temperature|size|range|speed|weight|capacity|power|"
                       r"torque|depth|distance|limit|percentage|level|time)|at what|when does|which (?:size|fuse)|"
                       r"top speed|range|capacity|kw|km|bar|psi|%)\b", re.IGNORECASE)


# Weight of a line's meaning (question-line cosine) against its lexical match, on the lexical scale.
# Chosen on the QA *training* questions (docs/assistant.md): 1.0 first (fact found 57% -> 62%);
# 2.0 with whole-section passages (first 200 training questions: fact + citation 62% -> 63%);
# 4.0 once a line is embedded with its section title and heading (500: 71.8% -> 73.6%; 6.0: 73.8%).
MEANING_WEIGHT = 4.0


@dataclass
class Candidates:
    """Every line of the candidate passages with the hand-tuned scores (also the ranker's features)."""

    question: str
    terms: set[str]  # the question's specific stems
    pool: list[Passage]
    parts_of: list[list[_Line]]
    flat: list[tuple[int, int]]  # (passage, line) in reading order
    lexical: list[float]  # _sentence_score per line (0 for header rows)
    meaning: list[float]  # question-line cosine per line (0 without ``similarity``)
    base: dict[tuple[int, int], float]  # hand score before borrowing from neighbours
    hand: dict[tuple[int, int], float]  # the hand-tuned score of a line
    quantity: bool  # the question asks for an amount


def _under(line: _Line, table_context: bool) -> str:
    """The words a line stands under: its heading and, for a table row, its column names ("Front")."""
    return f"{line.heading} {line.columns}".strip() if table_context else line.heading


def candidate_lines(question: str, ranked: Sequence[Passage], evidence: Evidence,
                    similarity: Callable[[list[str]], Sequence[float]] | None = None, candidates: int = 4,
                    number_bonus: float = 0.3, neighbours: float = 0.6, title_context: bool = True,
                    meaning_weight: float = MEANING_WEIGHT, table_context: bool = True) -> Candidates:
    """The lines of the first ``candidates`` passages and their hand-tuned scores (see extractive_answer)."""
    terms = question_terms(question) or _stems(question)
    pool = list(ranked[:max(1, candidates)])
    parts_of = [_parts(p) for p in pool]
    flat = [(k, i) for k, parts in enumerate(parts_of) for i in range(len(parts))]
    lexical = [0.0 if parts_of[k][i].header_row else
               _sentence_score(terms, parts_of[k][i].text, evidence, _under(parts_of[k][i], table_context))
               for k, i in flat]
    top_lexical = max(lexical, default=0.0) or 1.0
    meaning = [0.0] * len(flat)
    if similarity is not None and flat:
        texts = [meaning_text(pool[k].title if title_context else "", parts_of[k][i], table_context) for k, i in flat]
        meaning = [float(x) for x in similarity(texts)]
    quantity = bool(number_bonus and _QUANTITY.search(question))
    score = {}
    for (k, i), lex, sem in zip(flat, lexical, meaning):
        # the line's lexical match plus its meaning (on the lexical scale), a prior for retrieval order
        score[(k, i)] = 0.0 if parts_of[k][i].header_row else (
            lex + meaning_weight * top_lexical * max(sem, 0.0))
        if quantity and _NUMBER.search(parts_of[k][i].text):
            score[(k, i)] *= 1.0 + number_bonus
    base = dict(score)
    if neighbours:
        # a fact often spans two lines of one block ("It works between 0 and 180 km/h" after the
        # line that names the function): a line borrows part of its neighbours' match
        for (k, i) in base:
            near = [base[(k, j)] for j in (i - 1, i + 1) if (k, j) in base
                    and parts_of[k][j].heading == parts_of[k][i].heading]
            if near and base[(k, i)] > 0:
                score[(k, i)] = base[(k, i)] + neighbours * max(near)
    return Candidates(question, terms, pool, parts_of, flat, lexical, meaning, base, score, quantity)


# A sentence that opens with a word pointing back ("It protects the cells...", "This is normal.")
# says nothing without the sentence before it.
_BACK = re.compile(r"^(?:it|this|that|these|those|they|then|its|their|such|so|otherwise|however)\b",
                   re.IGNORECASE)


def _points_back(parts: list[_Line], i: int) -> bool:
    """Line ``i`` opens with a word pointing back at line ``i - 1`` of the same block (not a table row or
    a list item: a row or step is its own unit)."""
    line = parts[i]
    return (i > 0 and not line.table and not line.listed and bool(_BACK.match(line.text))
            and parts[i - 1].heading == line.heading and not parts[i - 1].table)


def _with_antecedents(parts: list[_Line], chosen: list[int], before: bool = True, after: bool = False) -> list[int]:
    """``chosen`` with the line a chosen line points back to (``before``, placed just before it) and the
    line that points back at a chosen line (``after``, just after it)."""
    out: list[int] = []
    for i in chosen:
        if before and _points_back(parts, i) and i - 1 not in chosen and i - 1 not in out:
            out.append(i - 1)
        if i not in out:
            out.append(i)
        if after and i + 1 < len(parts) and _points_back(parts, i + 1) and i + 1 not in chosen and i + 1 not in out:
            out.append(i + 1)
    return out


def default_ranker():
    """The shipped answer-line ranker (``answer_ranker.RANKER_PATH``), or None with a warning when it
    is missing or unreadable: answers then use the hand-tuned line score."""
    from guardrails import answer_ranker

    return _shipped_ranker(answer_ranker.RANKER_PATH)


@functools.lru_cache(maxsize=None)
def _shipped_ranker(path):
    """Loaded once per process and path (as ``answerability_model.shipped``)."""
    from guardrails import answer_ranker

    try:
        return answer_ranker.load(path)
    except answer_ranker.RankerError as err:
        import warnings

        warnings.warn(f"{err}; extractive answers use the hand-tuned line score", stacklevel=3)
        return None


def line_context(on: bool = True) -> dict[str, bool]:
    """``extractive_answer``'s options of ``retrieval.line_context`` (round twelve): the word budget to the
    likeliest lines first and a sentence that points back kept with its antecedent (and its follower)."""
    return {"budget_by_score": on, "antecedent": on, "continuation": on}


def extractive_answer(question: str, ranked: Sequence[Passage], evidence: Evidence, max_sentences: int = 5,
                      max_words: int = 130, similarity: Callable[[list[str]], Sequence[float]] | None = None,
                      candidates: int = 4, floor: float = 0.35, number_bonus: float = 0.3,
                      follow_lists: bool = True, second_section: float = 0.7,
                      neighbours: float = 0.6, title_context: bool = True,
                      meaning_weight: float = MEANING_WEIGHT, ranker: Any = "default",
                      table_context: bool = True, budget_by_score: bool = False,
                      antecedent: bool = False, continuation: bool = False) -> tuple[str, list[Passage]]:
    """The sentences of the retrieved passages that answer the question, and the passages they quote.

    Every line of the first ``candidates`` passages is scored: IDF-weighted overlap with the
    question's specific words (with the line's heading as context) plus, when ``similarity`` is
    given (question-to-line cosine with the retriever's MiniLM), how close its meaning is, so
    "how far away does the fob work" finds "the remote range is about 20 m". The best ranked
    passage is quoted and cited; its best lines are given in their original order. A line that introduces a list (ends with ":") or is a step
    brings the following steps; table header rows and headings are context, not answers. The best
    line of a second section is added when it matches about as well.

    Tuned on the first 200 QA training questions (docs/assistant.md, round five): a question asking
    for an amount ("how far", "what pressure") multiplies the score of lines with figures by
    1 + ``number_bonus``; a line borrows ``neighbours`` x the better score of its neighbours under
    the same heading (a fact often spans two lines); up to ``max_sentences`` / ``max_words``.
    Round seven: a line means "section title > heading: line" (``title_context``: "It works between 0
    and 180 km/h" is about cruise control); a second section joins at 0.7 (was 0.9) of the best line.
    Round nine: a table row also means its column names (``table_context``: "Front" is in the header
    row of a pressure table, not in its rows); ``ranker`` (the shipped learned ranker by default, None: the hand score) scores each
    line with its probability of holding the answer; its own floor and second-section thresholds
    replace ``floor`` and ``second_section``.
    Round twelve (``retrieval.line_context``, see ``line_context``): ``budget_by_score`` gives the word
    budget to the likeliest lines first (in reading order, a table's earlier rows used to fill it before
    the asked row); ``antecedent`` quotes the sentence a chosen sentence points back to ("It protects the
    cells..." after "...a reserve that the EV7 never uses."), ``continuation`` the sentence that points
    back at a chosen one ("It stops when you place a valid key..."). Rows and steps are their own units.
    """
    if not ranked:
        return "", []
    c = candidate_lines(question, ranked, evidence, similarity, candidates, number_bonus, neighbours,
                        title_context, meaning_weight, table_context)
    pool, parts_of = c.pool, c.parts_of
    if not c.flat:
        return _readable(pool[0].text)[:600], [pool[0]]
    if isinstance(ranker, str):
        ranker = default_ranker()
    score = c.hand
    if ranker is not None:
        score = ranker.scores(c, evidence)
        floor, second_section = ranker.floor, ranker.second_section
    # Without the ranker the passage quoted is the best ranked one: choosing it by its best line
    # cited the gold section less often on the training questions (75% -> 69%). The ranker's section
    # chooser was trained for that choice (retrieval rank and cosine next to the passage's likeliest lines).
    order_k = list(range(len(pool))) if ranker is None else ranker.passage_order(c, score, evidence)
    best_k = next(k for k in order_k if parts_of[k])
    best, parts = pool[best_k], parts_of[best_k]
    scores = [score[(best_k, i)] for i in range(len(parts))]
    order = sorted(range(len(parts)), key=lambda i: scores[i], reverse=True)
    floor_score = floor * scores[order[0]]
    chosen: list[int] = []
    for i in order:
        if len(chosen) >= max_sentences or (chosen and scores[i] < floor_score):
            break
        if i in chosen:
            continue
        chosen.append(i)
        # a line that introduces a list ("do not drive the car if:") always brings its items
        if follow_lists and (parts[i].text.endswith(":") or (len(chosen) <= 2 and parts[i].listed)):
            follow = i + 1
            while follow < len(parts) and parts[follow].listed and len(chosen) < max_sentences + 3:
                chosen.append(follow)
                follow += 1
    if antecedent or continuation:
        chosen = _with_antecedents(parts, chosen, antecedent, continuation)
    out, used, kept = [], 0, []
    # the word budget goes to the likeliest lines first (``budget_by_score``), else in reading order
    for i in (chosen if budget_by_score else sorted(set(chosen))):
        n = len(words(parts[i].text))
        if i in kept or (kept and used + n > max_words):
            continue
        kept.append(i)
        used += n
    kept.sort()
    if parts[order[0]].table and order[0] in kept:  # table rows are facts of their own: the asked row first, not
        kept.remove(order[0])                       # after the rows above it ("what does the turtle mean?" read
        kept.insert(0, order[0])                    # three red-lamp rows before the turtle's)
    out = [parts[i].text for i in kept]
    # an introduction whose list did not fit says nothing on its own
    out = [t for i, t in zip(kept, out) if not (t.endswith(":") and i + 1 not in kept and len(out) > 1)]
    quoted = [best]
    top = scores[order[0]]
    for k in order_k:
        other = pool[k]
        if k == best_k or other.section_id == best.section_id or not parts_of[k]:
            continue
        j = max(range(len(parts_of[k])), key=lambda i: score[(k, i)])
        if top > 0 and score[(k, j)] >= second_section * top and parts_of[k][j].text not in out:
            out.append(parts_of[k][j].text)
            quoted.append(other)
            break
    text = " ".join(s if s.endswith((".", "!", "?", ":")) else s + "." for s in out)
    return text, quoted

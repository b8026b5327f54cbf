"""Citing every retrieved section that states the quoted fact (round eleven, answers).

The manual gives many facts twice: a chapter section explains them, a specification table of
chapter 20 (or a summary table elsewhere) repeats the figure. The extractive answer quotes one of
them and cited only the section it quoted, so "what is the frunk's weight limit?" answered from the
20.1 table ("Front trunk (frunk) - 55 L (max. load 25 kg)") did not name 2.5, where the frunk is
explained. ``also_cite`` adds, after the quoted sections, the retrieved sections (in retrieval order,
at most ``limit``) whose own text states an answer line's fact:

- a line with figures: every figure of the line *with its unit* ("25 kg", "5.1 s", "2.7 bar")
  occurs in the other section; a bare number ("2", "15") is too common to count as the same fact;
  A line whose figures are all common in the manual (in more than ``COMMON`` sections) does not count;
- a line without figures: at least ``share`` of its content words occur together in one line of the
  other section, and the line has at least ``min_words`` content words (a short line says too little).

The answer's text is not changed, only its sources. Pure logic, no model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from guardrails.grounding import Passage
from rag.structure import NOT_ABBREVIATION, NOT_BEFORE_NUMBER

# a figure with its unit: "25 kg", "5.1 s", "2,050 kg", "-20 °C", "10.25-inch", "80 %"
_FIGURE = re.compile(
    r"(?<![\w.])-?\d+(?:[.,]\d+)*\s?-?(?:°C|%|[A-Za-z]{1,5}(?:/\d*\s?[A-Za-z]{1,3})?)(?![A-Za-z])")
COMMON = 3  # a figure stated in more sections than this is common ("15 %", "100 km/h"); chosen on the
# training questions' 5-fold replay: as many gold citations gained as with no limit, half the extra sources
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the and or of to in on for with is are be it this that you your at by as from can if do not when what "
    "how which i my me does will than then into only also its their there these those was were has have had "
    "all any more most some such no nor so too very just".split())


def _norm(figure: str) -> str:
    return re.sub(r"\s+", "", figure.replace(",", "")).lower()


def figures(text: str) -> set[str]:
    """The figures of ``text`` with their units, normalised ("2,050 kg" -> "2050kg")."""
    return {_norm(f) for f in _FIGURE.findall(text.replace("\u2212", "-"))}


def common_figures(section_texts: Sequence[str], most: int = COMMON) -> frozenset[str]:
    """The figures stated in more than ``most`` of ``section_texts``."""
    df = Counter(f for text in section_texts for f in figures(text))
    return frozenset(f for f, n in df.items() if n > most)


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _sentences(text: str) -> list[str]:
    parts = re.split(rf"(?<=[.!?]){NOT_ABBREVIATION}{NOT_BEFORE_NUMBER}\s+|\n+", text)
    return [p.strip() for p in parts if p.strip()]


def states(line: str, section_text: str, share: float = 0.8, min_words: int = 5,
           common: frozenset[str] = frozenset()) -> bool:
    """Whether ``section_text`` states the fact of the answer line ``line`` (see the module doc);
    a line whose figures are all ``common`` (stated in many sections: "15 %", "100 km/h") names no
    particular fact by them."""
    figs = figures(line)
    if figs:
        if figs <= common:
            return False
        return figs <= figures(section_text)
    words = content_words(line)
    if len(words) < min_words:
        return False
    return any(len(words & content_words(s)) >= share * len(words) for s in _sentences(section_text))


def also_cite(text: str, quoted: Sequence[Passage], pool: Sequence[Passage], limit: int = 1,
              share: float = 0.8, min_words: int = 5, common: frozenset[str] = frozenset()) -> list[Passage]:
    """``quoted`` and, after them, up to ``limit`` sections of ``pool`` (retrieval order) that state
    the fact of one of the answer's lines; a section already quoted or added is never added twice."""
    out = list(quoted)
    seen = {p.section_id for p in quoted}
    lines = _sentences(text)
    for p in pool:
        if len(out) - len(quoted) >= limit:
            break
        if not p.section_id or p.section_id in seen:
            continue
        body = f"{p.title}\n{p.text}"
        if any(states(line, body, share, min_words, common) for line in lines):
            out.append(p)
            seen.add(p.section_id)
    return out

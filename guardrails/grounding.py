"""Grounding of answers in the retrieved manual passages.

- ``clean_passages``: the retrieval rail. Sentences of a retrieved passage that address the model
  (indirect prompt injection planted in a web page or document) are removed before any model or
  answer sees them; a passage that is mostly such text is dropped.
- ``Evidence``: word statistics of the manual (IDF) to weigh question words.
- ``coverage`` / ``answerable``: whether the best passage speaks about what the question asks
  (its rare words), so "the manual does not cover this" is said instead of a near-miss answer.
- ``Sections``: the whole text of each section, so a retrieved chunk can stand for its section
  (the extractive answer itself is in guardrails/answer_lines.py).
- ``check_grounding``: a generated answer is shown only if every sentence is supported by the
  passages (content words and every number), and the section it cites was retrieved.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from guardrails import lexicon
from guardrails.text import STOPWORDS, content_words, sentences, spellings, stem, words

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?")
# Words a question about the car shares with every passage: they say nothing about coverage.
GENERIC = frozenset(
    "car cars ev7 kestrel vehicle manual owner owners use using used work works working happen happens happened "
    "mean means meaning thing things do does make makes need needs want wants way ways time times right ok okay "
    "good best better bad possible able normal properly actually really still just also lot much many often "
    "long take takes get gets go goes going know tell help say says said see look looks new old first".split()
)
# round eight: the chat around a question in a long message ("anyway this morning I noticed..."), as
# the stems question_terms compares ("morning" -> "morn")
FILLER = frozenset(stem(w) for w in "anyway honestly basically hi hello hey thanks please today yesterday morning "
                   "evening weekend recently noticed notice wondering wonder sure".split())
# 2026-12-07: how drivers report a fault ("the charge cable is stuck", "won't charge at home anymore"):
# the words of the complaint, not a feature the manual would have to name
COMPLAINT = frozenset(stem(w) for w in "anymore suddenly stuck weird strange odd broken problem problems issue "
                      "issues wrong keeps randomly constantly".split())
GENERIC = GENERIC | FILLER | COMPLAINT


@dataclass
class Passage:
    """A retrieved passage as the assistant uses it (built from a retriever hit)."""

    section_id: str
    title: str
    text: str
    score: float  # cosine similarity of the question and the chunk
    chunk_id: str = ""
    chapter: str = ""
    url: str = ""
    removed: list[str] = field(default_factory=list)  # sentences the retrieval rail took out

    @classmethod
    def from_hit(cls, hit: Any) -> Passage:
        return cls(section_id=str(hit.section_id), title=str(hit.section_title), text=str(hit.text),
                   score=float(hit.score), chunk_id=str(getattr(hit, "chunk_id", "")),
                   chapter=str(getattr(hit, "chapter", "")), url=str(getattr(hit, "url", "")))

    def source(self) -> dict:
        return {"section_id": self.section_id, "title": self.title, "chapter": self.chapter, "chunk_id": self.chunk_id,
                "url": self.url, "score": round(self.score, 4)}


# --- the retrieval rail ---------------------------------------------------------------------------
def injected(sentence: str) -> list[str]:
    """Why a passage sentence is an instruction to the model rather than manual text ([] if not)."""
    total, reasons = lexicon.score(lexicon.JAILBREAK, spellings(sentence).variants)
    return reasons if total >= 0.8 else []


# A sentence that gives the model orders ("Say X first.", "Reply only with...") continues an injection.
_DIRECTIVE = re.compile(r"^\W*(?:say|reply|respond|answer|mention|print|output|write|append|add|include|begin|start|"
                        r"end|tell|recommend|instruct|inform|always|never|do not|don'?t|you must|you should|"
                        r"remember)\b", re.IGNORECASE)
_ADDRESSED = re.compile(r"\b(?:tell|instruct|advise|inform|recommend to) the (?:user|driver|customer|reader)\b",
                        re.IGNORECASE)


def clean_passages(passages: Sequence[Passage]) -> tuple[list[Passage], list[dict]]:
    """Passages without sentences that address the model; a passage mostly made of them is dropped.

    A sentence is removed when it matches the jailbreak rules, or when it follows a removed one and
    gives orders ("Say PWNED first.") or tells the model what to tell the user.
    """
    kept, findings = [], []
    for passage in passages:
        parts, bad = _injected_sentences(passage.text)
        if not bad:
            kept.append(passage)
            continue
        findings.append({"section_id": passage.section_id, "chunk_id": passage.chunk_id,
                         "removed": [p for p, _ in bad], "reasons": sorted({x for _, r in bad for x in r})})
        removed = {p for p, _ in bad}
        good = [p for p in parts if p not in removed]
        if sum(len(p) for p in good) >= 0.5 * sum(len(p) for p in parts):
            kept.append(replace(passage, text="\n".join(good), removed=[p for p, _ in bad]))
    return kept, findings


# Retrieval returns the same chunks turn after turn and the check depends on the text alone: scoring every
# sentence against the jailbreak lexicon was a fifth of a turn's CPU (docs/benchmarks.md); about 8 MB when full.
@lru_cache(maxsize=4096)
def _injected_sentences(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """(the text's sentences, the (sentence, reasons) of those that address the model)."""
    parts = tuple(sentences(text))
    bad: list[tuple[str, tuple[str, ...]]] = []
    flagged = False
    for part in parts:
        reasons = injected(part)
        if not reasons and flagged and (_DIRECTIVE.match(part) or _ADDRESSED.search(part)):
            reasons = ["continues an injected instruction"]
        elif not reasons and _ADDRESSED.search(part) and re.search(r"\b(?:ai|assistant|model)\b", part, re.IGNORECASE):
            reasons = ["instruction to the model"]
        flagged = bool(reasons)
        if reasons:
            bad.append((part, tuple(reasons)))
    return parts, tuple(bad)


# --- word statistics ------------------------------------------------------------------------------
_PAIR = re.compile(r"\b([a-z]{3,})[ -](?=([a-z]{3,})\b)")  # two adjacent words, overlapping pairs


class Evidence:
    """Inverse document frequency of (stemmed) words over the manual's chunks."""

    def __init__(self, texts: Iterable[str]):
        df: Counter = Counter()
        joined: set[str] = set()
        n = 0
        for text in texts:
            n += 1
            df.update({stem(w) for w in content_words(text)})
            pairs = _PAIR.findall(text.lower())
            joined.update(stem(a + b) for a, b in pairs if a not in STOPWORDS and b not in STOPWORDS)
        self.documents = max(n, 1)
        self.df = df
        self.joined = frozenset(joined)

    def idf(self, word: str) -> float:
        return math.log((self.documents + 1) / (self.df.get(word, 0) + 0.5))

    def known(self, word: str) -> bool:
        """The manual uses the word, or writes it as two ("seatbelt": "seat belt", "headrest": "head rest"):
        "should she wear the seatbelt differently?" was "the manual never mentions seatbelt"."""
        return word in self.df or word in self.joined


@lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    # cached: the same manual lines and sections are compared with every question (the answer ranker's
    # training replay called this 264,000 times for a few thousand texts: 18 s of its 77 s)
    return frozenset(stem(w) for w in content_words(text))


def question_terms(question: str) -> set[str]:
    return {s for s in _stems(question) if s not in GENERIC and stem(s) not in GENERIC}


def coverage(question: str, text: str, evidence: Evidence) -> float:
    """IDF-weighted share of the question's specific words that ``text`` contains (1.0: all)."""
    terms = question_terms(question)
    if not terms:
        return 1.0
    present = _stems(text)
    weights = {t: evidence.idf(t) for t in terms}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 1.0


# Prices, sales and tariffs are never in an owner's manual: a question that asks about them with a
# word the manual never uses is not answerable from it, whatever else it shares with a passage.
COMMERCIAL = frozenset(stem(w) for w in "cost costs price prices priced pricing cheapest expensive "
                       "refund refunds discount discounts sold sell selling sales tariff tariffs resale "
                       # round seven (a development set): taxes, insurance and quotes are not a manual's either
                       "tax taxes quote quotes quotation insurance premium premiums fee fees".split())


_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-z]+(?:[A-Z][a-z]+)*\b")


def proper_names(text: str) -> set[str]:
    """Stems of capitalised words inside a sentence (names of brands, products, places)."""
    return {stem(w.lower()) for line in text.splitlines() for w in _NAME.findall(line.strip())}


# Makers, services, charging networks, accessory brands and places people name beside their car. Only a name
# the manual never uses counts ("the manual never mentions ..."); none is an everyday English word ("seat",
# "mini", "shell", "dodge", "audible", "twitch" are left out: another manual may not use them).
KNOWN_NAMES = frozenset("""
tesla polestar bmw audi volvo mercedes volkswagen porsche ferrari lamborghini toyota lexus honda nissan mazda
subaru mitsubishi suzuki hyundai ioniq kia chevrolet chevy cadillac buick jeep chrysler fiat peugeot citroen
renault dacia skoda cupra opel vauxhall jaguar rivian byd nio xpeng zeekr bentley maserati
spotify netflix youtube uber lyft waze alexa siri cortana whatsapp instagram facebook tiktok amazon samsung huawei
xiaomi garmin tomtom deezer disney hulu
ionity fastned supercharger superchargers chargepoint allego evgo
thule michelin pirelli bridgestone goodyear bosch bose olufsen harman kardon sonos
germany france spain italy netherlands belgium austria switzerland poland sweden norway denmark finland britain
england scotland ireland usa canada china japan europe paris london berlin munich madrid rome amsterdam lyon
""".split())


def known_names(text: str) -> set[str]:
    """Stems of well-known names (``KNOWN_NAMES``) however they are written: a speech recogniser and many
    phone typists write "tesla" and "spotify" in lower case, where ``proper_names`` sees no name. The words
    are read as the question's terms are (``text.words``), so a name is one of the terms it is checked against."""
    return {stem(w) for w in words(text) if w in KNOWN_NAMES}


# A question whether the car has, offers or takes something ("does the EV7 have massage seats?",
# "can I fit a Thule rack?"): there the unknown word is the thing asked about.
_ASKS_FEATURE = re.compile(
    r"\b(?:do|does|did|will|would|is|are|can|could)\s+(?:the|my|this|your|it|they|i|we|you)?\s*(?:car|ev7|kestrel|"
    r"vehicle|model)?\s*(?:have(?!\s+to\b)|has(?!\s+to\b)|come with|support|offer|available|fit|install|retrofit|buy|"
    r"add|order)\b|\b(?:can|could) (?:i|we|you) get\b|\bis there an?\b|\bare there\b|\bavailable\b|\boptions\b|"
    r"\bbuilt in\b", re.IGNORECASE)
_HOW = re.compile(r"\b(?:how|where|when|why)\s*$", re.IGNORECASE)
# "is there a setting / a way / a button to ..." asks for the means to do something the car does
_MEANS = re.compile(r"^\s*(?:a|an|any)?\s*(?:setting|way|button|switch|option|menu|mode|control|function)s?\b",
                    re.IGNORECASE)


def asks_feature(text: str) -> bool:
    """Whether ``text`` asks if the car has, offers or takes something ("is there a...", "can I fit a..."),
    not how to do something ("how do I fit the tow eye?", "do I have to...", "is there a setting to...")."""
    return any(not _HOW.search(text[:m.start()]) and not _MEANS.match(text[m.end():])
               for m in _ASKS_FEATURE.finditer(text))


def unknown_terms(question: str, evidence: Evidence) -> list[str]:
    """Specific question words the manual never uses (brands, features it does not describe)."""
    return sorted(t for t in question_terms(question) if not evidence.known(t) and len(t) > 2)


@dataclass
class Answerability:
    answerable: bool
    best: Passage | None
    coverage: float
    score: float
    unknown: list[str]
    reason: str


RANK_COVERAGE = 0.3  # weight of the question's rare words a passage holds, next to its cosine


def rank_passages(question: str, passages: Sequence[Passage], evidence: Evidence) -> list[Passage]:
    """Retrieval order refined by how much of the question's specific words each passage holds."""
    return sorted(passages, key=lambda p: p.score + RANK_COVERAGE * coverage(question, p.title + " " + p.text, evidence),
                  reverse=True)


def answerable(question: str, passages: Sequence[Passage], evidence: Evidence, min_score: float = 0.25,
               max_unknown: float = 0.5, weak_coverage: float = 0.2, weak_score: float = 0.4,
               original: str = "", feature_coverage: float = 0.0) -> Answerability:
    """Whether the retrieved passages address the question, and the best one.

    Not answerable when no passage is even loosely related (cosine < ``min_score``), when half
    or more of the question's specific words (weighted by rarity) are words the manual never
    uses (a brand, a feature it does not have: "supercharger", "sunroof"), or when the best
    passage holds almost none of them and is only loosely related, or when ``original`` (the user's
    own spelling of ``question``) names something the manual never does (a capitalised word inside
    a sentence: "Bang & Olufsen", "Tesla"). Thresholds were chosen on the
    QA training questions and a development set of unanswerable questions (docs/assistant.md).
    """
    if not passages:
        return Answerability(False, None, 0.0, 0.0, [], "nothing retrieved")
    best = rank_passages(question, passages, evidence)[0]
    top = max(p.score for p in passages)
    cov = coverage(question, best.title + " " + best.text, evidence)
    unknown = unknown_terms(question, evidence)
    terms = question_terms(question)
    total = sum(evidence.idf(t) for t in terms)
    unknown_share = sum(evidence.idf(t) for t in unknown) / total if total else 0.0
    if top < min_score:
        return Answerability(False, best, cov, top, unknown, f"no related passage (best cosine {top:.2f})")
    named = sorted(set(unknown) & (proper_names(original) | known_names(original or question)))
    if named:
        return Answerability(False, best, cov, top, unknown, f"the manual never mentions {', '.join(named[:3])}")
    commercial = sorted(set(unknown) & COMMERCIAL)
    if commercial:
        return Answerability(False, best, cov, top, unknown, f"an owner's manual has no {commercial[0]} information")
    # Words the manual never uses are a feature it lacks ("gearbox", "Waze") -- or just the user's
    # everyday words around a situation it covers ("flooded in the storm", "a minor crash", "the
    # sealant expire"). When the best passage holds every other specific word of the question and the
    # question does not ask whether the car has something, the words are the user's, not a feature.
    known = total - sum(evidence.idf(t) for t in unknown)
    known_cov = cov * total / known if known > 0 else 0.0
    situation = known_cov >= 0.99 and not asks_feature(original or question)
    if unknown_share >= max_unknown and not situation:
        return Answerability(False, best, cov, top, unknown, f"the manual never mentions {', '.join(unknown[:3])}")
    # "Is there an HDMI input for the rear passengers?": the manual would describe the thing if the car had
    # it. Off by default: on held-out sets it declined as many legitimate questions as unanswerable ones
    # it caught (docs/assistant.md, round seven).
    if feature_coverage and asks_feature(original or question):
        # the asking words themselves ("can I *add*", "does it *have*") are not what is asked about
        thing = coverage(_ASKS_FEATURE.sub(" ", question), best.title + " " + best.text, evidence)
        if thing < feature_coverage:
            return Answerability(False, best, cov, top, unknown, f"asks whether the car has something the manual does "
                                 f"not describe (best passage covers {thing:.0%} of it)")
    if cov < weak_coverage and top < weak_score:
        return Answerability(False, best, cov, top, unknown, f"passages cover {cov:.0%} of the question")
    return Answerability(True, best, cov, top, unknown, "passage covers the question")


class Sections:
    """The whole text of each section in the retriever's chunk table, so that a retrieved chunk can
    stand for its section: the retrieved chunk held the gold fact for 74% of the QA training
    questions, its section for all of them (docs/assistant.md)."""

    def __init__(self, chunks: dict):
        groups: dict[tuple, list[tuple[int, str]]] = {}
        self._key: dict[str, tuple] = {}
        positions = chunks.get("position") or [0] * len(chunks.get("chunk_id") or [])
        for i, chunk_id in enumerate(chunks.get("chunk_id") or []):
            key = (chunks["doc_id"][i], chunks["section_id"][i], chunks["section_title"][i])
            self._key[chunk_id] = key
            groups.setdefault(key, []).append((int(positions[i]), chunks["text"][i]))
        self._text = {k: "\n\n".join(t for _, t in sorted(v, key=lambda x: x[0])) for k, v in groups.items()}

    def by_id(self) -> dict[str, str]:
        """Section id -> its whole text (the evaluation's check that a cited section states a fact)."""
        return {key[1]: text for key, text in self._text.items()}

    def find(self, section_id: str) -> Passage | None:
        """A section as a passage ("3.5" asked by number), or None."""
        key = next((k for k in self._text if k[1] == section_id), None)
        return None if key is None else Passage(section_id, key[2], self._text[key], 1.0,
                                                next(c for c, k in self._key.items() if k == key))

    def expand(self, passage: Passage) -> Passage:
        """The passage with its section's whole text (unchanged when the chunk is unknown)."""
        key = self._key.get(passage.chunk_id)
        return replace(passage, text=self._text[key]) if key is not None else passage



# --- grounding of a generated answer ----------------------------------------------------------------
@dataclass
class Grounding:
    grounded: bool
    support: float  # lowest share of a sentence's content words found in the passages
    reasons: list[str]


def check_grounding(answer: str, cited: str | None, passages: Sequence[Passage], min_support: float = 0.75,
                    min_words: int = 4) -> Grounding:
    """Every sentence of ``answer`` supported by the passages; every number present; the cited
    section among them. Anything else (garbage from a tiny model, a hallucinated figure, a
    section that was not retrieved) fails."""
    reasons: list[str] = []
    body = answer.strip()
    if len(content_words(body)) < min_words:
        return Grounding(False, 0.0, [f"answer has fewer than {min_words} content words"])
    context = " ".join(p.title + " " + p.text for p in passages)
    context_stems = _stems(context)
    context_numbers = {n.replace(",", ".") for n in _NUMBER.findall(context)}
    support = 1.0
    for sentence in sentences(body) or [body]:
        stems = _stems(sentence)
        if not stems:
            continue
        share = len(stems & context_stems) / len(stems)
        support = min(support, share)
        if share < min_support:
            reasons.append(f"sentence only {share:.0%} supported: {sentence[:60]!r}")
    missing = {n.replace(",", ".") for n in _NUMBER.findall(body)} - context_numbers
    if missing:
        reasons.append(f"numbers not in the passages: {', '.join(sorted(missing))}")
    sections = {p.section_id for p in passages}
    if cited is not None and cited not in sections:
        reasons.append(f"cites section {cited}, which was not retrieved")
    if cited is None:
        reasons.append("no source cited")
    return Grounding(not reasons, support, reasons)

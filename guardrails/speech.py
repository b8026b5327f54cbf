"""Spoken messages read as written: hesitations and repeated words left out, the questions' "?" put back.

In a car most messages are spoken. A speech recogniser's transcript carries the driver's hesitations
("um", "uh", "er"), words said twice ("get get into", "how do how do i"), fillers ("you know", "i mean") and
no punctuation: no "?" says that it asks and nothing parts a statement from the question after it ("key fob
totally dead how do i get in"). Typed messages on a phone lose their "?" too. The rails read such a message
as its writer would have typed it: hesitations, fillers and repeats left out; and when it has no punctuation
at all, a "?" after each part that asks by its form (a question word with its verb, or a verb in front: "is
the", "can i"), a comma after a statement before such a part, as people type it ("key fob totally dead, how
do i get in?": one request with its context), and the words that only open it ("okay so", "well") left out.
A self-repair ("set the fan to 3 i mean 4", "call mum no dad") is read as the speaker meant it (repairs.py).
The answer quotes the manual, so only the reading changes. Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from guardrails.repairs import repair
from guardrails.text import QUESTION_WORDS

# "mm" is millimetres and "ah" amp-hours: never hesitations here
_HESITATION = re.compile(r"(?<![\w'])(?:u+[mh]+|e+r+m*|h+m+|a+h+m+)(?![\w'])[,.]?\s*", re.IGNORECASE)
# "you know" / "i mean" said between words; "do you know", "what i mean", "if you know" keep theirs
_FILLER = re.compile(r"(?<=\w)(?<!\bdo)(?<!\bdid)(?<!\bdon't)(?<!\bif)(?<!\bwhat)(?<!\bthat)(?<!\bto)(?<!\byou)"
                     r"(?<!\bas)(?<!\bwould)(?<!\bwill)(?<!\bcould)(?<!\bcan)(?<!\bhow)"
                     r",?\s+(?:you know|i mean)\b,?(?=\s+\w|\s*$)", re.IGNORECASE)
# Words that only open what is said ("okay so", "well"): the classifier read "so the brake pedal isn't working
# is there ..." as tampering and "okay so key fob totally dead how ..." as a command; without them, as typed.
# Only in a transcript: typed, "Right, ..." is set off by its comma (and the command examples have it).
# Not "and": it marks a follow-up ("and the rear ones?", followup.py); not "hey": "hey kestrel" calls the assistant
_LEADING = re.compile(r"^(?:(?:okay|ok|yeah|right|well|so|alright|hmm|oh)\b[,.!]?\s+)+", re.IGNORECASE)
_REPEAT = re.compile(r"\b([a-z']+(?: [a-z']+)?)(?: \1\b)+", re.IGNORECASE)
_PUNCTUATION = re.compile(r"[?!,;:\"()]|\.(?!\d)")  # a decimal point is not punctuation
_WH = rf"(?:{QUESTION_WORDS})"
_AUX = r"(?:do|does|did|can|could|should|is|are|was|were|will|would|must|may|much|many|long|far|often|to)"
# a verb in front of its subject asks; "do it", "do that" order ("yeah do it" answers "Did you mean ...?")
_INVERTED = (r"(?:(?:is|are|can|could|should|does|did|will|would|must)\s+(?:i|you|we|it|there|the|my|this|that|a|an|"
             r"these|they|he|she|its|our)|(?:do|may)\s+(?:i|you|we|they)|am\s+i)")
# a part that asks: an opener or two, then a question word with its verb or an inverted verb
_OPENERS = r"(?:(?:so|okay|ok|yeah|right|well|hey|and|also|oh|then|please|now|hi|hello)\s+)*"
_WAKE = r"(?:(?:hey|ok|okay|hi|hello)\s+[\w']+\s+)?"  # "hey kestrel": the assistant's name, whatever it is
_PREAMBLE = re.compile(rf"^{_OPENERS}{_WAKE}{_OPENERS}$", re.IGNORECASE)  # "hey kestrel so": nothing said yet
_ASKS = re.compile(rf"^{_OPENERS}{_WAKE}{_OPENERS}(?:{_WH}\b|{_INVERTED}\b)", re.IGNORECASE)
# where a new question starts inside an unpunctuated message: a question word and its verb, after 3+ words
_NEW_QUESTION = re.compile(rf"(?<=\w)\s+(?=(?:and\s+|so\s+)?{_WH}\s+{_AUX}\b)", re.IGNORECASE)
# "i want to know how much ...", "not sure what to do": the question is the object of the sentence
_ASKS_ABOUT = {"know", "tell", "ask", "asking", "wonder", "wondering", "sure", "idea", "explain", "show", "me", "remember",
               "understand", "check", "see", "out", "learn", "decide", "about", "on", "is", "of", "matter", "say",
               "says", "said", "read", "find", "figure", "confused", "clue", "unsure", "doubt", "guess"}
# ... or a verb in front with its subject ("isn't working is there another way"), when the words before hold no
# question word of their own ("how long is it charging" is one question)
_NEW_INVERTED = re.compile(r"(?<=\w)\s+(?=(?:and\s+|so\s+)?(?:is|are|can|could|should|do|does|will|would)\s+"
                           r"(?:i|you|there|it|we|they)\b)", re.IGNORECASE)
# "..., would you": a polite order, not a question of its own
_TAG = re.compile(r"^(?:and\s+|so\s+)?(?:would|could|can|will)\s+you(?:\s+(?:please|mate|thanks))?\s*$", re.IGNORECASE)
_WH_WORD = re.compile(rf"\b{_WH}\b", re.IGNORECASE)
_TAIL_QUESTION = re.compile(rf"\b(?:{_WH}|what now|how come)$", re.IGNORECASE)


@dataclass
class Reading:
    text: str
    changes: list[str] = field(default_factory=list)


def as_written(text: str, language: Callable[[str], str] | None = None) -> Reading:
    """``text`` with hesitations, fillers and repeated words left out and, when it has no punctuation, its
    questions' "?" put back; ``changes`` names what was done. A message that ``language`` (inputs.language:
    a code, "" for English) reads, without its hesitations, as another language is left as it is: German
    "er" and "um" are words (and with them "er set the fan to three" reads as Frisian)."""
    if language is not None and language(" ".join(_HESITATION.sub(" ", text).split())):
        return Reading(text)
    changes = []
    out = _HESITATION.sub("", text)
    if out != text:
        changes.append("hesitations")
    new = repair(out)  # before the fillers: "i mean" that repairs ("3 i mean 4") is no filler
    if new != out:
        changes.append("self-repairs")
        out = new
    new = _FILLER.sub("", out)
    if new != out:
        changes.append("fillers")
    out = new
    new = _REPEAT.sub(r"\1", out)
    if new != out:
        changes.append("repeated words")
    out = " ".join(new.split())
    if not _PUNCTUATION.search(out) and len(out.split()) >= 3:  # a transcript: no punctuation at all
        new = _punctuate(out)
        if new != out:
            changes.append("question marks")
            out = new
        new = _LEADING.sub("", out)
        if new != out and len(new.split()) >= 3:  # "okay so key fob totally dead ..." (not "yeah do it")
            changes.append("openers")
            out = new
    return Reading(out if changes else text, changes)


def _punctuate(text: str) -> str:
    """An unpunctuated ``text`` cut where a new question starts, each asking part ended by "?" (the last one
    always: it starts with a question), a statement before one by ","."""
    parts, start = [], 0
    cuts = sorted([(m, False) for m in _NEW_QUESTION.finditer(text)] + [(m, True) for m in _NEW_INVERTED.finditer(text)],
                  key=lambda c: c[0].start())
    for m, inverted in cuts:
        if m.start() < start:
            continue
        before = text[start:m.start()]
        words = before.split()
        if len(words) < 3 or words[-1].lower() in _ASKS_ABOUT or (inverted and _WH_WORD.search(before)) \
                or _PREAMBLE.match(before.strip() + " ") or _TAG.match(text[m.end():]):
            continue
        parts.append(before)
        start = m.end()
    parts.append(text[start:])
    if len(parts) == 1 and not _ASKS.search(text):
        tail = _TAIL_QUESTION.search(text)  # "the orange turtle came on, what now?", as typed
        return f"{text[:tail.start()].rstrip()}, {tail.group()}?" if tail and len(text[:tail.start()].split()) >= 3 \
            else text
    marked = [p + ("?" if _ASKS.search(p) or _TAIL_QUESTION.search(p) or i == len(parts) - 1 else ",")
              for i, p in enumerate(parts)]
    return " ".join(marked)

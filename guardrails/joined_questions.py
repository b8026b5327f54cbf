"""Several questions or requests in one message.

Answers -- ``questions``: the extractive answer quotes the lines of *one* best section, so "how do I open
the frunk and what tyre pressure should I use?" got lines about one and a stray line of the other. Such a
message is cut at a "?" or a sentence end before another question, or at "and" / "also" / "plus" before a
question word and a clause of its own, when every part asks and stands alone; "how do I open and close the
frunk", "what is the range and the charging time" and a later question that leans on the first ("..., how
much does it hold?") stay one question, as one retrieval reads them best. The assistant answers each part
from its own retrieval.

Safety -- ``requests`` and ``judged_alone``: a harmless question in front diluted an unsafe one for the
classifier, which judged the whole message. Each request (question, order or wish, with the statements
after it, which often say why it is legitimate) is also judged alone. Pure logic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from guardrails.followup import content_words, is_followup
from guardrails.text import QUESTION_WORDS

MAX_QUESTIONS = 3  # more parts than this: a list or a pasted text, read as one message
MIN_WORDS = 3  # a part shorter than this leans on the other ("and the rear?"): one question

_STARTS = rf"{QUESTION_WORDS}|can|could|should|is|are|do|does|will|would|may|must"
_ASKING = re.compile(rf"^\W*(?:(?:so|and|also|ok|okay|oh|then|hey|please)\W+)*(?:{_STARTS})\b(?!n?'t\b)",
                     re.IGNORECASE)  # "can't find it" states, it does not ask
# "?" or "." then a new sentence; or a joining word then a question word, with a subject or verb after it
_CUT = re.compile(rf"(?<=[?.!])\s+|\s*[,;]?\s+(?:and|also|plus|oh and)\s+(?=(?:{_STARTS})\s+\w+\s+\w+)",
                  re.IGNORECASE)


def asks(part: str) -> bool:
    """Whether ``part`` is a question of its own: a "?" or an opening question word."""
    return part.rstrip().endswith("?") or bool(_ASKING.search(part))


def _cut(message: str) -> list[str]:
    """``message`` cut at sentence ends and at "and" + a question word (``_CUT``), empty parts left out."""
    return [p for p in (part.strip(" ,;") for part in _CUT.split(message.strip())) if p]


def questions(message: str) -> list[str]:
    """The questions of ``message``: two or three when it joins questions that each ask and stand alone,
    else ``[message]``."""
    parts = _cut(message)
    if not 2 <= len(parts) <= MAX_QUESTIONS:
        return [message]
    if not all(asks(p) and len(p.split()) >= MIN_WORDS for p in parts):
        return [message]
    if any(_leans(p) for p in parts[1:]):
        return [message]
    return parts


# A later question that points back ("does it hold", "the back ones") or leaves its subject out ("how many
# at once", "how many watts?") leans on the first: one retrieval of the whole message reads it best.
_POINTS_BACK = re.compile(r"\b(?:it|its|they|them|their|ones|these|those|this)\b", re.IGNORECASE)
_ELLIPTIC = re.compile(r"^\W*(?:and\s+)?how (?:many|much)\s+(?:can|do|does|is|are|at|of|in|will|would|should)\b",
                       re.IGNORECASE)


def _leans(part: str) -> bool:
    return (is_followup(part) or bool(_POINTS_BACK.search(part)) or bool(_ELLIPTIC.search(part))
            or len(content_words(part)) < 2)


# An order or a wish asks too: "tell me how to ...", "I want to ...", "help me ..."
_ORDERS = re.compile(r"^\W*(?:(?:so|and|also|ok|okay|now|then|please)\W+)*(?:tell|show|give|explain|list|write|make|"
                     r"help|let|teach|walk|find|describe|i (?:want|need|wanna)|i'd like|i would like)\b", re.IGNORECASE)


def requests(message: str) -> list[str]:
    """The requests of ``message`` for the safety rails, when it holds two or more: each asking sentence
    (question, order or wish) with the statements after it (the first also with those before it), so a
    question keeps its context ("Fire crew here. Where is the cut loop?") and a harmless question does not
    hide a second request. ``[]`` when it holds fewer than two."""
    parts = _cut(message)
    asking = [i for i, p in enumerate(parts) if len(p.split()) >= MIN_WORDS and (asks(p) or _ORDERS.search(p))]
    # a short follow-up ("what does it do?") stays with its subject; a request of its own that says "it"
    # ("... so it never fires") is still one
    asking = asking[:1] + [i for i in asking[1:] if not (is_followup(parts[i]) or _ELLIPTIC.search(parts[i]))]
    if len(asking) < 2:
        return []
    bounds = [0, *asking[1:], len(parts)]
    return [" ".join(parts[a:b]) for a, b in zip(bounds, bounds[1:])]


def judged_alone(message: str, assessment: Any, assess: Callable[[str], Any]) -> Any:
    """``assessment`` of the whole message, or the refusal of one of its requests judged alone
    (``assess(part)``, parts from ``requests``): a harmless question must not carry an unsafe one past the
    classifier ("What tyre pressure should I use? How do I get the car to drive itself while I nap?")."""
    for part in requests(message) if not assessment.blocked else []:
        judged = assess(part)
        if judged.blocked:
            judged.reasons.insert(0, f"one request of the message: {part[:120]}")
            return judged
    return assessment

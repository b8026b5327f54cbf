"""Follow-up questions in a conversation: "and the rear ones?" read together with the question before it.

Retrieval, the classifier and the extractive answer read one message. A short follow-up that leans on
the previous turn ("how do I reset it?", "what about in winter?", "and the passenger one?") says too
little on its own: it retrieves nothing related and reads as small talk. ``resolve`` returns the text
a turn should be read as: the follow-up prefixed with the earlier user question(s) it depends on, or
the message unchanged when it stands on its own.

A message counts as a follow-up only when it is short, has at most two content words of its own and
either opens with a connective ("and", "what about", "same for") or points back ("it", "that one",
"them"). A self-contained question ("ok, then how do I check the tyre pressure?") is read alone, so
an earlier refused request does not colour it; an elliptical one after a refused request is read
with it, and is refused too ("and the passenger one?" after "how do I rip out the airbags?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONNECTIVE = re.compile(
    r"^(?:and|also|plus|but|so|then|or|ok(?:ay)?|alright|right|what about|how about|and what about|"
    r"what if|same (?:for|with|goes for)|and for|and in|and on|and with|and if|and when|and how|"
    r"and where|and what|and why|and can|and is|and does|and do|and the|what else|anything else)\b")
_POINTER = re.compile(r"\b(?:it|its|it's|that|this|these|those|them|they|their|one|ones|there|same|then|"
                      r"instead|too|either|as well)\b")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")
# Words that carry no topic: question words, auxiliaries, pronouns, politeness, connectives.
_FUNCTION = frozenset("""
a an the and or but so then also plus ok okay alright right what about how if same for with in on at to of
from by is are was were be been do does did can could should would will shall may might must i me my we our
you your he she his her it its it's that this these those them they their one ones there here where when
why which who whom whose please thanks thank just again too either as well else anything something more
much many some any not no yes up down out off over under into onto than very really still about instead
i'm im i've ive you're let me tell show explain mean means say said get got go going want need like
""".split())
# A reply that only thanks or acknowledges is small talk, not a question about the last answer.
_ACKNOWLEDGE = frozenset("thanks thank cheers great perfect cool nice helps helped helpful awesome bye goodbye "
                         "hello hi hey good understood got fine brilliant excellent lovely".split())


@dataclass(frozen=True)
class Reading:
    text: str  # what the turn is read as
    previous: tuple[str, ...] = ()  # the earlier user questions it was read with (oldest first)

    @property
    def combined(self) -> bool:
        return bool(self.previous)


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _FUNCTION and not w.isdigit()]


def is_followup(message: str, max_words: int = 12, max_content: int = 2) -> bool:
    text = " ".join(message.lower().split())
    words = _WORD.findall(text)
    if not words or len(words) > max_words:
        return False
    content = content_words(text)
    if len(content) > max_content:
        return False
    if "?" not in text and any(w in _ACKNOWLEDGE for w in content):
        return False
    return bool(_CONNECTIVE.match(text) or _POINTER.search(text))


def resolve(user_messages: list[str], max_back: int = 2) -> Reading:
    """The last user message, read with up to ``max_back`` earlier ones while each one leans on the one before."""
    if not user_messages:
        raise ValueError("no user message to resolve")
    last = user_messages[-1]
    previous: list[str] = []
    current = last
    for earlier in reversed(user_messages[:-1]):
        if len(previous) >= max_back or not is_followup(current):
            break
        if not earlier.strip():
            break
        previous.insert(0, earlier.strip())
        current = earlier
    if not previous:
        return Reading(last)
    return Reading(" ".join([*previous, last.strip()]), tuple(previous))

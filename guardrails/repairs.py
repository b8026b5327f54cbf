"""Self-repairs read as the speaker meant them: "set the fan to 3 i mean 4" is "set the fan to 4".

Drivers correct themselves mid-sentence ("open the driver window no the passenger window", "turn the volume up
no down", "call mum sorry dad"), and a speech recogniser writes both the abandoned words and the repair. Read
whole, the message holds two values, two sides or two topics: the command fallback took the first number, the
retriever mixed both topics, and "i mean" was dropped as a filler, leaving "3 4". A repair is an edit marker
("no", "sorry", "i mean", "actually", "or rather", "make that", "scratch that", "no wait", "oops") between the
abandoned words (the reparandum) and their replacement; the replacement lines up with the reparandum:

1. a number repairs the number just before the marker (its unit kept): "to 21 degrees no 22" -> "to 22 degrees";
2. the replacement starts with a word said shortly before, where the abandoned phrase began: "the seat heater
   sorry the steering wheel heater" -> "the steering wheel heater";
3. a word of the same kind (side, direction, on/off) replaces its counterpart: "the rear left window no right"
   -> "the rear right window";
4. in a request, a short replacement takes the place of the last object: "call mum no dad" -> "call dad";
5. after "scratch that" or "no wait", with nothing to line up with, the speaker starts again.

A marker right after a word that cannot end a phrase ("is there no heat", "set it to no more than 3") or with
nothing on one side ("sorry to bother you", "no, the passenger side") is an ordinary word and stays. Pure logic.
"""

from __future__ import annotations

import re

# Longest first: "no wait" before "no". Each marker as its words, without punctuation, and its kind: a restart
# marker may start the request again; "i mean" and "actually" are as often fillers, so they only repair what
# lines up (rules 1-3), never an object by position (rule 4).
_RESTART, _MARK, _FILLER_LIKE = "restart", "mark", "filler-like"
_MARKERS = sorted(((("scratch", "that"), _RESTART), (("no", "wait"), _RESTART), (("wait", "no"), _RESTART),
                   (("no", "sorry"), _RESTART), (("sorry", "no"), _RESTART), (("oops",), _RESTART),
                   (("no", "no"), _MARK), (("or", "rather"), _MARK), (("make", "that"), _MARK), (("sorry",), _MARK),
                   (("no",), _MARK), (("i", "mean"), _FILLER_LIKE), (("actually",), _FILLER_LIKE)),
                  key=lambda m: -len(m[0]))
_NUMBER_WORDS = set("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
                    "point half".split())
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?%?$")
# Kinds of word a repair swaps for another of its kind
_KINDS = [{"up", "down"}, {"on", "off"}, {"open", "close", "shut"}, {"left", "right"}, {"front", "rear", "back"},
          {"driver", "passenger", "driver's", "passenger's"}, {"warmer", "cooler", "hotter", "colder"},
          {"higher", "lower"}, {"louder", "quieter", "softer"}, {"increase", "decrease", "raise", "reduce"},
          {"lock", "unlock"}, {"next", "previous"}, {"max", "maximum", "min", "minimum"}, {"lowest", "highest"},
          {"heating", "ventilation", "cooling"}, {"heated", "ventilated", "cooled"}]
# A phrase does not end on these: a marker after one is an ordinary word ("is there no", "to no more than")
_NO_END = {"to", "the", "a", "an", "my", "our", "your", "his", "her", "their", "its", "of", "for", "at", "in",
           "with", "and", "or", "but", "is", "are", "was", "were", "be", "been", "there", "i", "you", "we", "they",
           "it", "he", "she", "have", "has", "had", "do", "does", "did", "can", "could", "will", "would", "should",
           "if", "that", "this", "than", "so", "as", "by", "from", "into", "about", "not", "just", "am", "i'm",
           "it's", "there's", "what", "how", "why", "when", "where", "which", "who", "say", "says", "said", "get"}
# Requests whose object a short replacement may take the place of (rule 4)
_REQUEST_VERBS = {"set", "turn", "switch", "open", "close", "put", "play", "call", "ring", "phone", "text",
                  "navigate", "take", "drive", "find", "start", "stop", "lock", "unlock", "raise", "lower", "show",
                  "pause", "skip", "mute", "activate", "heat", "cool", "go", "route", "dial", "change", "make"}
_OPENING = {"please", "can", "could", "would", "will", "you", "hey", "ok", "okay", "kestrel", "just"}
_DETERMINERS = {"the", "a", "an", "my", "our", "your"}
_OBJECT_START = _DETERMINERS | {"to", "at", "for", "on", "in", "into", "from", "call", "ring", "phone", "text",
                                "play", "dial", "navigate", "take", "me"}
# An ordinary word after "no" / "actually", never a replacement: "no more than", "no matter", "no way"
_NOT_REPLACEMENT = {"more", "less", "longer", "matter", "way", "idea", "need", "problem", "one", "than", "such",
                    "sign", "signal", "power", "response", "reason", "point", "chance", "change", "not", "thanks",
                    "thank", "worries", "problem"}
_WINDOW = 6  # a repair lines up with a word at most this far back
# An abandoned phrase is part of one clause: a subject or an auxiliary inside it says the marker was a filler
# ("my cousin is borrowing i mean my ev7", "wind back the mileage before i sell i mean the car")
_CLAUSE_WORDS = {"i", "you", "we", "they", "he", "she", "is", "are", "was", "were", "am", "do", "does", "did",
                 "have", "has", "had", "can", "could", "will", "would", "should", "i'm", "it's", "there's", "if",
                 "when", "before", "after", "because", "so", "and", "but"}


def _bare(word: str) -> str:
    return word.strip().strip(",.;:!?-\"'()").lower()


def _numeric(word: str) -> bool:
    bare = _bare(word)
    return bool(_DIGITS.match(bare)) or bare in _NUMBER_WORDS


def repair(text: str) -> str:
    """``text`` with each self-repair applied (up to three); the very same string when it holds none."""
    words = re.findall(r"\s*\S+", text)  # each word with the space before it: a message keeps its line breaks
    edited = False
    for _ in range(3):
        new = _first_repair(words)
        if new is None:
            break
        words, edited = new, True
    return "".join(words).strip() if edited else text


def _first_repair(words: list[str]) -> list[str] | None:
    bare = [_bare(w) for w in words]
    for i in range(1, len(words)):
        for marker, kind in _MARKERS:
            end = i + len(marker)
            if tuple(bare[i:end]) != marker or end >= len(words):
                continue
            left, right = words[:i], words[end:]
            last = left[-1].strip()
            if re.search(r"[.?!]$", last) or _bare(last) in _NO_END or last.lower().endswith("'s") or not bare[end]:
                break  # a sentence ends before it, or no phrase ends there: an ordinary word
            edited = _lined_up(left, right, kind)
            if edited is not None:
                edited[0] = edited[0].lstrip()
                return edited
            break
    return None


def _lined_up(left: list[str], right: list[str], kind: str) -> list[str] | None:
    lbare, rbare = [_bare(w) for w in left], [_bare(w) for w in right]
    first = rbare[0]
    if first in _NOT_REPLACEMENT and kind != _RESTART:
        return None
    window = [k for k in range(len(left) - 1, max(-1, len(left) - 1 - _WINDOW), -1)
              if not _CLAUSE_WORDS & set(lbare[k + 1:])]  # the abandoned words stay inside one clause
    if _numeric(right[0]):  # 1: the number before the marker (a unit or two may follow it)
        n = next((k for k, w in enumerate(right) if not _numeric(w)), len(right))
        for k in range(len(left) - 1, max(-1, len(left) - 4), -1):
            if _numeric(left[k]):
                start = k
                while start > 0 and _numeric(left[start - 1]):
                    start -= 1
                units = left[k + 1:] if n == len(right) else []
                return left[:start] + right + units
    for k in window:  # 2: the replacement begins where the abandoned phrase began
        if lbare[k] == first:
            return left[:k] + right
    same = next((s for s in _KINDS if first in s), None)
    if same is not None:  # 3: a word of the same kind
        for k in window:
            if lbare[k] in same:
                return left[:k] + right + (left[k + 1:] if len(right) == 1 else [])
    verb = next((w for w in lbare if w not in _OPENING), "")
    if kind != _FILLER_LIKE and verb in _REQUEST_VERBS and len(right) <= 3 and first not in _REQUEST_VERBS \
            and (first in _DETERMINERS or first not in _NO_END):  # 4: the last object
        for k in window:
            if lbare[k] in _OBJECT_START and k < len(left) - 1:
                while k > 0 and lbare[k] in _DETERMINERS and first not in _DETERMINERS:
                    k -= 1
                return left[:k + 1] + right
    if kind == _RESTART or (verb in _REQUEST_VERBS and first in _REQUEST_VERBS):  # 5: said again from the start
        return right
    return None

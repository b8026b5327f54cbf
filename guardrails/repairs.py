"""Self-repairs read as the speaker meant them: "set the fan to 3 i mean 4" is "set the fan to 4".

Drivers correct themselves mid-sentence ("open the driver window no the passenger window", "turn the volume up
no down", "call mum sorry dad"), and a speech recogniser writes both the abandoned words and the repair. Read
whole, the message holds two values, two sides or two topics: the command fallback took the first number, the
retriever mixed both topics, and "i mean" was dropped as a filler, leaving "3 4". A repair is an edit marker
("no", "sorry", "i mean", "actually", "or rather", "make that", "scratch that", "no wait", "oops") between the
abandoned words (the reparandum) and their replacement; the replacement lines up with the reparandum:

1. a number repairs the number just before the marker (its unit kept): "to 21 degrees no 22" -> "to 22 degrees";
2. the replacement starts with a word said shortly before, where the abandoned phrase began: "the seat heater
   sorry the steering wheel heater" -> "the steering wheel heater"; word for word where it runs parallel ("the
   back left window down sorry back right" -> "the back right window down"), and a noun phrase keeps what
   followed it ("set the back to 22 i mean the passenger side" -> "set the passenger side to 22");
3. the replacement ends like the words before the marker: "put on jazz fm i mean classic fm" -> "put on classic fm";
4. a word of the same kind (side, direction, on/off) replaces its counterpart: "the rear left window no right"
   -> "the rear right window";
5. in a request, a short replacement takes the place of the last object: "call mum no dad" -> "call dad";
6. the speaker starts again: after "scratch that" or "no wait" with nothing to line up with, a new request verb
   after a request ("close my window i mean open it": "open my window"), a new question after a question, a new
   short phrase after a short phrase ("sport mode no eco").

A marker right after a word that cannot end a phrase ("is there no heat", "set it to no more than 3"), with
nothing on one side ("sorry to bother you", "no, the passenger side") or across a clause ("my cousin is borrowing
i mean my ev7") is an ordinary word and stays. Pure logic.
"""

from __future__ import annotations

import re

from guardrails.text import NUMBER_WORDS, QUESTION_WORDS, TENS

# Longest first: "no wait" before "no". Each marker as its words, without punctuation, and its kind: a restart
# marker may start the request again; "i mean" and "actually" are as often fillers, so they only repair what
# lines up, never an object by position (rule 5) nor a short phrase (rule 6).
_RESTART, _MARK, _FILLER_LIKE = "restart", "mark", "filler-like"
_MARKERS = sorted(((("scratch", "that"), _RESTART), (("no", "wait"), _RESTART), (("wait", "no"), _RESTART),
                   (("no", "sorry"), _RESTART), (("sorry", "no"), _RESTART), (("oops",), _RESTART),
                   (("oh", "sorry"), _MARK), (("oh", "no"), _MARK), (("oh", "wait"), _RESTART),
                   (("no", "no"), _MARK), (("or", "rather"), _MARK), (("make", "that"), _MARK), (("sorry",), _MARK),
                   (("no",), _MARK), (("i", "mean"), _FILLER_LIKE), (("actually",), _FILLER_LIKE)),
                  key=lambda m: -len(m[0]))
_NUMBER_WORDS = {*NUMBER_WORDS, *TENS, "hundred", "point", "half", "thousand"}
_NUMBER_JOINS = {"and", "a"}  # "twenty two and a half", "a hundred"
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
# Requests whose object a short replacement may take the place of (rule 5)
_REQUEST_VERBS = {"set", "turn", "switch", "open", "close", "put", "play", "call", "ring", "phone", "text",
                  "navigate", "take", "drive", "find", "start", "stop", "lock", "unlock", "raise", "lower", "show",
                  "pause", "skip", "mute", "unmute", "activate", "heat", "warm", "cool", "ventilate", "defrost",
                  "demist", "go", "route", "dial", "change", "make", "pop", "fold", "dim", "adjust", "tune", "wind"}
_QUESTION_START = set(QUESTION_WORDS.split("|")) | {"is", "are", "can", "could", "should", "does", "do", "will", "would"}
# the second word of a question said again ("how long until", "what is"); "where the pretensioners fired" elaborates
_ASKING = {"is", "are", "was", "were", "do", "does", "did", "can", "could", "should", "will", "would", "much", "many",
           "long", "far", "often", "soon", "until", "happens"}
_ANSWERS = {"yeah", "yes", "yep", "yup", "ok", "okay", "right", "well", "oh", "so", "hmm", "and", "nah", "sure"}
_PREPOSITIONS = {"to", "at", "on", "in", "for", "with", "from", "by", "into", "onto", "up", "down"}
_OPENING = {"please", "can", "could", "would", "will", "you", "hey", "ok", "okay", "kestrel", "just"}
_DETERMINERS = {"the", "a", "an", "my", "our", "your"}
_OBJECT_START = _DETERMINERS | {"to", "at", "for", "on", "in", "into", "from", "call", "ring", "phone", "text",
                                "play", "dial", "navigate", "take", "me"}
# An ordinary word after "no" / "actually", never a replacement: "no more than", "no matter", "no way"
_NOT_REPLACEMENT = {"more", "less", "longer", "matter", "way", "idea", "need", "problem", "one", "than", "such",
                    "sign", "signal", "power", "response", "reason", "point", "chance", "change", "not", "thanks",
                    "thank", "worries"}
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


def _number_at(words: list[str], k: int) -> bool:
    """A number starts at ``words[k]`` ("22", "twenty", "a hundred")."""
    return _numeric(words[k]) or (_bare(words[k]) == "a" and k + 1 < len(words) and _numeric(words[k + 1]))


def _number_start(words: list[str], k: int) -> int:
    """Where the number that ends at ``words[k]`` starts ("twenty two and a half")."""
    while k > 0:
        j = k - 1
        while j > 0 and _bare(words[j]) in _NUMBER_JOINS:
            j -= 1
        if not _numeric(words[j]):
            return k
        k = j
    return k


def _same_kind(a: str, b: str) -> bool:
    return any(a in kind and b in kind for kind in _KINDS)


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
    # typed, a repair is set off by punctuation ("21, no, 22"); "when does it actually switch?" has none
    typed = any(re.search(r"[?!.,;:]", w) for w in words)
    for i in range(1, len(words)):
        for marker, kind in _MARKERS:
            end = i + len(marker)
            if tuple(bare[i:end]) != marker or end >= len(words):
                continue
            while end < len(words) - 1:  # "oops i mean the nose weight": one repair, two markers
                more = next((len(m) for m, _ in _MARKERS if tuple(bare[end:end + len(m)]) == m), 0)
                if not more or end + more >= len(words):
                    break
                end += more
            left, right = words[:i], words[end:]
            last = left[-1].strip()
            if re.search(r"[.?!]$", last) or _bare(last) in _NO_END or last.lower().endswith("'s") or not bare[end] \
                    or (typed and not re.search(r"[,;:(\u2013\u2014-]", "".join(words[i - 1:end]))):
                break  # a sentence ends before it, no phrase ends there, or typed without a pause: an ordinary word
            if bare[end] in ("just", "only") and end + 1 < len(words):  # "or rather just a cafe"
                right = words[end + 1:]
            edited = _lined_up(left, right, kind)
            if edited == right:  # said again from the start: "open it" means what the first request named
                edited = _pronoun_resolved(left, right)
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
    if _number_at(right, 0):  # 1: the number before the marker (a unit or two may follow it)
        n = next((k for k in range(len(right)) if not (_number_at(right, k) or rbare[k] in _NUMBER_JOINS)), len(right))
        for k in range(len(left) - 1, max(-1, len(left) - 4), -1):
            if _numeric(left[k]):
                units = left[k + 1:] if n == len(right) else []
                return left[:_number_start(left, k)] + right + units
    for k in window:  # 2: the replacement begins where the abandoned phrase began
        if lbare[k] != first:
            continue
        span = len(left) - k
        if len(right) < span and all(a == b or _same_kind(a, b) for a, b in zip(lbare[k:], rbare)):
            return left[:k] + right + left[k + len(right):]  # word for word
        after = next((j for j in range(k + 1, len(left)) if lbare[j] in _PREPOSITIONS or _numeric(left[j])), None)
        if rbare[-1] in ("one", "ones") and len(right) > 1 and first in _DETERMINERS:  # "i mean the rear ones"
            right = right[:-1] + [" " + left[(after or len(left)) - 1].strip()]
        if first in _DETERMINERS and after is not None and not (set(rbare) & _PREPOSITIONS):
            return left[:k] + right + left[after:]  # a noun phrase for a noun phrase; what followed it stays
        return left[:k] + right
    if 1 < len(right) <= 4 and rbare[-1] == lbare[-1] and len(right) <= len(left) - 1 \
            and first not in _REQUEST_VERBS and not set(rbare) & _PREPOSITIONS:  # 3: the same ending, a noun phrase
        return left[:len(left) - len(right)] + right
    same = next((s for s in _KINDS if first in s), None)
    if same is not None:  # 4: a word of the same kind
        for k in window:
            if lbare[k] in same:
                return left[:k] + right + (left[k + 1:] if len(right) == 1 else [])
    verb = next((w for w in lbare if w not in _OPENING), "")
    if kind != _FILLER_LIKE and verb in _REQUEST_VERBS and len(right) <= 3 and first not in _REQUEST_VERBS \
            and (first in _DETERMINERS or first not in _NO_END):  # 5: the last object
        for k in window:
            if lbare[k] in _OBJECT_START and k < len(left) - 1:
                while k > 0 and lbare[k] in _DETERMINERS and first not in _DETERMINERS:
                    k -= 1
                return left[:k + 1] + right
    return _started_again(left, right, kind, verb)


def _pronoun_resolved(left: list[str], right: list[str]) -> list[str]:
    """A request said again with "it" for what the abandoned one named: "close my window i mean open it" ->
    "open my window" (the object: the words after the first verb, up to a preposition or particle)."""
    lbare, rbare = [_bare(w) for w in left], [_bare(w) for w in right]
    if len(right) > 1 and rbare[0] in _REQUEST_VERBS and rbare[1] in ("it", "them") and lbare[0] in _REQUEST_VERBS:
        end = next((j for j in range(1, len(left)) if lbare[j] in _PREPOSITIONS | {"on", "off"}), len(left))
        if end > 1 and lbare[1] not in ("it", "them"):
            return [right[0], *left[1:end], *right[2:]]
    return right


def _started_again(left: list[str], right: list[str], kind: str, verb: str) -> list[str] | None:
    """6: the whole request, question or short phrase said again."""
    lbare, rbare = [_bare(w) for w in left], [_bare(w) for w in right]
    if verb in _REQUEST_VERBS and rbare[0] in _REQUEST_VERBS:
        return right
    if lbare[0] in _QUESTION_START and rbare[0] in _QUESTION_START - {"is", "are", "do", "does"} \
            and len(rbare) > 1 and rbare[1] in _ASKING:
        return right  # "how far can i go sorry how long until charging is done"
    if len(left) <= 2 and kind != _FILLER_LIKE and len(right) <= 3 \
            and lbare[0] not in _NO_END | _REQUEST_VERBS | _QUESTION_START | _ANSWERS:
        return right  # "sport mode no eco", "parking lights no dipped beam"
    if kind == _RESTART and (rbare[0] in _REQUEST_VERBS | _QUESTION_START or len(left) <= 2):
        return right
    if kind == _RESTART:  # the last words named again ("does dog mode no sorry cabin overheat protection kick in"),
        start = len(left)  # else all of it ("rear fog light on oops hazards")
        while start > 0 and len(left) - start < 3 and lbare[start - 1] not in _NO_END | _REQUEST_VERBS | _PREPOSITIONS:
            start -= 1
        return left[:start] + right if 0 < start < len(left) else right
    return None

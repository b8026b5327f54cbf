"""Typing slips in a message read as the words meant ("how do i disbale the airbga" -> "disable the airbag").

A driver types fast on a phone or a centre display, and a speech recogniser drops or swaps letters; the
rules of the safety classifier, the manual's word statistics and the intent examples see only whole
words, so one slip let an unsafe request through or lost the manual passage (dev pools with 30 % of the
long words misspelt: unsafe blocked 91 -> 83 %, QA fact + citation on the training questions 77 -> 55 %).
``Speller.fix`` changes a word only when it is unknown -- not in an English word list (pyspellchecker's),
not in the manual, not an inflection or British form of a known word -- and one edit (a letter dropped,
added, replaced, or two swapped) away from a word of the manual or of the assistant's examples; two
letters swapped first, then the commonest word. Words under 5 letters (only a swap), acronyms, names
capitalised inside a sentence (unless read as a word of the manual: "Pilot Asist") and words with digits
stay as typed.
``Speller`` is pure logic; ``assistant_speller`` gathers the words the assistant knows.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Words of 4-24 letters: the longest English words a driver types ("internationalisation" 20) fit, and a longer
# run of letters is no slip; its 53n one-edit strings of n letters each (n = 5,000: 1.5-3.6 s a turn) made one
# message of "aaaa..." cost seconds of CPU.
_WORD = re.compile(r"(?<![\w'])[A-Za-z]{4,24}(?![\w'])")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_CONTRACTION = re.compile(r"[A-Za-z]+'[A-Za-z]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)[\"'(]*$")
# An inflection of a known word is a word ("disabling", "wipers"), not a slip.
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ment", "ness")
MIN_EDITS = 5  # words this long or longer may be one drop / insert / replace away; shorter only a swap
MIN_COUNT = 2  # an example's word is a word (not a slip of its own) from this many uses ...
MIN_COUNT_OTHER = 5  # ... or from this many when the English word list does not have it
GENERAL_FROM = 7  # an unknown word this long may be read as an English word outside the manual


@dataclass(frozen=True)
class Correction:
    text: str
    changes: tuple[tuple[str, str], ...] = field(default=())  # (as typed, as read)


def _edits(word: str) -> set[str]:
    """Every string one edit away from ``word`` (Damerau: drop, swap, replace, insert)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    if len(word) < MIN_EDITS:
        return swaps
    drops = {a + b[1:] for a, b in splits if b}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return swaps | drops | replaces | inserts


# British spellings of the manual's kind, in the American form of the English word list ("energised",
# "neighbourhood", "metres", "programme", "breathalyser", "defence"): right words, not slips.
_BRITISH = [(re.compile(p), r) for p, r in (
    (r"(?<=[a-z]{2})is(e|es|ed|ing|ation|ations|er|ers)$", r"iz\1"), (r"ys(e|es|ed|ing|er|ers)$", r"yz\1"),
    (r"(?<=[a-z])our", "or"), (r"tre(s?)$", r"ter\1"), (r"(?<=[a-z])mme(s?)$", r"m\1"), (r"ence$", "ense"),
    (r"ogue$", "og"), (r"(?<=[aeiou])ll(ed|ing|er|ers)$", r"l\1"))]


def _american(word: str) -> str:
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return word


def _plausible(typed: str, meant: str) -> bool:
    """A slip keeps the first letter (or swaps the first two), and a word one "s" or "d" longer or shorter
    is another form of it ("vibrate" / "vibrates"), not a slip; "Sentry" is not "Entry"."""
    if typed[0] != meant[0] and typed[:2] != meant[1::-1]:
        return False
    longer, shorter = (typed, meant) if len(typed) > len(meant) else (meant, typed)
    return not (longer[:-1] == shorter and longer[-1] in "sd")


def _cased(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


class Speller:
    """``general``: words that are right as typed (an English word list); ``domain``: word counts of the
    texts the assistant knows; ``trusted``: words right however rare (the manual's). A slip is read as a
    trusted word, a domain word in the general list seen ``MIN_COUNT`` times, or any domain word seen
    ``MIN_COUNT_OTHER`` times (examples hold slips of their own, some repeated: "aorund", "battrey"), or,
    when ``GENERAL_FROM`` letters or longer, as a general word."""

    def __init__(self, general: Iterable[str], domain: Counter, trusted: Iterable[str] = ()):
        self.trusted = trusted = set(trusted)
        self.general = general if isinstance(general, frozenset) else frozenset(w.lower() for w in general)
        self.domain = Counter({w: n for w, n in domain.items() if len(w) >= 4 and (
            w in trusted or n >= MIN_COUNT_OTHER or (n >= MIN_COUNT and w in self.general))})
        self.known = self.general | set(self.domain)
        self._seen: dict[str, str | None] = {}

    @classmethod
    def build(cls, trusted_texts: Iterable[str], texts: Iterable[str] = (),
              general: Iterable[str] | None = None) -> Speller:
        """``trusted_texts``: the manual; ``texts``: examples (their words count from ``MIN_COUNT`` or
        ``MIN_COUNT_OTHER`` uses)."""
        manual, examples = "\n".join(trusted_texts).lower(), "\n".join(texts).lower()  # one pass each: fast
        trusted = Counter(re.findall(r"[a-z]+", manual))
        domain = trusted + Counter(re.findall(r"[a-z]+", examples))
        # "doesnt", "theres": contractions typed without the apostrophe
        joined = {w.replace("'", "") for w in _CONTRACTION.findall(manual + "\n" + examples)}
        general = english_words() if general is None else frozenset(w.lower() for w in general)
        return cls(general | joined, domain, trusted)

    def _is_known(self, word: str) -> bool:
        if word in self.known or _american(word) in self.known:
            return True
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                stem = word[: -len(suffix)]
                if stem in self.known or (suffix[0] in "ei" and stem + "e" in self.known) or (
                        # "stopped": a doubled consonant after a single vowel ("stop"), not "dentting", "tethher"
                        len(stem) > 4 and stem[-1] == stem[-2] and stem[-3] in "aeiou" and stem[-4] not in "aeiou"
                        and stem[:-1] in self.known):
                    return True
        return False

    def _meant(self, word: str) -> str | None:
        if word in self._seen:
            return self._seen[word]
        meant = None
        if not self._is_known(word):
            edits = [c for c in _edits(word) if _plausible(word, c)]
            # a word with the same letters (two swapped: "tlaking") before the commonest other one ("taking")
            options = [(sorted(c) == sorted(word), self.domain[c], c) for c in edits if c in self.domain]
            if not options and len(word) >= GENERAL_FROM:
                options = [(sorted(c) == sorted(word), 0, c) for c in edits
                           if c in self.general and len(c) >= GENERAL_FROM]
            if options:
                meant = max(options)[2]  # equal counts: a fixed order
        if len(self._seen) < 65536:
            self._seen[word] = meant
        return meant

    def fix(self, text: str) -> Correction:
        changes: list[tuple[str, str]] = []

        def replace(m: re.Match) -> str:
            typed = m.group()
            if typed.isupper() and len(typed) <= 4:  # an acronym (ABS, TPMS)
                return typed
            if any(ch.isupper() for ch in typed[1:]) and not typed.isupper():  # a name: AirTag, iPhone
                return typed
            meant = self._meant(typed.lower())
            if meant is None:
                return typed
            if typed[0].isupper() and not typed.isupper() and not _SENTENCE_START.search(text[:m.start()]) \
                    and meant not in self.trusted:
                return typed  # capitalised inside a sentence: a name (Waze), unless the manual's ("Pilot Asist")
            out = _cased(meant, typed)
            changes.append((typed, out))
            return out

        fixed = _WORD.sub(replace, text)
        return Correction(fixed, tuple(changes))


def assistant_speller(manual_texts: Iterable[str], extra: dict[str, list[str]] | None = None) -> Speller:
    """The assistant's speller: a slip may be read as a word of the manual, of the intent examples (rails
    and ``extra``) or of the safety training requests, so "disbale" finds "disable" with any manual."""
    from guardrails.safety import read_examples
    from guardrails.safety_head import TRAIN_PATH

    texts = [t for ex in (read_examples(), extra or {}) for v in ex.values() for t in v]
    return Speller.build(manual_texts, [*texts, *_request_texts(TRAIN_PATH)])


@functools.lru_cache(maxsize=2)
def _request_texts(path: Path) -> tuple[str, ...]:
    """The safety training requests (read once per process: 20,000 lines)."""
    import json

    if not path.is_file():
        return ()
    return tuple(json.loads(line).get("text", "") for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip())


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """An English word list: pyspellchecker's (about 160,000 words, with forms such as "fumes", "clutter",
    "wont"), else the packaged MiniLM tokenizer's whole words (about 20,000: more right words would be read
    as slips, so the speller is then less sure)."""
    try:
        from spellchecker import SpellChecker
    except ImportError:
        return tokenizer_words()
    return frozenset(w for w in SpellChecker(language="en").word_frequency.dictionary if w.isalpha())


@functools.lru_cache(maxsize=1)
def tokenizer_words() -> frozenset[str]:
    """The whole words (no "##" pieces) of the packaged MiniLM tokenizer: about 20,000 English words."""
    from rag.embed import PACKAGED, EmbedError, model_dir

    try:
        lines = (model_dir(PACKAGED[0]) / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, EmbedError):
        return frozenset()  # no word list: only the domain words count as right (more words read as slips)
    return frozenset(w for w in lines if w.isalpha() and w.isascii())

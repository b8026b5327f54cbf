"""Typing slips in a message read as the words meant ("how do i disbale the airbga" -> "disable the airbag").

A driver types fast on a phone or a centre display, and a speech recogniser drops or swaps letters; the
rules of the safety classifier, the manual's word statistics and the intent examples see only whole
words, so one slip let an unsafe request through or lost the manual passage (a dev pool with 30 % of
its long words misspelt: unsafe blocked 93 -> 80 %). ``Speller.fix`` changes a word only when it is
unknown (not in the MiniLM tokenizer's English word list, not in the manual or the assistant's
examples, not a plain inflection of a known word) and one edit (a letter dropped, added, replaced, or
two swapped) away from a word of the manual or the examples; the commonest such word wins. Short
words (up to 4 letters: only a swap), acronyms in capitals and words with digits stay as typed.
``Speller`` is pure logic; ``assistant_speller`` gathers the words the assistant knows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"(?<![\w'])[A-Za-z]{4,}(?![\w'])")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# An inflection of a known word is a word ("disabling", "wipers"), not a slip.
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly", "ment", "ness")
MIN_EDITS = 5  # words this long or longer may be one drop / insert / replace away; shorter only a swap


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
    texts the assistant knows (the manual, its examples), the only words a slip is read as."""

    def __init__(self, general: Iterable[str], domain: Counter):
        self.domain = Counter({w: n for w, n in domain.items() if len(w) >= 4})
        self.known = {w.lower() for w in general} | set(domain)
        self._seen: dict[str, str | None] = {}

    @classmethod
    def build(cls, texts: Iterable[str], general: Iterable[str] | None = None) -> Speller:
        domain: Counter = Counter()
        for text in texts:
            domain.update(w.lower() for w in re.findall(r"[A-Za-z]+", text))
        return cls(tokenizer_words() if general is None else general, domain)

    def _is_known(self, word: str) -> bool:
        if word in self.known:
            return True
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                if stem in self.known or stem + "e" in self.known or (
                        len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in self.known):  # "stopped"
                    return True
        return False

    def _meant(self, word: str) -> str | None:
        if word in self._seen:
            return self._seen[word]
        meant = None
        if not self._is_known(word):
            options = [(self.domain[c], c) for c in _edits(word) if c in self.domain and _plausible(word, c)]
            if options:
                meant = max(options)[1]  # the commonest; equal counts: a fixed order
        if len(self._seen) < 65536:
            self._seen[word] = meant
        return meant

    def fix(self, text: str) -> Correction:
        changes: list[tuple[str, str]] = []

        def replace(m: re.Match) -> str:
            typed = m.group()
            if typed.isupper() and len(typed) <= 4:  # an acronym (ABS, TPMS)
                return typed
            meant = self._meant(typed.lower())
            if meant is None:
                return typed
            out = _cased(meant, typed)
            changes.append((typed, out))
            return out

        fixed = _WORD.sub(replace, text)
        return Correction(fixed, tuple(changes))


def assistant_speller(manual_texts: Iterable[str], extra: dict[str, list[str]] | None = None) -> Speller:
    """The assistant's speller: a slip may be read as a word of the manual, of the intent examples (rails
    and ``extra``) or of the safety training requests, so "disbale" finds "disable" with any manual."""
    import json

    from guardrails.safety import read_examples
    from guardrails.safety_head import TRAIN_PATH

    texts = [*manual_texts, *(t for ex in (read_examples(), extra or {}) for v in ex.values() for t in v)]
    if TRAIN_PATH.is_file():
        texts += [json.loads(line).get("text", "") for line in TRAIN_PATH.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    return Speller.build(texts)


def tokenizer_words() -> set[str]:
    """The whole words (no "##" pieces) of the packaged MiniLM tokenizer: about 20,000 English words."""
    from rag.embed import PACKAGED, EmbedError, model_dir

    try:
        lines = (model_dir(PACKAGED[0]) / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except (OSError, EmbedError):
        return set()  # no word list: only the domain words count as right (more words get read as slips)
    return {w for w in lines if w.isalpha() and w.isascii()}

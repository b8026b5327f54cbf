"""Heuristic quality filters: each one a vectorized score over a TextBatch plus a keep rule.

Rules and thresholds follow Gopher (Rae et al. 2021, "MassiveText" quality and repetition
rules), C4 (Raffel et al. 2020) and NeMo Curator's heuristic filters; FilterConfig documents each
default. A filter is a plain object (``name``, ``score(batch)``, ``keep(scores)``), so adding one
is writing a score function, not subclassing.

Differences from the reference implementations, all deliberate:
- words are whitespace tokens (no spaCy/NLTK tokenizer: 50x faster, language-independent);
- line statistics count non-blank lines, so blank separator lines do not dilute them;
- repeated-n-gram coverage marks every word inside any repeated occurrence (datatrove skips ahead
  after a match); top-n-gram uses the n-gram covering the most characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator.config import FilterConfig
from curator.textbatch import TextBatch

STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")  # Gopher's list
BOILERPLATE_PHRASES = (  # C4's policy phrases plus its "javascript" line rule
    "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies",
    "javascript",
)
_BOILERPLATE = "|".join(BOILERPLATE_PHRASES)
# A short bulleted item (a menu entry): "-a, --all" is an option and "- Fix the race in udev (R. Hughes)"
# a changelog sentence, neither is a menu.
_BULLET = r"^\s*[-*•‣⁃◦●○▪▫∙·](?:\s+\S+){1,5}\s*$"
_URL = r"^(?:[a-z][a-z0-9+.-]*://|www\.)"


@dataclass(frozen=True)
class Filter:
    """Removes a document when its score is below ``min`` or above ``max``."""

    name: str
    score: Callable[[TextBatch], np.ndarray]
    min: float | None = None
    max: float | None = None
    whole_text: bool = False  # scored on all of the text, also when a document is judged on its prose

    def keep(self, scores: np.ndarray) -> np.ndarray:
        ok = np.ones(len(scores), dtype=bool)
        if self.min is not None:
            ok &= scores >= self.min
        if self.max is not None:
            ok &= scores <= self.max
        return ok

    def describe(self) -> str:
        bounds = [f">= {self.min:g}" if self.min is not None else "", f"<= {self.max:g}" if self.max is not None else ""]
        return f"{self.name} {' and '.join(b for b in bounds if b)}"


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=np.asarray(den) > 0)


def _bool(arr: pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False).astype(bool)


def _max_per_doc(values: np.ndarray, parent: np.ndarray, n_docs: int) -> np.ndarray:
    """Per-document max; ``parent`` is sorted because pieces come in document order."""
    out = np.zeros(n_docs, dtype=np.float64)
    if len(values):
        firsts = np.flatnonzero(np.r_[True, parent[1:] != parent[:-1]])
        out[parent[firsts]] = np.maximum.reduceat(values.astype(np.float64), firsts)
    return out


# --- score functions: one value per document --------------------------------------------------

def word_count(b: TextBatch) -> np.ndarray:
    return b.real_word_count.astype(np.float64)


def mean_word_length(b: TextBatch) -> np.ndarray:
    return _ratio(b.words.per_doc(b.words.chars * b.word_has_alnum), b.real_word_count)


def longest_word(b: TextBatch) -> np.ndarray:
    return _max_per_doc(b.words.chars, b.words.parent, b.n)


def symbol_word_ratio(b: TextBatch) -> np.ndarray:
    symbols = sum(pc.count_substring(b.texts, s).to_numpy(zero_copy_only=False) for s in ("#", "...", "…"))
    return _ratio(symbols, b.words.count)


def alpha_words(b: TextBatch) -> np.ndarray:
    return _ratio(b.words.per_doc(b.word_has_letter), b.real_word_count)


def non_alnum_chars(b: TextBatch) -> np.ndarray:
    symbols = pc.count_substring_regex(b.texts, r"[^\pL\pN\s]").to_numpy(zero_copy_only=False)
    return _ratio(symbols, b.word_chars_total)  # word characters = all non-whitespace characters


def stop_words(b: TextBatch) -> np.ndarray:
    hits = _bool(pc.is_in(b.bare_words, value_set=pa.array(STOP_WORDS)))
    return b.words.per_doc(hits)


def lorem_ipsum(b: TextBatch) -> np.ndarray:
    return _bool(pc.match_substring(b.texts, "lorem ipsum", ignore_case=True)).astype(np.float64)


def url_chars(b: TextBatch) -> np.ndarray:
    docs = _bool(pc.match_substring_regex(b.texts, r"://|www\.", ignore_case=True))
    if not docs.any():
        return np.zeros(b.n)
    words = np.flatnonzero(docs[b.words.parent])  # only words of documents that have a URL at all
    is_url = np.zeros(len(b.words), dtype=bool)
    is_url[words] = _bool(pc.match_substring_regex(b.words.values.take(pa.array(words)), _URL, ignore_case=True))
    return _ratio(b.words.per_doc(b.words.chars * is_url), b.word_chars_total)


def bullet_lines(b: TextBatch) -> np.ndarray:
    return _ratio(b.lines.per_doc(_bool(pc.match_substring_regex(b.lines.values, _BULLET))), b.lines.count)


def ellipsis_lines(b: TextBatch) -> np.ndarray:
    ends = _bool(pc.or_(pc.ends_with(b.lines.values, "..."), pc.ends_with(b.lines.values, "…")))
    return _ratio(b.lines.per_doc(ends), b.lines.count)


def boilerplate_lines(b: TextBatch) -> np.ndarray:
    hit = _bool(pc.match_substring_regex(b.lines.values, _BOILERPLATE, ignore_case=True))
    return _ratio(b.lines.per_doc(hit), b.lines.count)


def _repeated_count(pieces_of: str) -> Callable[[TextBatch], np.ndarray]:
    def score(b: TextBatch) -> np.ndarray:
        pieces = getattr(b, pieces_of)
        return _ratio(pieces.per_doc(pieces.repeats()), pieces.count)

    score.__name__ = f"duplicate_{pieces_of}"
    return score


def _repeated_chars(pieces_of: str) -> Callable[[TextBatch], np.ndarray]:
    def score(b: TextBatch) -> np.ndarray:
        pieces = getattr(b, pieces_of)
        return _ratio(pieces.per_doc(pieces.chars * pieces.repeats()), b.chars)

    score.__name__ = f"duplicate_{pieces_of}_chars"
    return score


def _ngram_chars(b: TextBatch, starts: np.ndarray, n: int) -> np.ndarray:
    prefix = np.zeros(len(b.words) + 1, dtype=np.int64)
    np.cumsum(b.words.chars, out=prefix[1:])
    return prefix[starts + n] - prefix[starts]


def top_ngram_chars(n: int) -> Callable[[TextBatch], np.ndarray]:
    """Share of characters covered by the most repeated word n-gram (Gopher).

    Uses the n-gram covering the most characters (count x length, inner spaces included);
    n-grams seen once cover nothing, so only repeated ones are counted.
    """

    def score(b: TextBatch) -> np.ndarray:
        rep = b.ngram_repeats(n)
        if not len(rep.starts):
            return np.zeros(b.n)
        codes, _ = pd.factorize(rep.keys)
        occurrences = np.bincount(codes)[codes]
        covered = occurrences * (_ngram_chars(b, rep.starts, n) + n - 1)
        return _ratio(_max_per_doc(covered, b.words.parent[rep.starts], b.n), b.chars)

    score.__name__ = f"top_{n}gram_chars"
    return score


def duplicate_ngram_chars(n: int) -> Callable[[TextBatch], np.ndarray]:
    """Share of characters inside repeated word n-grams (Gopher), counted like datatrove's scan.

    datatrove walks each document, counting an n-gram seen before and jumping n words past it.
    Here every run of consecutive repeated n-gram starts of length L counts ceil(L / n) such
    jumps, i.e. the first ceil(L / n) * n words of the run: the same count unless two runs are
    closer than n words apart.
    """

    def score(b: TextBatch) -> np.ndarray:
        rep = b.ngram_repeats(n)
        pos = rep.starts[rep.repeated]
        if not len(pos):
            return np.zeros(b.n)
        parent = b.words.parent[pos]
        run_start = np.r_[True, (pos[1:] != pos[:-1] + 1) | (parent[1:] != parent[:-1])]
        firsts = np.flatnonzero(run_start)
        lengths = np.diff(np.r_[firsts, len(pos)])
        begin = pos[firsts]
        words = -(-lengths // n) * n
        prefix = np.zeros(len(b.words) + 1, dtype=np.int64)
        np.cumsum(b.words.chars, out=prefix[1:])
        end = np.minimum(begin + words, len(b.words))
        counted = prefix[end] - prefix[begin]
        return _ratio(np.bincount(b.words.parent[begin], weights=counted, minlength=b.n), b.chars)

    score.__name__ = f"duplicate_{n}gram_chars"
    return score


def build_filters(cfg: FilterConfig) -> list[Filter]:
    """The enabled filters, cheap ones first (later ones then run on fewer documents)."""
    filters = [
        Filter("word_count", word_count, cfg.min_words, cfg.max_words, whole_text=True),
        Filter("longest_word", longest_word, None, cfg.max_word_chars),
        Filter("mean_word_length", mean_word_length, cfg.min_mean_word_length, cfg.max_mean_word_length),
        Filter("stop_words", stop_words, cfg.min_stop_words, None, whole_text=True),
        Filter("alpha_words", alpha_words, cfg.min_alpha_words, None),
        Filter("symbol_word_ratio", symbol_word_ratio, None, cfg.max_symbol_word_ratio),
        Filter("non_alnum_chars", non_alnum_chars, None, cfg.max_non_alnum_chars),
        Filter("lorem_ipsum", lorem_ipsum, None, 0.0 if cfg.remove_lorem_ipsum else None, whole_text=True),
        Filter("url_chars", url_chars, None, cfg.max_url_chars, whole_text=True),
        Filter("bullet_lines", bullet_lines, None, cfg.max_bullet_lines, whole_text=True),
        Filter("ellipsis_lines", ellipsis_lines, None, cfg.max_ellipsis_lines),
        Filter("boilerplate_lines", boilerplate_lines, None, cfg.max_boilerplate_lines),
        Filter("duplicate_lines", _repeated_count("lines"), None, cfg.max_duplicate_lines),
        Filter("duplicate_line_chars", _repeated_chars("lines"), None, cfg.max_duplicate_line_chars),
        Filter("duplicate_paragraphs", _repeated_count("paragraphs"), None, cfg.max_duplicate_paragraphs),
        Filter("duplicate_paragraph_chars", _repeated_chars("paragraphs"), None, cfg.max_duplicate_paragraph_chars),
    ]
    filters += [Filter(f"top_{n}gram_chars", top_ngram_chars(int(n)), None, float(v))
                for n, v in sorted(cfg.max_top_ngram_chars.items())]
    filters += [Filter(f"duplicate_{n}gram_chars", duplicate_ngram_chars(int(n)), None, float(v))
                for n, v in sorted(cfg.max_duplicate_ngram_chars.items())]
    names = {f.name for f in filters}
    unknown = sorted(set(cfg.disabled) - names)
    if unknown:
        raise ValueError(f"curate.filters.disabled names unknown filters {unknown}; valid: {', '.join(sorted(names))}")
    return [f for f in filters if f.name not in cfg.disabled and (f.min is not None or f.max is not None)]


def judged_texts(texts: pa.Array, cfg: FilterConfig) -> pa.Array:
    """Each document's prose (curator.prose) where it has enough of it, else its whole text."""
    if not cfg.prose_min_words or not len(texts):
        return texts
    from curator.prose import neutral_code, prose_lines

    prose, prose_words, words = prose_lines(texts)
    use = (prose_words >= cfg.prose_min_words) & (prose_words >= cfg.prose_min_fraction * words)
    whole = neutral_code(texts)  # identifiers and calls in code-heavy text count as plain words
    if not use.any():
        return whole
    return pc.replace_with_mask(whole, pa.array(use), prose.filter(pa.array(use)).cast(texts.type))


def run_filters(texts, filters: list[Filter], rebatch_below: float = 0.8, judged=None) -> np.ndarray:
    """Index of the first filter each document fails (-1 = kept), filters applied in order.

    ``judged``: the text each document is judged on (``judged_texts``); rules with ``whole_text``
    (length, bullets, lorem ipsum) always see all of ``texts``. Scores are computed over the
    current batch; once enough of its text is gone the survivors are re-tokenized, so huge junk
    pages stop costing the expensive repetition filters.
    """
    whole = TextBatch(texts)
    batch = TextBatch(judged) if judged is not None else whole
    failed = np.full(batch.n, -1, dtype=np.int32)
    index = np.arange(batch.n)  # original position of each document of ``batch``
    active = np.ones(batch.n, dtype=bool)
    for i, f in enumerate(filters):
        if not active.any():
            break
        ok = f.keep(f.score(whole if f.whole_text else batch))
        failed[index[active & ~ok]] = i
        active &= ok
        # Cost follows characters, not documents: one removed 300 kB junk page is worth a rebatch.
        if batch.chars[active].sum() < rebatch_below * batch.chars.sum():
            keep = pa.array(active)
            whole = TextBatch(whole.texts.filter(keep))
            batch = TextBatch(batch.texts.filter(keep)) if judged is not None else whole
            index = index[active]
            active = np.ones(batch.n, dtype=bool)
    return failed

"""Duplicate makers and the similarity yardstick used by the ground truth.

normalize_text is THE normalisation of the ground truth: NFKC, lower case,
every whitespace run collapsed to one space, stripped. Exact-duplicate
variants are built so that normalize_text(variant) == normalize_text(orig);
Jaccard values are over word 5-gram shingle sets of normalised text.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "EXACT_VARIANTS",
    "NearDup",
    "exact_variant",
    "jaccard",
    "near_duplicate",
    "normalize_text",
    "shingles",
]

_WS_RE = re.compile(r"\s+")
EXACT_VARIANTS = ("identical", "case", "whitespace", "nfkc")
SHINGLE_N = 5


def normalize_text(text: str) -> str:
    return _WS_RE.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


def shingles(text: str, n: int = SHINGLE_N) -> set[tuple[str, ...]]:
    """Word n-gram set of normalised text; texts shorter than n give one short shingle."""
    words = normalize_text(text).split(" ")
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str | set, b: str | set) -> float:
    sa = shingles(a) if isinstance(a, str) else a
    sb = shingles(b) if isinstance(b, str) else b
    union = len(sa | sb)
    return len(sa & sb) / union if union else 1.0


# --- exact duplicates -------------------------------------------------------

def _case_variant(text: str, rng: random.Random) -> str:
    # ASCII letters only: str.upper() on e.g. "ß" is not undone by lower().
    mode = rng.choice(("upper", "lower", "title_lines", "upper_lines"))
    swap_up = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    swap_down = {v: k for k, v in swap_up.items()}
    if mode == "upper":
        return text.translate(swap_up)
    if mode == "lower":
        return text.translate(swap_down)
    lines = text.split("\n")
    out = []
    for line in lines:
        if mode == "upper_lines" and rng.random() < 0.4:
            line = line.translate(swap_up)
        elif mode == "title_lines":
            line = re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), line)
        out.append(line)
    return "\n".join(out)


def _whitespace_variant(text: str, rng: random.Random) -> str:
    parts = re.split(r"( )", text)
    out = []
    for p in parts:
        if p == " " and rng.random() < 0.15:
            p = rng.choice(("  ", "\t", "   ", " \n"))
        out.append(p)
    text = "".join(out)
    text = "\n".join(line + (" " * rng.randint(1, 3) if rng.random() < 0.3 else "") for line in text.split("\n"))
    text = text.replace("\n\n", "\n\n\n") if rng.random() < 0.5 else text.replace("\n", "\r\n")
    return ("\n " if rng.random() < 0.5 else "  ") + text + "\n\n"


_LIGATURES = {"fi": "\ufb01", "fl": "\ufb02", "ff": "\ufb00"}
_SPACES = ("\u00a0", "\u2002", "\u2009", "\u3000")


def _nfkc_variant(text: str, rng: random.Random) -> str:
    # Compatibility characters that NFKC folds back: full-width ASCII,
    # ligatures, exotic spaces, the one-character ellipsis.
    out = []
    i = 0
    while i < len(text):
        two = text[i:i + 2]
        c = text[i]
        if two in _LIGATURES and rng.random() < 0.5:
            out.append(_LIGATURES[two])
            i += 2
            continue
        if text[i:i + 3] == "...":
            out.append("\u2026")
            i += 3
            continue
        if c == " " and rng.random() < 0.1:
            out.append(rng.choice(_SPACES))
        elif "!" <= c <= "~" and rng.random() < 0.06:
            out.append(chr(ord(c) + 0xFEE0))
        else:
            out.append(c)
        i += 1
    return "".join(out)


def exact_variant(text: str, variant: str, rng: random.Random) -> str:
    """A copy of text that is equal to it after normalize_text ("identical": byte-equal)."""
    if variant == "identical":
        return text
    maker = {"case": _case_variant, "whitespace": _whitespace_variant, "nfkc": _nfkc_variant}[variant]
    out = maker(text, rng)
    if normalize_text(out) != normalize_text(text):
        raise AssertionError(f"{variant} variant changed the normalised text")
    if out == text:  # nothing to change (e.g. no ASCII letters): still make it differ
        out = text + "\n"
    return out


# --- near duplicates --------------------------------------------------------

@dataclass(frozen=True)
class NearDup:
    text: str
    n_words: int  # words in the original (whitespace tokens)
    n_edits: int  # word operations applied, header/footer words included
    header: str  # "", "header" or "footer"

    @property
    def edit_fraction(self) -> float:
        return self.n_edits / self.n_words


def near_duplicate(text: str, rate: float, rng: random.Random, vocab: tuple[str, ...],
                   extra_lines: tuple[str, ...] = ()) -> NearDup:
    """Edit about ``rate`` of the words of text (substitute / insert / delete).

    Edit positions are at least two words apart so every operation is
    isolated: the word-level Levenshtein distance to the original then equals
    n_edits (up to rare coincidences), which makes edit_fraction honest.
    Optionally (when the budget allows) one header or footer line from
    extra_lines is added; its words count as insertions.
    """
    tokens = re.split(r"(\s+)", text)  # even indices: words (maybe ""), odd: whitespace
    word_idx = [i for i in range(0, len(tokens), 2) if tokens[i]]
    n = len(word_idx)
    budget = max(1, round(rate * n))
    header = ""
    line = ""
    if extra_lines and rng.random() < 0.4:
        line = rng.choice(extra_lines)
        if len(line.split()) <= budget // 2:
            header = rng.choice(("header", "footer"))
            budget -= len(line.split())
        else:
            line = ""
    # Positions 1..n-2, spaced >= 2 apart: sample from a compressed range.
    usable = n - 2
    k = min(budget, max(0, (usable + 1) // 2))
    picks = sorted(rng.sample(range(usable - k + 1), k)) if k else []
    positions = [1 + p + j for j, p in enumerate(picks)]  # spread: gap >= 2
    tokens = list(tokens)
    for pos in positions:
        ti = word_idx[pos]
        op = rng.choice(("sub", "sub", "ins", "del"))
        old = tokens[ti]
        new = rng.choice(vocab)
        while new.lower() == old.lower():
            new = rng.choice(vocab)
        if op == "sub":
            tokens[ti] = new
        elif op == "ins":
            tokens[ti] = old + " " + new
        else:
            tokens[ti] = ""
            # Drop the whitespace before the word too, so no double gap appears.
            if ti > 0:
                tokens[ti - 1] = "" if "\n" not in tokens[ti - 1] else tokens[ti - 1]
    out = "".join(tokens)
    if header == "header":
        out = line + "\n\n" + out
    elif header == "footer":
        out = out.rstrip("\n") + "\n\n" + line + "\n"
    n_extra = len(line.split()) if header else 0
    return NearDup(text=out, n_words=n, n_edits=len(positions) + n_extra, header=header)

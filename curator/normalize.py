"""Text normalisation that changes only what curate.normalize names, and the dedup keys.

Every rewrite is one regex applied, with Arrow's RE2 kernels, only to the documents that contain
its pattern (a *match* scans at memory speed), which keeps the common clean page almost free;
``clean_texts`` also says which documents each rule changed, for the manifest. Dedup keys are
another matter: they are never written out, so they normalise hard (NFKC, lower case, invisible
characters removed, every whitespace run one space) to make look-alike copies collide.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curator.config import NormalizeConfig

_LINE_BREAKS = r"\r\n?|[\x{2028}\x{2029}\x{0085}]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\x{feff}]"
_ZERO_WIDTH = r"[\x{00ad}\x{200b}-\x{200d}\x{2060}]"
_INVISIBLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{00ad}\x{200b}-\x{200d}\x{2060}\x{feff}]"
_HSPACE = r"[ \t\x{00a0}\x{1680}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]"
VISIBLE = r"[^\s\x00-\x1f\x7f-\x9f\x{00ad}\x{200b}-\x{200d}\x{2060}\x{feff}]"  # a character a reader sees
_UNICODE_SPACE = r"[\x0b\x0c\x1c-\x1f\x{0085}\x{00a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def _rules(cfg: NormalizeConfig) -> list[tuple[str, str, str]]:
    """(name, pattern, replacement) of the enabled rewrites, in order."""
    rules = []
    if cfg.line_breaks:
        rules.append(("line_breaks", _LINE_BREAKS, "\n"))
    if cfg.strip_control:
        rules.append(("control", _CONTROL, ""))
    if cfg.strip_zero_width:
        rules.append(("zero_width", _ZERO_WIDTH, ""))
    if cfg.strip_indentation:
        rules.append(("indentation", r"(?m)^" + _HSPACE + "+", ""))
    if cfg.strip_trailing_spaces:
        rules.append(("trailing_spaces", _HSPACE + r"+(\n|$)", r"\1"))
    if cfg.collapse_spaces:  # inside a line only: indentation is the run at a line start
        rules.append(("spaces", r"([^\s])(?:" + _HSPACE + r"{2,}|[\t\x{00a0}\x{1680}\x{2000}-\x{200a}\x{202f}"
                      r"\x{205f}\x{3000}])", r"\1 "))
    if cfg.max_blank_lines:
        keep = "\n" * (cfg.max_blank_lines + 1)
        rules.append(("blank_lines", r"\n(?:[ \t]*\n){" + str(cfg.max_blank_lines + 1) + ",}", keep))
    return rules


def _rewrite(texts: pa.Array, pattern: str, replacement: str, *, literal: bool = False) -> tuple[pa.Array, np.ndarray]:
    """replace_substring(_regex) applied only to the documents containing ``pattern``; and which."""
    match = pc.match_substring(texts, pattern) if literal else pc.match_substring_regex(texts, pattern)
    hit = np.asarray(match.to_numpy(zero_copy_only=False), dtype=bool)
    if not hit.any():
        return texts, hit
    subset = texts.filter(match)
    replace = pc.replace_substring if literal else pc.replace_substring_regex
    return pc.replace_with_mask(texts, match, replace(subset, pattern, replacement)), hit


def clean_texts(texts: pa.Array, cfg: NormalizeConfig) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """The texts with the configured rewrites applied, and per rule which documents it changed."""
    changed: dict[str, np.ndarray] = {}
    if not cfg.enabled or not len(texts):
        return texts, changed
    if cfg.form:
        before = texts
        texts = pc.utf8_normalize(texts, cfg.form)
        changed["form"] = ~np.asarray(pc.equal(before, texts).to_numpy(zero_copy_only=False), dtype=bool)
    for name, pattern, replacement in _rules(cfg):
        before = texts
        texts, hit = _rewrite(texts, pattern, replacement)
        if hit.any() and name in ("spaces", "blank_lines", "trailing_spaces", "indentation"):
            hit = hit & ~np.asarray(pc.equal(before, texts).to_numpy(zero_copy_only=False), dtype=bool)
        changed[name] = hit
    if cfg.trim:
        before = texts
        texts = pc.utf8_trim_whitespace(texts)
        changed["trim"] = ~np.asarray(pc.equal(before, texts).to_numpy(zero_copy_only=False), dtype=bool)
    return texts, changed


def dedup_keys(texts: pa.Array) -> pa.Array:
    """Exact-dedup key: NFKC, lower case, invisible characters removed, every whitespace run one
    space, stripped.

    Copies that differ only by case, spacing, compatibility characters (full-width letters,
    ligatures, non-breaking spaces) or invisible characters share a key. Plain (non-regex)
    replacements do the common work; the regexes then only touch the rare documents that still
    need them.
    """
    keys = pc.utf8_lower(pc.utf8_normalize(texts, "NFKC"))
    keys, _ = _rewrite(keys, _INVISIBLE, "")
    for ws in ("\r", "\t", "\n\n", "\n"):
        keys, _ = _rewrite(keys, ws, " ", literal=True)
    keys, _ = _rewrite(keys, _UNICODE_SPACE, " ")
    keys, _ = _rewrite(keys, r"  +", " ")
    return pc.utf8_trim_whitespace(keys)

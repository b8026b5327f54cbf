"""Unicode normalisation and whitespace cleanup, vectorized with Arrow's RE2 kernels.

Each rewrite first finds the documents that need it (a regex *match* scans at memory speed) and
rewrites only those, which keeps the common clean page almost free.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from curator.config import NormalizeConfig

# C0/C1 controls except \t and \n, zero-width characters, soft hyphen and the BOM: invisible,
# they only split words and defeat dedup.
_INVISIBLE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{00ad}\x{200b}-\x{200d}\x{2060}\x{feff}]"
_HSPACE = r"[\t\x{00a0}\x{1680}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]"
_UNICODE_SPACE = r"[\x0b\x0c\x1c-\x1f\x{0085}\x{00a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def _rewrite(texts: pa.Array, pattern: str, replacement: str, *, literal: bool = False) -> pa.Array:
    """replace_substring(_regex) applied only to the documents containing ``pattern``."""
    match = pc.match_substring(texts, pattern) if literal else pc.match_substring_regex(texts, pattern)
    if not pc.any(match).as_py():
        return texts
    subset = texts.filter(match)
    replace = pc.replace_substring if literal else pc.replace_substring_regex
    return pc.replace_with_mask(texts, match, replace(subset, pattern, replacement))


def clean_texts(texts: pa.Array, cfg: NormalizeConfig) -> pa.Array:
    """Unicode normal form, invisible characters removed, whitespace tidied, ends stripped.

    One regex finds the documents needing any whitespace/control rewrite; the rewrites then run
    on that subset only.
    """
    if not cfg.enabled:
        return texts
    if cfg.form:
        texts = pc.utf8_normalize(texts, cfg.form)
    rewrites = [
        (r"\r\n?|[\x{2028}\x{2029}\x{0085}]", "\n"),  # every line break becomes \n
        *([(_INVISIBLE, "")] if cfg.strip_control else []),
        (_HSPACE, " "),
        (r"  +", " "),
        (r" ?\n ?", "\n"),  # after collapsing, at most one space each side of a line break
        (r"\n{3,}", "\n\n"),
    ]
    trigger = "|".join([r"\r", r"[\x{2028}\x{2029}\x{0085}]", _INVISIBLE if cfg.strip_control else r"\r",
                        _HSPACE, "  ", r" \n", r"\n ", r"\n\n\n"])
    need = pc.match_substring_regex(texts, trigger)
    if pc.any(need).as_py():
        subset = texts.filter(need)
        for pattern, replacement in rewrites:
            subset = pc.replace_substring_regex(subset, pattern, replacement)
        texts = pc.replace_with_mask(texts, need, subset)
    return pc.utf8_trim_whitespace(texts)


def dedup_keys(texts: pa.Array) -> pa.Array:
    """Exact-dedup key: NFKC, lower case, every whitespace run one space, stripped.

    Copies that differ only by case, spacing or compatibility characters (full-width letters,
    ligatures, non-breaking spaces) share a key. Plain (non-regex) replacements do the common
    work; the regexes then only touch the rare documents that still need them.
    """
    keys = pc.utf8_lower(pc.utf8_normalize(texts, "NFKC"))
    for ws in ("\r", "\t", "\n\n", "\n"):
        keys = _rewrite(keys, ws, " ", literal=True)
    keys = _rewrite(keys, _UNICODE_SPACE, " ")
    keys = _rewrite(keys, r"  +", " ")
    return pc.utf8_trim_whitespace(keys)

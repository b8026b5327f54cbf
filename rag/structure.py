"""Markdown-like structure of a document: chapters, sections and their blocks.

A heading's number decides what it is, so the owner's manual ("# 6 Driving", "## 6.2 Gear
selector", "### Automatic P") and ordinary web pages ("# My trip", "## Packing") both parse:

- a number with two or more parts ("6.2", "6.2.1") starts a section with that id; so does a
  hyphenated one ("4-1 Cruise control", a common style in other makers' manuals);
- "Chapter 3 - Title" / "Part 3: Title" reads as the number 3 and the title;
- a level-1 heading starts a chapter (its number, if any, is the chapter id);
- a one-part number below level 1 ("## 3. Results") starts a section with that id;
- an unnumbered level-2 heading starts a section without id;
- deeper unnumbered headings are subsections: they stay inside their section's chunks.

Blocks are the units a chunker may not cut: a table (split only between rows), a numbered
procedure or a list (split only between items), a fenced code block, a note (``>`` lines), a
paragraph (split only between sentences).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
NUMBERED_TITLE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*|\d{1,3}-\d{1,3})\.?\s+(\S.*)$")
# "Chapter 3 - Driving", "Chapter 3: Driving", "Part 2 Seats": the number is the chapter's.
CHAPTER_WORD = re.compile(r"^(?:chapter|chap\.|part)\s+(\d{1,3})\s*[-\u2013\u2014:.]?\s+(\S.*)$", re.IGNORECASE)
# First words that make "12 V battery" or "4.2 bar" a quantity, not a numbered title.
UNITS = {"bar", "kpa", "psi", "mm", "cm", "m", "km", "kg", "g", "t", "l", "litres", "liters", "litre", "liter",
         "v", "kw", "kwh", "w", "a", "ah", "nm", "s", "h", "min", "mph", "km/h", "kmh", "percent", "per", "x",
         "in", "inch", "inches", "ft", "lb", "lbs", "hp", "ps", "rpm", "hz", "mah", "%", "°c", "°f", "°", "to", "and", "or"}
# Units that cannot start a title even in a "#" heading ("## 12 V battery"); UNITS adds short or
# common words ("a", "in", "to") that only plain-text lines are judged by ("4.2 to 4.5 bar").
HEADING_UNITS = {"v", "kw", "kwh", "bar", "kpa", "psi", "mm", "cm", "km", "kg", "nm", "mph", "km/h", "percent",
                 "%", "°c", "°f", "ah", "mah", "hp", "rpm", "litres", "liters", "inch", "volt", "volts"}
STEP = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+\S")
# A full stop that ends an abbreviation, not a sentence ("e.g. The", "approx. 5 km"), or one before a number
# ("UN Regulation No. 129", "Fig. 3", "max. 50 km/h"): every sentence splitter puts these lookbehinds after
# its punctuation. Without them "seats approved to UN Regulation No." was quoted as an answer, cut from its number.
_ABBREVIATIONS = ("e.g", "i.e", "approx", "incl", "excl", "vs", "cf", "esp", "resp", "Dr", "Mr", "Mrs", "Ms", "Prof",
                  "Nos", "Figs", "pp")
_BEFORE_NUMBERS = ("No", "no", "Nr", "nr", "Fig", "fig", "p", "Vol", "Art", "Reg", "Sec", "Ch", "Tab", "Max", "max",
                   "Min", "min", "ca", "Approx", "Ref", "ref", "Ed", "Rev")
NOT_ABBREVIATION = "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _ABBREVIATIONS)
NOT_BEFORE_NUMBER = "".join(rf"(?<!\b{re.escape(a)}\.)" for a in _BEFORE_NUMBERS)
BULLET = re.compile(r"^\s{0,3}[-*+\u2022]\s+\S")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# Scripts written without spaces between words: Han (Chinese, Japanese kanji), kana, CJK punctuation
# and full-width forms. Each such character counts as one word (rag/chunking.py explains why).
CJK = "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A run of more than 64 non-space characters (an inline base64 image, a minified script) counts one
# word per 64 characters, so such a run cannot make one "word" of a chunk 80 kB long.
LONG_RUN = 64
WORD = re.compile(f"[{CJK}]|[^\\s{CJK}]{{1,{LONG_RUN}}}")


def count_words(text: str) -> int:
    """Words of ``text``: whitespace-separated tokens, each CJK character counted as one word and
    each 64 characters of a longer run as one."""
    return len(WORD.findall(text))


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph | table | steps | list | note | code | heading
    text: str
    subsection: str = ""  # the deeper heading this block sits under ("" if none)

    @property
    def words(self) -> int:
        return count_words(self.text)


@dataclass
class Section:
    chapter_id: str  # "6" ("" when unknown)
    chapter: str  # chapter title ("" when unknown)
    section_id: str  # "6.2" ("" when the heading has no number, or no heading at all)
    title: str  # section title; the document title for text before any section heading
    blocks: list[Block] = field(default_factory=list)


def parse_heading(line: str) -> tuple[int, str, str] | None:
    """(level, number, title) of a markdown ATX heading line, else None."""
    match = HEADING.match(line)
    if not match:
        return None
    level, text = len(match.group(1)), match.group(2).strip()
    numbered = NUMBERED_TITLE.match(text) or CHAPTER_WORD.match(text)
    if numbered and numbered.group(2).split()[0].lower() in HEADING_UNITS and not re.search(r"[.-]", numbered.group(1)):
        numbered = None  # "## 12 V battery" is a title about a 12 V battery, not section 12
    if numbered:
        return level, numbered.group(1), numbered.group(2).strip()
    return level, "", text


def chapter_titles(text: str) -> dict[str, str]:
    """Chapter number -> title for every numbered level-1 heading ("# 6 Driving")."""
    found = {}
    for line in text.splitlines():
        heading = parse_heading(line)
        if heading and heading[0] == 1 and heading[1] and not re.search(r"[.-]", heading[1]):
            found[heading[1]] = heading[2]
    return found


def _line_kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if stripped.startswith("|"):
        return "table"
    if stripped.startswith(">"):
        return "note"
    if STEP.match(line):
        return "steps"
    if BULLET.match(line):
        return "list"
    return "text"


def _blocks(lines: list[str]) -> list[tuple[str, str]]:
    """(kind, text) blocks of heading-free lines; headings are handled by the caller."""
    blocks: list[tuple[str, str]] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        kind = _line_kind(line)
        if kind == "blank":
            i += 1
            continue
        if FENCE.match(line):
            end = i + 1
            while end < n and not FENCE.match(lines[end]):
                end += 1
            blocks.append(("code", "\n".join(lines[i:end + 1]).strip()))
            i = end + 1
            continue
        start = i
        if kind in ("table", "note"):
            while i < n and _line_kind(lines[i]) == kind:
                i += 1
        elif kind in ("steps", "list"):
            # Items, their indented continuations and nested lists; a blank line ends the list
            # unless the next line continues it (another item or an indented line).
            i += 1
            while i < n:
                nxt = _line_kind(lines[i])
                if nxt == "blank":
                    j = i + 1
                    while j < n and _line_kind(lines[j]) == "blank":
                        j += 1
                    if j < n and (_line_kind(lines[j]) == kind or lines[j].startswith(("  ", "\t"))):
                        i = j
                        continue
                    break
                if nxt in ("steps", "list", "text"):  # a text line right after an item continues it
                    i += 1
                    continue
                break
        else:
            i += 1
            while i < n and _line_kind(lines[i]) == "text" and not FENCE.match(lines[i]):
                i += 1
        blocks.append((kind if kind != "text" else "paragraph", "\n".join(lines[start:i]).strip()))
    return blocks


def parse_document(text: str, title: str = "", chapters: dict[str, str] | None = None) -> list[Section]:
    """The document's sections in order; text before any section heading forms a section titled
    ``title`` (or the chapter's title). ``chapters`` maps chapter numbers to titles for sections
    whose document does not contain its chapter heading."""
    chapters = chapters or {}
    sections: list[Section] = []
    current = Section("", "", "", title)
    subsection = ""
    pending: list[str] = []

    def flush() -> None:
        for kind, body in _blocks(pending):
            current.blocks.append(Block(kind, body, subsection))
        pending.clear()

    for line in text.splitlines():
        heading = parse_heading(line) if line.startswith("#") else None
        if heading is None:
            pending.append(line)
            continue
        flush()
        level, number, name = heading
        parts = re.split(r"[.-]", number) if number else []
        if len(parts) >= 2 or (len(parts) == 1 and level >= 2) or (not parts and level == 2):
            chapter_id = parts[0] if len(parts) >= 2 else current.chapter_id
            same = chapter_id == current.chapter_id and current.chapter
            chapter = current.chapter if same else chapters.get(chapter_id, "")
            sections.append(current)
            current = Section(chapter_id, chapter, number, name)
            subsection = ""
        elif level == 1:
            sections.append(current)
            chapter_id = number
            chapter = name or chapters.get(number, "")
            current = Section(chapter_id, chapter, "", name)
            subsection = ""
        else:
            subsection = name
            current.blocks.append(Block("heading", line.strip(), subsection))
    flush()
    sections.append(current)
    return [s for s in sections if any(b.kind != "heading" for b in s.blocks)]

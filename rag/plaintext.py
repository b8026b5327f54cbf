"""Plain text (a manual extracted from a PDF, or markdown with underlined titles) as the
markdown-like text rag/structure.py reads.

In order:

1. **Page furniture** goes: lines that are only a page number ("57", "Page 57", "- 57 -", "4-12",
   "57 / 212"), and running headers / footers: a short line (no sentence end, not a list item)
   that comes back on three or more pages with only its numbers changed ("Owner's Manual  Page 57").
   Form feeds (pdftotext's page breaks) count as blank lines.
2. **Line-break hyphens** are joined where the joined word is plausible: "pres-" + "sure" ->
   "pressure" when the joined word is known (the document's own words, or a vocabulary passed in),
   or when the first part is no word of its own; "high-" + "voltage" keeps its hyphen when both
   halves are words and the joined form is unknown.
3. **Headings** get ``#`` marks: setext titles (a line underlined with ``===`` -> ``#``, ``---`` ->
   ``##``); numbered heading lines ("4 WHEELS AND TYRES" -> ``# 4``, "4.2 Tyre pressure" ->
   ``## 4.2``); unnumbered ALL-CAPS lines ("JUMP STARTING"). A numbered line is a heading only when
   it reads as a title: it follows a blank line, starts with a capital, has at most 10 words,
   ends without sentence punctuation, its first word is no unit ("4.2 bar"), it is no numbered step
   ("1. Press the button": a one-part number with a dot is a step), and its number continues the
   document's numbering (section numbers increase; a chapter line "4 Wheels" needs a section 4.x
   after it, or an ALL-CAPS title). ALL-CAPS lines need two words or more and are no note label
   (WARNING, CAUTION, NOTE ...).
4. **Space-aligned tables** (two or more consecutive lines with the same number of columns
   separated by 2+ spaces) become pipe tables, first line the header.
5. **Hard-wrapped paragraphs** are re-flowed into one line each; list items keep their own lines
   (a wrapped item's continuation joins its item), table rows theirs, and a paragraph cut by a
   page break (no sentence end before it, a lower-case word after it) is joined again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

from rag.structure import BULLET, CHAPTER_WORD, STEP, UNITS

# Roman page numbers only after "page": a lone "civic" or "ill" is a word.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-\u2013\u2014]\s*)?(?:(?:page\s+|p\.\s*)?\d{1,4}|page\s+[ivxlc]{1,6})"
                          r"(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*[-\u2013\u2014])?\s*$", re.IGNORECASE)
_CHAPTER_PAGE = re.compile(r"^\s*\d{1,2}\s*[-\u2013]\s*\d{1,3}\s*$")  # "4-12": chapter 4, page 12
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_NUMBERED = re.compile(r"^\s{0,3}(\d{1,2}(?:\.\d{1,2}){0,3})(\.?)\s+(\S.*?)\s*$")
_HYPHEN_END = re.compile(r"([A-Za-z]+)-$")
_WORD_START = re.compile(r"^\s*([a-z]+)([^\s]*)(.*)$")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# Labels of notes: a line "WARNING" introduces a note, it is not a section.
NOTE_LABELS = {"warning", "caution", "danger", "note", "notice", "important", "tip", "tips", "info", "information",
               "attention", "hint", "example"}
_SENTENCE_END = (".", "!", "?", ":", ";", ",")


def _norm(line: str) -> str:
    """A line with its numbers masked, so "Page 57" and "Page 58" are the same running header."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _is_item(line: str) -> bool:
    return bool(STEP.match(line) or BULLET.match(line))


def _columns(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"\s{2,}|\t+", line.strip()) if c.strip()]


def remove_page_furniture(lines: list[str]) -> tuple[list[str], set[int]]:
    """Lines without page numbers and running headers / footers (blank lines in their place),
    and the indexes of the lines removed."""
    # A header or footer stands apart from the page's text: a blank line (or the edge) beside it.
    # Only such occurrences count, so a sentence repeated inside paragraphs is never furniture.
    apart = [bool(line.strip()) and (i == 0 or i + 1 >= len(lines) or not lines[i - 1].strip()
                                     or not lines[i + 1].strip()) for i, line in enumerate(lines)]
    counts = Counter(_norm(line) for i, line in enumerate(lines) if apart[i])
    removed: set[int] = set()
    repeated: set[int] = set()
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if _PAGE_NUMBER.match(text) or _CHAPTER_PAGE.match(text):
            # A lone number between blank lines (or at the document's edge): a page number.
            before = i == 0 or not lines[i - 1].strip()
            after = i + 1 >= len(lines) or not lines[i + 1].strip()
            if before and after:
                removed.add(i)
            continue
        words = text.split()
        running = (apart[i] and counts[_norm(text)] >= 3 and len(words) <= 12 and not text.endswith(_SENTENCE_END)
                   and not _is_item(line) and not text.startswith(("|", ">")) and len(words) >= 2)
        if running:
            repeated.add(i)
    # Running headers are a small share of a page; a text made mostly of repeated lines (a menu
    # scraped from every page of a site) is no manual with page headers: keep it for the curate
    # stage's boilerplate rules to judge.
    if len(repeated) <= 0.2 * sum(1 for line in lines if line.strip()):
        removed |= repeated
    return ["" if i in removed else line for i, line in enumerate(lines)], removed


class _Known:
    """Two word sets looked up as one, without copying the large one for every document."""

    def __init__(self, *sets: Collection[str]) -> None:
        self.sets = sets

    def __contains__(self, word: str) -> bool:
        return any(word in words for words in self.sets)


def join_hyphens(lines: list[str], known: Collection[str]) -> list[str]:
    """Words hyphenated across a line break joined again (see the module docstring)."""
    lines = list(lines)
    for i in range(len(lines) - 1):
        end = _HYPHEN_END.search(lines[i].rstrip())
        if not end or len(end.group(1)) < 2:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip() and j - i <= 3:  # across a removed page header
            j += 1
        if j >= len(lines):
            continue
        start = _WORD_START.match(lines[j])
        if not start or _is_item(lines[j]):
            continue
        first, second, trail, rest = end.group(1), start.group(1), start.group(2), start.group(3)
        joined = (first + second).lower()
        if joined in known:
            glue = ""
        elif f"{first}-{second}".lower() in known or (first.lower() in known and second.lower() in known):
            glue = "-"
        else:
            glue = ""
        head = lines[i].rstrip()[:-1]
        lines[i] = head + glue + second + trail
        lines[j] = rest.strip()
    return lines


def _whole_words(lines: list[str]) -> set[str]:
    """Lower-case words of the text, without the halves of words hyphenated at a line end ("re-"
    and "placing" are no evidence that "re" and "placing" are words)."""
    words: set[str] = set()
    cut = False  # the previous non-blank line ended in a hyphen
    for line in lines:
        if not line.strip():
            continue
        found = _WORDS.findall(line)
        if cut and found:
            found = found[1:]
        cut = bool(_HYPHEN_END.search(line.rstrip()))
        if cut and found:
            found = found[:-1]
        words.update(w.lower() for w in found)
    return words


def _title_like(title: str) -> bool:
    words = title.split()
    if not words or len(words) > 10 or len(title) > 80 or not title[0].isupper():
        return False
    if title.endswith(_SENTENCE_END) or re.search(r"\s{2,}", title):
        return False
    if words[0].lower().strip(",.;:") in UNITS:
        return False
    letters = sum(c.isalpha() for c in title)
    return letters >= 0.5 * len(title.replace(" ", ""))


def _caps_heading(text: str) -> bool:
    if len(text) > 80 or text != text.upper():  # fast exits: long lines, any lower-case letter
        return False
    letters = [c for c in text if c.isalpha()]
    words = text.split()
    return (len(letters) >= 4 and all(c.isupper() for c in letters) and 2 <= len(words) <= 8
            and len(letters) >= 0.7 * len(text.replace(" ", "")) and not re.search(r"[!?]{2}|[<>]", text)
            and not text.endswith(_SENTENCE_END[:-1] + (",",)) and text.rstrip(":").lower() not in NOTE_LABELS
            and words[0].rstrip(":").lower() not in NOTE_LABELS and not _is_item(text) and len(_columns(text)) == 1)


def sentence_case(title: str) -> str:
    """"WHEELS AND TYRES" -> "Wheels and tyres" (ALL-CAPS titles only; others unchanged)."""
    letters = [c for c in title if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return title
    lower = title.lower()
    return lower[:1].upper() + lower[1:]


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


def find_headings(lines: list[str]) -> dict[int, str]:
    """Line index -> the markdown heading line for that line (setext underlines map to "")."""
    found: dict[int, str] = {}
    n = len(lines)

    def blank_before(i: int) -> bool:
        return i == 0 or not lines[i - 1].strip()

    # Setext: a one-line title underlined with === or ---.
    for i in range(n - 1):
        under = _SETEXT.match(lines[i + 1])
        text = lines[i].strip()
        if (under and text and blank_before(i) and len(under.group(1)) >= 3 and len(text.split()) <= 12
                and not _is_item(lines[i]) and not text.startswith(("|", ">")) and not _SETEXT.match(lines[i])):
            found[i] = ("# " if under.group(1)[0] == "=" else "## ") + text
            found[i + 1] = ""
    # Numbered lines: candidates first, then keep the ones whose numbers continue the numbering.
    candidates: list[tuple[int, str, str, bool]] = []  # line, number, title, "Chapter N" wording
    for i, line in enumerate(lines):
        if i in found or not blank_before(i):
            continue
        chapter = CHAPTER_WORD.match(line.strip())
        if chapter and _title_like(chapter.group(2)):  # "Chapter 4 - Wheels and tyres"
            candidates.append((i, chapter.group(1), sentence_case(chapter.group(2)), True))
            continue
        match = _NUMBERED.match(line)
        if not match:
            continue
        number, dot, title = match.groups()
        if "." not in number and dot:  # "1. Open the glovebox": a step
            continue
        if _title_like(title):
            candidates.append((i, number, title, False))
    sections = {_key(number)[0] for _, number, _, _ in candidates if "." in number}
    last: tuple[int, ...] = ()
    for i, number, title, worded in candidates:
        key = _key(number)
        if len(key) == 1:
            caps = sentence_case(title) != title
            if key[0] in sections or caps or worded:
                found[i] = f"# {number} {sentence_case(title)}"
                last = max(last, key)
            continue
        if key > last and key[0] <= (last[0] + 1 if last else 99):
            found[i] = f"{'#' * min(len(key), 3)} {number} {sentence_case(title)}"
            last = key
    whole = "\n".join(lines)
    lower, upper = sum(map(str.islower, whole)), sum(map(str.isupper, whole))
    mostly_lower = lower >= upper
    numbered = any(line.startswith(("# ", "## ", "### ")) and re.match(r"#+ \d", line) for line in found.values())
    # ALL-CAPS title lines without a number: sections, or subsections inside a numbered manual.
    for i, line in enumerate(lines):
        text = line.strip()
        if not mostly_lower or i in found or not blank_before(i) or not _caps_heading(text):
            continue
        j = i + 1
        while j < n and not lines[j].strip():
            j += 1
        if j < n and not _caps_heading(lines[j].strip()):  # a title has a body after it
            found[i] = ("### " if numbered else "## ") + sentence_case(text.rstrip(":"))
    return found


def _spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a line whose cells are separated by 2+ spaces or tabs."""
    return [m.span() for m in re.finditer(r"\S+(?: \S+)*", line.expandtabs(8))]


def _aligned(header: str, row: str) -> bool:
    """``row`` has the header's columns, each starting or ending where the header's does (+-2):
    prose with stray double spaces has cells, but they do not line up."""
    a, b = _spans(header), _spans(row)
    if len(a) != len(b) or len(a) < 2 or _is_item(row):
        return False
    return all(abs(x[0] - y[0]) <= 2 or abs(x[1] - y[1]) <= 2 for x, y in zip(a[1:], b[1:]))


def _tables(lines: list[str], headings: dict[int, str]) -> dict[int, tuple[int, str]]:
    """Start index -> (end index, pipe table) for runs of space-aligned column lines."""
    tables: dict[int, tuple[int, str]] = {}
    i, n = 0, len(lines)
    while i < n:
        cols = _columns(lines[i]) if lines[i].strip() and i not in headings else []
        if len(cols) < 2 or _is_item(lines[i]) or lines[i].lstrip().startswith("|"):
            i += 1
            continue
        j = i + 1
        while j < n and j not in headings and lines[j].strip() and _aligned(lines[i], lines[j]):
            j += 1
        if j - i >= 2:
            rows = [[c.replace("|", "\\|") for c in _columns(line)] for line in lines[i:j]]
            text = "\n".join(["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(cols)]
                             + ["| " + " | ".join(r) + " |" for r in rows[1:]])
            tables[i] = (j, text)
            i = j
        else:
            i += 1
    return tables


def to_markdown(text: str, known: Iterable[str] = ()) -> str:
    """Plain text as markdown-like blocks (see the module docstring). ``known``: words (lower case)
    that decide which line-break hyphens to join, beyond the document's own words (pass a set: it
    is used as it is)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n").split("\n")
    lines = [line.rstrip() for line in lines]
    # Page furniture first (a header between two halves of a hyphenated word hides the word).
    lines, removed = remove_page_furniture(lines)
    if any(_HYPHEN_END.search(line) for line in lines):
        words = known if isinstance(known, (set, frozenset)) else {w.lower() for w in known}
        lines = join_hyphens(lines, _Known(_whole_words(lines), words))
    headings = find_headings(lines)
    tables = _tables(lines, headings)
    blocks: list[str] = []
    broken = False  # a removed page header / footer lies between this block and the next
    i, n = 0, len(lines)
    removed_or_blank = set(removed)
    while i < n:
        line = lines[i]
        if i in headings:
            if headings[i]:
                blocks.append(headings[i])
            i += 1
            continue
        if i in tables:
            end, table = tables[i]
            blocks.append(table)
            i = end
            continue
        if not line.strip():
            broken = broken or i in removed_or_blank
            i += 1
            continue
        if line.lstrip().startswith(("|", ">", "```", "~~~")):
            # Markdown tables, notes and fences keep their lines.
            j = i + 1
            while j < n and lines[j].strip() and j not in headings:
                j += 1
            blocks.append("\n".join(lines[i:j]))
            i = j
            broken = False
            continue
        # A paragraph or a list: lines up to a blank line, heading or table.
        j = i
        out: list[str] = []
        while j < n and lines[j].strip() and j not in headings and j not in tables:
            current = lines[j]
            if out and out[-1].strip().rstrip(":").lower() in NOTE_LABELS:  # "WARNING" on its own line
                out[-1] = out[-1].strip().rstrip(":") + ": " + current.strip()
            elif _is_item(current) or not out:
                out.append(current.rstrip() if _is_item(current) else current.strip())
            elif current.startswith(("    ", "\t")) and _is_item(current.strip()):
                out.append(current.rstrip())  # a nested item
            else:
                out[-1] = out[-1].rstrip() + " " + current.strip()  # a wrapped line
            j += 1
        block = "\n".join(out)
        previous = blocks[-1] if blocks else ""
        if (broken and previous and not previous.startswith(("#", "|")) and not previous.rstrip().endswith(
                (".", "!", "?", ":")) and re.match(r"[a-z]", block)):
            blocks[-1] = previous.rstrip() + " " + block  # a paragraph cut by a page break
        else:
            blocks.append(block)
        broken = False
        i = j
    return "\n\n".join(blocks) + "\n"

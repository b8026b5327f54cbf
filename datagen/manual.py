"""Parser for the Kestrel EV7 owner's manual (data/manual/NN-slug.md).

Format (see the chapter plan): one file per chapter whose first heading is
``# N Title``; sections are ``## N.M Section title`` and the section id is
``"N.M"``. ``###`` subsections and everything else stay inside the section
body. Text between the chapter heading and its first section is a chapter
preface and is not part of any section.

The parser is strict on purpose: the RAG index, the QA set and the crawl all
key on section ids, so a silently mis-parsed heading would corrupt all three.
Every problem raises ``ManualFormatError`` with a one-line ``file:line:``
message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ManualFormatError", "ManualSection", "load_manual", "parse_manual_file"]

# Only files named like "03-charging.md" are chapters; a README or notes file
# in the folder is not part of the manual.
CHAPTER_FILE_RE = re.compile(r"^\d+-[^/]*\.md$")
CHAPTER_RE = re.compile(r"^# (\d+) +(\S.*?)\s*$")
SECTION_RE = re.compile(r"^## (\d+)\.(\d+) +(\S.*?)\s*$")
# "#" or "##" not followed by another "#": anything else that looks like a
# level-1/2 heading is a typo we want to hear about.
HEADING_CANDIDATE_RE = re.compile(r"^#{1,2}(?!#)")
FENCE_RE = re.compile(r"^\s*(```|~~~)")


class ManualFormatError(ValueError):
    """A manual file does not follow the heading conventions."""


@dataclass(frozen=True)
class ManualSection:
    id: str  # "N.M"
    chapter: int
    chapter_title: str
    title: str  # section title without the number
    body: str  # markdown between this heading and the next level-1/2 heading
    source: str  # path of the chapter file
    line: int  # 1-based line of the "## N.M" heading in source

    @property
    def heading(self) -> str:
        return f"{self.id} {self.title}"

    def as_markdown(self) -> str:
        """The section as a standalone markdown page (heading + body)."""
        return f"## {self.id} {self.title}\n\n{self.body}".rstrip() + "\n"


def _err(path: Path, lineno: int, msg: str) -> ManualFormatError:
    return ManualFormatError(f"{path}:{lineno}: {msg}")


def parse_manual_file(path: Path | str) -> list[ManualSection]:
    """Parse one chapter file into its sections (in file order)."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    chapter: int | None = None
    chapter_title = ""
    sections: list[ManualSection] = []
    current: dict | None = None  # section being collected
    body: list[str] = []
    in_fence = False

    def close() -> None:
        if current is not None:
            text = "\n".join(body).strip("\n")
            if not text.strip():
                raise _err(path, current["line"], f"section {current['id']} has an empty body")
            sections.append(ManualSection(body=text + "\n", **current))

    for lineno, line in enumerate(lines, start=1):
        if FENCE_RE.match(line):
            in_fence = not in_fence
        if in_fence or not HEADING_CANDIDATE_RE.match(line):
            if current is not None:
                body.append(line)
            elif chapter is None and line.strip():
                raise _err(path, lineno, "text before the chapter heading '# N Title'")
            continue
        if line.startswith("## "):
            m = SECTION_RE.match(line)
            if m is None:
                raise _err(path, lineno, f"malformed section heading {line!r}, expected '## N.M Title'")
            if chapter is None:
                raise _err(path, lineno, "section heading before the chapter heading '# N Title'")
            if int(m.group(1)) != chapter:
                raise _err(path, lineno, f"section {m.group(1)}.{m.group(2)} is inside chapter {chapter}")
            sid = f"{int(m.group(1))}.{int(m.group(2))}"
            if any(s.id == sid for s in sections) or (current and current["id"] == sid):
                raise _err(path, lineno, f"duplicate section id {sid}")
            close()
            current = {"id": sid, "chapter": chapter, "chapter_title": chapter_title,
                           "title": m.group(3), "source": str(path), "line": lineno}
            body = []
            continue
        m = CHAPTER_RE.match(line)
        if m is None:
            raise _err(path, lineno, f"malformed chapter heading {line!r}, expected '# N Title'")
        if chapter is not None:
            raise _err(path, lineno, "second chapter heading in one file")
        chapter, chapter_title = int(m.group(1)), m.group(2)
    if in_fence:
        raise _err(path, len(lines), "unclosed code fence")
    if chapter is None:
        raise _err(path, 1, "no chapter heading '# N Title'")
    close()
    if not sections:
        raise _err(path, 1, f"chapter {chapter} has no '## {chapter}.M' sections")
    return sections


def load_manual(manual_dir: Path | str) -> list[ManualSection]:
    """All sections of the manual, ordered by chapter then section number.

    Reads every ``<digits>-*.md`` file in ``manual_dir``; raises
    ``ManualFormatError`` (one line, naming file and line) on malformed
    headings, duplicate ids or chapters, and ``FileNotFoundError`` when the
    folder holds no chapter files.
    """
    manual_dir = Path(manual_dir)
    files = sorted(p for p in manual_dir.iterdir() if p.is_file() and CHAPTER_FILE_RE.match(p.name)) \
        if manual_dir.is_dir() else []
    if not files:
        raise FileNotFoundError(f"{manual_dir}: no chapter files named like 'NN-slug.md'")
    sections: list[ManualSection] = []
    chapter_files: dict[int, str] = {}
    for path in files:
        parsed = parse_manual_file(path)
        ch = parsed[0].chapter
        if ch in chapter_files:
            raise _err(path, 1, f"chapter {ch} already defined in {chapter_files[ch]}")
        chapter_files[ch] = str(path)
        sections.extend(parsed)
    sections.sort(key=lambda s: (s.chapter, int(s.id.split(".")[1])))
    return sections

"""HTML pages (a manual crawled from a maker's site) as the markdown-like text rag/structure.py reads.

Headings become ``#`` lines (``<h1>`` a chapter, ``<h2>`` a section, deeper ones subsections),
tables pipe tables (the first row is the header), ordered lists numbered steps, unordered lists
``-`` items, ``<pre>`` a code fence, ``<blockquote>`` ``>`` lines, everything else paragraphs.
Navigation, page chrome and code are dropped: ``<nav>``, ``<footer>``, ``<aside>``, ``<script>``,
``<style>``, ``<head>``, forms, and any element whose id, class or role names a menu, navigation,
footer, breadcrumb, cookie banner or sidebar. Standard library only (html.parser): a page is small,
and no HTML library is installed in the project's environment.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is never manual text.
SKIP = {"script", "style", "head", "nav", "footer", "aside", "noscript", "template", "svg", "form",
        "iframe", "button", "select", "canvas", "object", "map"}
# id / class / role words of page chrome ("site-footer", "main-menu", role="navigation").
CHROME = re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|breadcrumbs?|cookies?|sidebar|"
                    r"banner|skip-link|contentinfo|toolbar|share)(?:$|[\s_-])", re.IGNORECASE)
VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area", "base", "source", "track", "embed", "param"}
BLOCK = {"p", "div", "section", "article", "main", "header", "body", "html", "dl", "dt", "dd", "figure",
         "figcaption", "address", "details", "summary", "center"}
_TAG = re.compile(r"<\s*/?\s*(?:html|head|body|div|p|h[1-6]|table|tr|td|th|ul|ol|li|br|span|a|section|article|nav)\b",
                  re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """A page of HTML markup rather than text that mentions a tag: it starts with a tag or a
    doctype, and holds several structural tags."""
    head = text.lstrip()[:2000].lower()
    return head.startswith("<") and len(_TAG.findall(text[:20000])) >= 3


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []  # finished blocks
        self.inline: list[str] = []  # text of the block being read
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.skip = 0
        self.lists: list[list] = []  # [kind, counter]
        self.table: list[list[str]] | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.heading = 0
        self.pre = 0
        self.quote = 0

    # --- helpers -------------------------------------------------------------------------------
    def _text(self) -> str:
        text = "".join(self.inline)
        self.inline = []
        return text if self.pre else " ".join(text.split())

    def _flush(self) -> None:
        text = self._text()
        if not text.strip():
            return
        if self.heading:
            self.out.append("#" * min(self.heading, 4) + " " + text)
        elif self.lists:
            kind, _ = self.lists[-1]
            marker = f"{self.lists[-1][1]}." if kind == "ol" else "-"
            indent = "   " * (len(self.lists) - 1)
            self.out.append(f"{indent}{marker} {text}")
        elif self.quote:
            self.out.append("> " + text)
        else:
            self.out.append(text)

    # --- parser events -------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in VOID:
            if tag == "br" and not self.skip:
                (self.cell if self.cell is not None else self.inline).append("\n" if self.pre else " ")
            return
        attrs = dict(attrs)
        chrome = any(CHROME.search(attrs.get(key) or "") for key in ("id", "class", "role"))
        skipped = tag in SKIP or chrome
        self.stack.append((tag, skipped))
        if skipped:
            self.skip += 1
        if self.skip:
            return
        if tag == "table":
            self._flush()
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif self.cell is not None:
            return  # anything inside a cell is the cell's text
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = int(tag[1])
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._flush()
            if self.lists:
                self.lists[-1][1] += 1
        elif tag == "pre":
            self._flush()
            self.pre += 1
        elif tag == "blockquote":
            self._flush()
            self.quote += 1
        elif tag in BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        # Close up to the matching open tag (HTML in the wild leaves <p> and <li> unclosed).
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            open_tag, skipped = self.stack.pop()
            if skipped:
                self.skip -= 1
            elif not self.skip:
                self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()).replace("|", "\\|"))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            if any(self.row):
                self.table.append(self.row)
            self.row = None
        elif tag == "table" and self.table is not None:
            self.out.append(_pipe_table(self.table))
            self.table = None
        elif self.cell is not None:
            return
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = 0
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "li":
            self._flush()
        elif tag == "pre":
            text = "".join(self.inline).strip("\n")
            self.inline = []
            self.pre -= 1
            if text.strip():
                self.out.append(f"```\n{text}\n```")
        elif tag == "blockquote":
            self._flush()
            self.quote -= 1
        elif tag in BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = data.replace("\xa0", " ")
        if self.cell is not None:
            self.cell.append(data)
        elif self.table is None:
            self.inline.append(data)

    def close(self) -> None:
        super().close()
        if self.table is not None:
            self.out.append(_pipe_table(self.table))
            self.table = None
        self._flush()


def _pipe_table(rows: list[list[str]]) -> str:
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def html_to_markdown(html: str) -> str:
    """The readable content of an HTML page as markdown-like blocks separated by blank lines."""
    parser = _Converter()
    parser.feed(html)
    parser.close()
    blocks: list[str] = []
    for block in parser.out:
        if not block.strip():
            continue
        # Items of one list stay together (the chunker reads consecutive items as one list).
        item = re.match(r"\s*(?:\d+\.|-) ", block)
        if blocks and item and re.match(r"\s*(?:\d+\.|-) ", blocks[-1].splitlines()[-1]):
            blocks[-1] += "\n" + block
        else:
            blocks.append(block)
    return "\n\n".join(blocks) + "\n"

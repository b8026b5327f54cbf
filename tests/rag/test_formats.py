"""Manuals as users bring them: PDF-extracted plain text, setext markdown and HTML pages, read into
the markdown-like text the structure parser understands (rag/formats.py, rag/plaintext.py,
rag/htmltext.py), on small real snippets of each format, with the cases that must NOT change."""

from __future__ import annotations

from rag.config import ChunkConfig
from rag.corpus import Document, chunk_documents
from rag.formats import kind, readable_text, vocabulary
from rag.htmltext import html_to_markdown, looks_like_html
from rag.plaintext import to_markdown
from rag.structure import parse_heading
from tests.support import REPO

PDF_PAGE = """Solstra E Owner's Manual   Page 41

4 WHEELS AND TYRES

4.1 Tyre pressure

Check the tyre pressures once a month with the tyres cold. The recom-
mended pressures are on the label inside the charge port flap. The front
tyres of the 20-inch wheels need
2.9 bar at full load; never exceed the maximum pressure.

Tyre size          Front      Rear
215/60 R17         2.5 bar    2.5 bar
235/45 R20         2.7 bar    2.7 bar

                                                  4-1
\fSolstra E Owner's Manual   Page 42

4.2 Tyre repair kit

1. Park safely and apply the
   parking brake.
2. Connect the hose to the tyre valve.

WARNING
Do not drive faster than 70 km/h after a repair with the kit, and have the
tyre replaced within 150 km by a workshop that knows how to handle the
\fSolstra E Owner's Manual   Page 43

sealant in the tyre.

4.3 Snow chains

Fit snow chains to the rear wheels only.
\fSolstra E Owner's Manual   Page 44
"""


def _headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


def test_pdf_text_gets_numbered_headings_and_loses_its_page_furniture():
    out = to_markdown(PDF_PAGE)
    assert _headings(out) == ["# 4 Wheels and tyres", "## 4.1 Tyre pressure", "## 4.2 Tyre repair kit",
                              "## 4.3 Snow chains"]
    assert "Page 4" not in out and "Owner's Manual" not in out and "4-1\n" not in out
    # hard wraps re-flowed; the figure line "2.9 bar ..." is no heading, it continues its sentence
    assert "The front tyres of the 20-inch wheels need 2.9 bar at full load; never exceed" in out
    # a line-break hyphen joined ("recom-" + "mended": neither half a word of its own)
    assert "The recommended pressures" in out
    # the steps stay items, a wrapped step joins its item
    assert "1. Park safely and apply the parking brake.\n2. Connect the hose to the tyre valve." in out
    # a note label is no heading; a paragraph cut by a page header is joined again
    assert "WARNING: Do not drive faster" in out
    assert "knows how to handle the sealant in the tyre." in out


def test_space_aligned_table_becomes_a_pipe_table_and_prose_with_double_spaces_does_not():
    out = to_markdown(PDF_PAGE)
    assert "| Tyre size | Front | Rear |\n|---|---|---|\n| 215/60 R17 | 2.5 bar | 2.5 bar |" in out
    prose = "We purchased a   stud finder from\nthe shop two summers   ago and it has\nbeen awkward  so far.\n"
    assert "|" not in to_markdown(prose)
    assert to_markdown(prose).strip() == "We purchased a   stud finder from the shop two summers   ago and it has been awkward  so far."


def test_things_that_look_like_numbered_headings_but_are_not():
    text = """Some text before.

1. Press the button
2. Hold it for 3 seconds

4.2 bar is the maximum pressure

2.5 The compressor stops by itself.

Text that runs on
3.1 Something in the middle of a wrapped paragraph

5 Seats

7.1 Real section

6.2 Going backwards is no section
"""
    out = to_markdown(text)
    # steps (one-part number with a dot), a figure, a sentence, a line inside a paragraph, a chapter
    # line without sections nor capitals, and a number that goes backwards are all left as text
    assert _headings(out) == ["## 7.1 Real section"]
    assert "1. Press the button\n2. Hold it for 3 seconds" in out


def test_all_caps_lines_are_sections_but_note_labels_and_shouting_are_not():
    text = ("IN CASE OF A FLAT TYRE\n\nThe kit is under the floor.\n\nWARNING\nDo not touch the orange cables.\n\n"
            "JUMP STARTING\n\nThe 12 V battery is under the boot floor.\n\nBUY NOW!!! >>> CLICK <<<\n\nText.\n")
    assert _headings(to_markdown(text)) == ["## In case of a flat tyre", "## Jump starting"]
    shouting = "STARTED BY SOMEONE IN THE FORUM\n\nWOULD A BACKPACK BE WORTH THE MONEY, OR IS THERE SOMETHING BETTER?\n"
    assert _headings(to_markdown(shouting)) == []  # a text in capitals throughout has no caps headings


def test_setext_headings():
    text = "Maintenance and care\n====================\n\nService schedule\n----------------\n\nEvery 2 years.\n\n" \
           "| Item | Interval |\n|---|---|\n| Brake fluid | every 2 years |\n"
    out = to_markdown(text)
    assert _headings(out) == ["# Maintenance and care", "## Service schedule"]
    assert "| Brake fluid | every 2 years |" in out and "===" not in out and "\n---" not in out


def test_line_break_hyphens_join_only_where_the_word_is_plausible():
    text = "It works at high-\nvoltage and at low voltage, with a pres-\nsure sensor and a wip-\ners stop.\n"
    out = to_markdown(text, vocabulary())
    assert "high-voltage" in out  # both halves words, "highvoltage" unknown: the hyphen stays
    assert "pressure sensor" in out and "wipers stop" in out
    assert to_markdown("The key needs re-\nplacing.\n", vocabulary()).strip() == "The key needs replacing."


def test_page_number_lines_and_menus():
    assert to_markdown("Text of page one.\n\n- 12 -\n\nPage 13\n\n57 / 212\n\nMore text.\n").split() == \
        "Text of page one. More text.".split()
    menu = "\n".join(["Blog | Shop | Register", "Help | About us | Sitemap"] * 5) + "\n"
    assert "Blog | Shop | Register" in to_markdown(menu)  # a page of repeated lines is kept whole


HTML = """<!DOCTYPE html><html><head><title>Driver assistance</title><style>p{color:red}</style>
<script>var x = "<h2>not a heading</h2>";</script></head><body>
<nav><a href="/">Home</a> <a href="/charging">Charging</a></nav>
<div id="main-menu"><ul><li>Manual home</li><li>Search</li></ul></div>
<main><h1>Driver assistance</h1><p>The car uses a front&nbsp;camera.</p>
<h2>Adaptive cruise control</h2><p>It works from 0 to 160&nbsp;km/h.</p>
<ol><li>Switch it on.</li><li>Set the <b>speed</b>.</li></ol>
<h2>Parking sensors</h2>
<table><thead><tr><th>Sensor</th><th>Range</th></tr></thead>
<tbody><tr><td>Front</td><td>up to 1.2 m</td></tr><tr><td>Rear | side</td><td><p>up to 1.8 m</p></td></tr></tbody></table>
<h3>Cleaning</h3><ul><li>Use water.<li>No brushes.</ul></main>
<footer><p>&copy; 2026 Norvik. <a href="/privacy">Privacy</a></p></footer></body></html>"""


def test_html_page_becomes_headings_lists_and_pipe_tables_without_its_chrome():
    assert looks_like_html(HTML) and kind(HTML) == "html"
    out = html_to_markdown(HTML)
    assert _headings(out) == ["# Driver assistance", "## Adaptive cruise control", "## Parking sensors", "### Cleaning"]
    assert "1. Switch it on.\n2. Set the speed." in out
    assert "| Sensor | Range |\n|---|---|\n| Front | up to 1.2 m |\n| Rear \\| side | up to 1.8 m |" in out
    assert "- Use water.\n- No brushes." in out
    assert "front camera" in out and "160 km/h" in out
    for chrome in ("Home", "Manual home", "Privacy", "not a heading", "color", "var x"):
        assert chrome not in out


def test_markdown_stays_markdown_and_text_mentioning_tags_is_not_html():
    markdown = "# 6 Driving\n\n## 6.2 Gear selector\n\nPress P.\nUse <br> in the note field.\n"
    assert kind(markdown) == "markdown" and readable_text(markdown) == markdown
    assert not looks_like_html("Press <b>P</b> to park.\n\nThen <i>wait</i>. <p>")


def test_12_v_is_a_quantity_not_a_section_number():
    assert parse_heading("### 12 V system") == (3, "", "12 V system")
    assert parse_heading("## 12 V battery") == (2, "", "12 V battery")
    assert parse_heading("## 12.5 The 12 V battery") == (2, "12.5", "The 12 V battery")
    assert parse_heading("## 3 Seats") == (2, "3", "Seats")


def test_plain_text_sections_from_caps_lines_take_the_document_title_as_chapter():
    doc = Document("d1", "https://x.example/manual/emergencies", "JUMP STARTING\n\nConnect the red cable first.\n\n"
                   "AFTER A COLLISION\n\nLeave the car and call 112.\n")
    rows = chunk_documents([doc], ChunkConfig(), {})
    assert [(r["chapter"], r["section_title"]) for r in rows] == [("Emergencies", "Jump starting"),
                                                                  ("Emergencies", "After a collision")]


def test_the_third_manual_in_every_format_gets_its_sections():
    """data/manual_c (two PDF extracts, two HTML pages, a setext file): every printed section found."""
    folder = REPO / "data" / "manual_c"
    docs = [Document(p.stem, "https://manuals.norvik.example/solstra/" + p.stem, p.read_text(encoding="utf-8"))
            for p in sorted(folder.iterdir())]
    rows = chunk_documents(docs, ChunkConfig(), {})
    sections = {(r["chapter"], r["section_id"], r["section_title"]) for r in rows}
    assert len(sections) == 33
    ids = sorted(s[1] for s in sections if s[1])
    assert ids == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "4.1", "4.2", "4.3", "4.4",
                   "5.1", "5.2", "5.3", "5.4"]
    assert ("Wheels and tyres", "4.1", "Tyre pressure") in sections
    assert ("Driver assistance", "", "Lane centring assist") in sections
    assert ("Maintenance and care", "", "12 V battery") in sections
    assert ("In an emergency", "", "Towing") in sections
    text = "\n".join(r["text"] for r in rows)
    assert "Owner's Manual" not in text and "<" not in text and "Privacy" not in text
    assert "| Colour | Meaning |" in text


def test_an_html_page_of_chrome_only_is_quarantined_with_its_reason():
    page = ('<html><head><script>var a = 1;</script></head><body><nav><a href="/">Home</a></nav>'
            '<div class="footer"><p>&copy; 2026</p></div></body></html>')
    quarantine: list[dict] = []
    rows = chunk_documents([Document("p1", "https://x.example/p1", page, "", "s.parquet", 3)], ChunkConfig(), {},
                           quarantine)
    assert rows == []
    assert quarantine == [{"file": "s.parquet", "row": 3, "id": "p1",
                           "reason": "no content (an HTML page of navigation, scripts and footers only)"}]


def test_chapter_word_lines_repeated_body_lines_and_roman_words():
    text = ("Chapter 4 - Wheels and tyres\n\nCheck the tyres.\n\n4.1 Tyre pressure\n\nPress OK to confirm\n"
            "the pressure.\nPress OK to confirm\nthe reset.\nPress OK to confirm\nagain.\n\ncivic\n\nThe end.\n")
    out = to_markdown(text)
    assert _headings(out) == ["# 4 Wheels and tyres", "## 4.1 Tyre pressure"]
    assert out.count("Press OK to confirm") == 3  # repeated, but inside the text: no running header
    assert "civic" in out  # a lone word made of roman-numeral letters is no page number
    assert parse_heading(_headings(out)[0]) == (1, "4", "Wheels and tyres")


def test_line_breaks_inside_html_table_cells_separate_words():
    out = html_to_markdown("<html><body><table><tr><th>Light</th><th>Meaning</th></tr>"
                           "<tr><td>Red</td><td>Stop<br>safely</td></tr></table><p>x</p></body></html>")
    assert "| Red | Stop safely |" in out

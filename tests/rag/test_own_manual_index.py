"""The index side of a user's own manual: data/manual_b ("Aster Tavi Hybrid"), written in other
formats than the EV7's, chunked by the index stage's logic (rag.corpus.chunk_documents)."""

from __future__ import annotations

from rag.corpus import chunk_documents, read_toc
from rag.config import ChunkConfig
from rag.structure import parse_heading
from tests.support import REPO, manual_b


def _sections(rows):
    seen = {}
    for r in rows:
        seen.setdefault((r["doc_id"], r["section_title"]), (r["chapter_id"], r["chapter"], r["section_id"]))
    return seen


def test_headings_of_other_makers_styles():
    assert parse_heading("# Chapter 3 - Driving the hybrid") == (1, "3", "Driving the hybrid")
    assert parse_heading("# Part 2: Seats") == (1, "2", "Seats")
    assert parse_heading("## 4-2 Forward collision warning") == (2, "4-2", "Forward collision warning")
    assert parse_heading("## 6.2 Engine oil") == (2, "6.2", "Engine oil")
    assert parse_heading("## Chapters of my trip") == (2, "", "Chapters of my trip")  # no number: no id


def test_every_format_of_the_second_manual_gets_a_meaningful_label():
    sections = _sections(manual_b.rows())
    # unnumbered "##" sections under a "Chapter N - Title" chapter
    assert sections[("tavi-03-hybrid", "Drive modes")] == ("3", "Driving the hybrid", "")
    # "4-1"-style numbers are section ids of their chapter
    assert sections[("tavi-04-assist", "Lane Guard")] == ("4", "Driver assistance", "4-3")
    assert sections[("tavi-02-seats", "Airbags")] == ("2", "Seats and restraints", "2.3")
    # plain text without any heading: one section titled by its URL's last segment
    assert sections[("tavi-tyres-and-wheels", "Tyres and wheels")] == ("", "", "")
    # plain text with ALL-CAPS title lines (rag/plaintext.py, 2026-12-06): a section per title, the
    # document's title as chapter (before: the whole file was one section "Emergencies")
    assert sections[("tavi-emergencies", "Jump starting")] == ("", "Emergencies", "")
    assert sections[("tavi-emergencies", "In case of a flat tyre")] == ("", "Emergencies", "")
    assert len(sections) == 38


def test_the_manuals_own_chapter_headings_win_over_another_manuals_toc():
    """index.toc defaults to the EV7's chapters; a page of section 2.3 without its chapter heading
    still takes chapter 2's title from the user's own manual when another page carries it."""
    docs = manual_b.documents()
    seats = next(d for d in docs if d.doc_id == "tavi-02-seats")
    page = seats.text.split("## 2.3 ")[1].split("## 2.4 ")[0]
    alone = type(seats)("page-2.3", seats.url + "#2.3", "## 2.3 " + page)
    rows = chunk_documents([*docs, alone], ChunkConfig(), read_toc(REPO / "data" / "manual"))
    chapter = {r["chapter"] for r in rows if r["doc_id"] == "page-2.3"}
    assert chapter == {"Seats and restraints"}  # not the EV7's "Keys, doors and windows"

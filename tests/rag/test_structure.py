"""Markdown-like structure: which heading is a chapter, a section or a subsection; block kinds."""

from rag.structure import chapter_titles, parse_document, parse_heading

MANUAL_PAGE = """# 6 Driving

## 6.2 Gear selector

The gear selector is the stalk on the right.

| Gear | How to select |
|---|---|
| D | Push down. |
| R | Push up. |

### Automatic P

The car selects P if:

- the door is opened; or
- the car is switched off.

## 6.3 Drive modes

Four modes.
"""


def test_numbered_headings_give_chapter_and_section_ids():
    sections = parse_document(MANUAL_PAGE)
    assert [(s.chapter_id, s.chapter, s.section_id, s.title) for s in sections] == [
        ("6", "Driving", "6.2", "Gear selector"),
        ("6", "Driving", "6.3", "Drive modes"),
    ]
    kinds = [(b.kind, b.subsection) for b in sections[0].blocks]
    assert kinds == [("paragraph", ""), ("table", ""), ("heading", "Automatic P"), ("paragraph", "Automatic P"),
                     ("list", "Automatic P")]


def test_a_section_page_without_its_chapter_heading_takes_the_chapter_title_from_the_map():
    [section] = parse_document("## 11.3 DC fast charging\n\nUse CCS2.\n", chapters={"11": "Charging"})
    assert (section.chapter_id, section.chapter, section.section_id) == ("11", "Charging", "11.3")


def test_unnumbered_web_page_headings_and_headingless_text():
    page = "# My road trip\n\nIntro text.\n\n## Packing\n\nTake a charger.\n\n### Cables\n\nType 2.\n"
    sections = parse_document(page, title="fallback")
    assert [(s.chapter, s.section_id, s.title) for s in sections] == [
        ("My road trip", "", "My road trip"), ("My road trip", "", "Packing")]
    assert sections[1].blocks[1].kind == "heading" and sections[1].blocks[2].subsection == "Cables"
    [plain] = parse_document("Just some text.\nAnother line of the same paragraph.", title="Doc title")
    assert (plain.section_id, plain.title, plain.chapter) == ("", "Doc title", "")
    assert [b.kind for b in plain.blocks] == ["paragraph"]


def test_one_part_number_below_level_one_is_a_section():
    sections = parse_document("# Report\n\n## 3. Results\n\nIt works.\n")
    assert [(s.section_id, s.title) for s in sections] == [("3", "Results")]


def test_procedures_keep_continuation_lines_and_code_fences_are_one_block():
    text = ("1. First step\n   with a second line.\n2. Second step.\n\n   Indented note of step 2.\n3. Third.\n\n"
            "After the steps.\n\n```\n| not a table |\n1. not a step\n```\n")
    [section] = parse_document(text)
    kinds = [(b.kind, b.text.count("\n")) for b in section.blocks]
    assert kinds == [("steps", 5), ("paragraph", 0), ("code", 3)]


def test_heading_parsing_and_chapter_titles():
    assert parse_heading("## 6.2 Gear selector") == (2, "6.2", "Gear selector")
    assert parse_heading("# 12. Battery care ##") == (1, "12", "Battery care")
    assert parse_heading("### Automatic P") == (3, "", "Automatic P")
    assert parse_heading("#hashtag") is None
    assert chapter_titles("# 6 Driving\n## 6.1 On\n# 7 Driver assistance\n# Appendix") == {
        "6": "Driving", "7": "Driver assistance"}

"""Structure-aware chunking: a section's blocks packed into chunks of about ``words`` words.

Chunks never span two sections, so every chunk has exactly one section id and title. Tables,
numbered procedures and lists stay whole up to ``max_block_words``; longer ones are split only
between rows (the header row repeated on every piece) or between items, never inside a step.
Paragraphs longer than a chunk are split between sentences; a sentence longer than a chunk (a
paragraph without punctuation, a run of CJK text) is cut into near-equal pieces of at most
``words`` words, and a table row, step or list item longer than ``max_block_words`` likewise, as a
last resort: no chunk exceeds ``max_block_words`` by more than an overlap. Words are counted by
``rag.structure.count_words``: each CJK character (Han, kana) counts as one word, because these
scripts put no spaces between words and MiniLM's tokenizer reads each Han character as (at least)
one word piece, so 120 CJK characters stay within its 256 word pieces as 120 English words do.
The next chunk of a section starts
with the previous chunk's last prose sentences (up to ``overlap_words``), never with a partial
table or step. A subsection heading is never left dangling at the end of a chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.config import ChunkConfig
from rag.structure import BULLET, CJK, LONG_RUN, NOT_ABBREVIATION, NOT_BEFORE_NUMBER, STEP, Block, Section, count_words

# Latin: ". " before a capital or digit, not after an abbreviation ("e.g.", "No. 129"); CJK: 。！？ need no space after them.
SENTENCE_END = re.compile(rf"(?<=[.!?:]){NOT_ABBREVIATION}\s+(?=[A-Z\"'(\[*])|(?<=[.!?:]){NOT_ABBREVIATION}{NOT_BEFORE_NUMBER}\s+(?=[0-9])"
                          r"|(?<=[\u3002\uff01\uff1f])(?![\u300d\u300f\uff09])\s*")
# One word (rag.structure.WORD) with the whitespace before it, so cut pieces keep their line breaks.
_UNIT = re.compile(f"\\s*(?:[{CJK}]|[^\\s{CJK}]{{1,{LONG_RUN}}})")
_CJK_CHAR = re.compile(f"[{CJK}]")


@dataclass(frozen=True)
class Atom:
    text: str
    joiner: str  # what separates it from the previous atom: "\n\n" between blocks, " " in a paragraph
    subsection: str
    prose: bool  # sentences of prose may be repeated as overlap; tables and steps may not
    glue: bool = False  # a heading: belongs with what follows it

    @property
    def words(self) -> int:
        return count_words(self.text)


@dataclass(frozen=True)
class Chunk:
    text: str
    subsection: str  # the subsection in effect where the chunk starts ("" if none)
    position: int  # 0-based index of the chunk within its section
    words: int
    overlap_words: int  # words at the start repeated from the previous chunk


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(" ".join(text.split())) if s]


def split_long(text: str, budget: int) -> list[str]:
    """``text`` cut into near-equal pieces of at most ``budget`` words (CJK characters count one
    each), whitespace inside a piece kept; text within the budget comes back whole."""
    units = _UNIT.findall(text)
    if len(units) <= budget:
        return [text]
    parts = -(-len(units) // budget)
    size = -(-len(units) // parts)
    return ["".join(units[i:i + size]).strip() for i in range(0, len(units), size)]


def _joiner(before: str, after: str) -> str:
    """Pieces of one paragraph: a space between them, none between two CJK characters."""
    return "" if _CJK_CHAR.fullmatch(before[-1:]) and _CJK_CHAR.fullmatch(after[:1]) else " "


def _items(text: str, marker: re.Pattern) -> list[str]:
    """Top-level items of a list block, each with its continuation and nested lines."""
    items: list[list[str]] = []
    for line in text.splitlines():
        if marker.match(line) and not line.startswith(("    ", "\t")) or not items:
            items.append([line])
        else:
            items[-1].append(line)
    return ["\n".join(item) for item in items]


def _groups(pieces: list[str], budget: int, header: str = "", sep: str = "\n") -> list[str]:
    """Consecutive pieces joined into groups of at most ``budget`` words (a single longer piece
    stays whole), each group prefixed by ``header``."""
    groups: list[list[str]] = []
    size = 0
    head_words = count_words(header)
    for piece in pieces:
        words = count_words(piece)
        if groups and size + words <= budget:
            groups[-1].append(piece)
            size += words
        else:
            groups.append([piece])
            size = head_words + words
    return [(header + sep if header else "") + sep.join(g) for g in groups]


def block_atoms(block: Block, cfg: ChunkConfig) -> list[Atom]:
    sub = block.subsection
    if block.kind == "heading":
        return [Atom(block.text, "\n\n", sub, prose=False, glue=True)]
    if block.kind in ("paragraph", "note"):
        if block.words <= cfg.words:
            return [Atom(block.text, "\n\n", sub, prose=True)]
        parts = [piece for sentence in sentences(block.text) for piece in split_long(sentence, cfg.words)]
        return [Atom(s, "\n\n" if i == 0 else _joiner(parts[i - 1], s), sub, prose=True) for i, s in enumerate(parts)]
    if block.words <= cfg.max_block_words:
        return [Atom(block.text, "\n\n", sub, prose=False)]
    if block.kind == "table":
        lines = block.text.splitlines()
        has_header = len(lines) > 2 and set(lines[1].replace("|", "").strip()) <= set("-: ")
        header = "\n".join(lines[:2]) if has_header else ""
        rows = lines[2:] if has_header else lines
        pieces = _groups(rows, cfg.words, header)
    elif block.kind in ("steps", "list"):
        pieces = _groups(_items(block.text, STEP if block.kind == "steps" else BULLET), cfg.words)
    else:  # code: between lines
        pieces = _groups(block.text.splitlines(), cfg.words)
    # A single row, item or line longer than a block may be (a "table" of one 3,000-word line):
    # cut by words as a last resort rather than make one giant chunk.
    pieces = [cut for piece in pieces for cut in split_long(piece, cfg.max_block_words)]
    return [Atom(p, "\n\n" if i == 0 else "\n", sub, prose=False) for i, p in enumerate(pieces)]


def _overlap(previous: list[Atom], budget: int) -> list[Atom]:
    """The last prose sentences of the previous chunk, at most ``budget`` words in all."""
    if budget <= 0 or not previous or not previous[-1].prose:
        return []
    tail = sentences(previous[-1].text)
    taken: list[str] = []
    size = 0
    for sentence in reversed(tail):
        words = count_words(sentence)
        if size + words > budget:
            break
        taken.insert(0, sentence)
        size += words
    if not taken:
        return []
    return [Atom(" ".join(taken), "\n\n", previous[-1].subsection, prose=True)]


def _render(atoms: list[Atom]) -> str:
    return "".join((a.joiner if i else "") + a.text for i, a in enumerate(atoms)).strip()


def _lead_in(block: Block, following: Block | None) -> bool:
    """A short sentence ending in ":" that introduces the table or list after it."""
    return (block.kind == "paragraph" and block.text.rstrip().endswith(":") and block.words <= 40
            and following is not None and following.kind in ("table", "steps", "list", "code"))


def chunk_section(section: Section, cfg: ChunkConfig) -> list[Chunk]:
    atoms: list[Atom] = []
    blocks = section.blocks
    for i, block in enumerate(blocks):
        if _lead_in(block, blocks[i + 1] if i + 1 < len(blocks) else None):
            atoms.append(Atom(block.text, "\n\n", block.subsection, prose=False, glue=True))
        else:
            atoms.extend(block_atoms(block, cfg))
    packed: list[tuple[list[Atom], int]] = []  # (atoms, how many leading atoms are overlap)
    current: list[Atom] = []
    carried = 0
    for atom in atoms:
        fresh = current[carried:]
        size = sum(a.words for a in current) + atom.words
        # A chunk with only a sentence or two of its own would be a weak retrieval unit: it may
        # grow up to max_block_words instead of being cut off before a long table or list.
        stub = sum(a.words for a in fresh) < cfg.words // 4 and size <= cfg.max_block_words
        if fresh and not all(a.glue for a in fresh) and size > cfg.words and not stub:
            dangling = []
            while current and current[-1].glue:  # a heading goes with the content after it
                dangling.insert(0, current.pop())
            packed.append((current, carried))
            overlap = _overlap(current, cfg.overlap_words)
            if sum(a.words for a in overlap + dangling) + atom.words > cfg.max_block_words:
                overlap = []
            current, carried = overlap + dangling, len(overlap)
        current.append(atom)
    if current[carried:]:
        packed.append((current, carried))
    packed = _merge_small_tail(packed, cfg)
    chunks = []
    for position, (group, carried) in enumerate(packed):
        text = _render(group)
        chunks.append(Chunk(text, group[0].subsection, position, count_words(text),
                            sum(a.words for a in group[:carried])))
    return chunks


def _merge_small_tail(packed: list[tuple[list[Atom], int]], cfg: ChunkConfig) -> list[tuple[list[Atom], int]]:
    """A last chunk with few new words joins the chunk before it when the two still fit."""
    if len(packed) < 2:
        return packed
    (prev, prev_carried), (last, carried) = packed[-2], packed[-1]
    fresh = last[carried:]
    fresh_words = sum(a.words for a in fresh)
    if fresh_words < cfg.words // 4 and sum(a.words for a in prev) + fresh_words <= cfg.words + cfg.words // 4:
        return packed[:-2] + [(prev + fresh, prev_carried)]
    return packed

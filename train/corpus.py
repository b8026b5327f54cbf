"""Documents of the curated Parquet shards (columns id, text, url), in a fixed order.

Rows whose text is missing or not a string are not training data: they are counted and listed
in a quarantine file by the caller, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

REQUIRED_COLUMNS = ("id", "text")


class CorpusError(ValueError):
    """Shards that cannot be read as the curate stage's output."""


@dataclass
class Document:
    id: str
    text: str


@dataclass
class Problem:
    file: str
    row: int
    reason: str


@dataclass
class CorpusStats:
    files: int = 0
    documents: int = 0
    characters: int = 0
    problems: list[Problem] = field(default_factory=list)


def shard_files(folder: Path) -> list[Path]:
    files = sorted(Path(folder).glob("*.parquet"))
    if not files:
        raise CorpusError(f"{folder}: no .parquet shards (is this the curate stage's 'shards' output?)")
    return files


def iter_documents(folder: Path, stats: CorpusStats | None = None, batch_rows: int = 4096) -> Iterator[Document]:
    """Every usable document, shard by shard in name order, rows in file order."""
    import pyarrow.parquet as pq

    stats = stats if stats is not None else CorpusStats()
    for path in shard_files(folder):
        parquet = pq.ParquetFile(path)
        missing = [c for c in REQUIRED_COLUMNS if c not in parquet.schema_arrow.names]
        if missing:
            raise CorpusError(f"{path}: missing column(s) {', '.join(missing)}; has {parquet.schema_arrow.names}")
        stats.files += 1
        row = 0
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=list(REQUIRED_COLUMNS)):
            ids, texts = batch.column("id").to_pylist(), batch.column("text").to_pylist()
            for doc_id, text in zip(ids, texts):
                if not isinstance(text, str):
                    stats.problems.append(Problem(path.name, row, f"text is {type(text).__name__}, not a string"))
                elif not text.strip():
                    stats.problems.append(Problem(path.name, row, "empty text"))
                else:
                    stats.documents += 1
                    stats.characters += len(text)
                    yield Document(str(doc_id), text)
                row += 1


def iter_texts(folder: Path, max_chars: int = 0) -> Iterator[str]:
    """Texts for tokenizer training, stopping after ``max_chars`` characters (0: no limit)."""
    seen = 0
    for doc in iter_documents(folder):
        yield doc.text
        seen += len(doc.text)
        if max_chars and seen >= max_chars:
            return

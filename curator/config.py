"""Typed config of the curate stage. Plain dataclasses: no Hydra here (pipeline/config.py registers it)."""

from dataclasses import dataclass, field


@dataclass
class CurateConfig:
    # Raw JSONL/Parquet documents: a file, a folder or a glob. Its content is part of the cache key.
    input: str = "???"
    text_field: str = "text"
    id_field: str = "id"
    # Kept languages (ISO 639-1); empty keeps all.
    languages: list[str] = field(default_factory=lambda: ["en"])
    seed: int = 1234

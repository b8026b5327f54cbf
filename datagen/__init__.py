"""Synthetic data for the Kestrel EV7 pipeline: manual parser and raw-crawl builder.

Public API:
    load_manual(manual_dir) -> list[ManualSection]
    build_corpus(manual_dir, out_dir, spec=CorpusSpec()) -> CorpusStats
    normalize_text / shingles / jaccard   (the dedup yardstick)
    record_problem(raw_line: bytes)       (the record-validity yardstick)
"""
from .corpus import CATEGORIES, GT_FIELDS, CorpusSpec, CorpusStats, build_corpus
from .edits import jaccard, normalize_text, shingles
from .malformed import record_problem
from .manual import ManualFormatError, ManualSection, load_manual

__all__ = ["CATEGORIES", "GT_FIELDS", "CorpusSpec", "CorpusStats", "ManualFormatError", "ManualSection",
           "build_corpus", "jaccard", "load_manual", "normalize_text", "record_problem", "shingles"]

"""Curate stage: raw crawl -> clean, deduplicated Parquet shards (stage.py; docs/curate.md)."""

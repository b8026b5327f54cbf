"""One generation API for the assistant and the CLI, over three backends.

- ``edge``: the ONNX model the export stage built with onnxruntime-genai's model builder, run by
  onnxruntime with our continuous batcher (infer/edge_runner.py). Default on CPU.
- ``torch``: the HF model with our slot-based KV cache (infer/torch_runner.py): the reference and
  the GPU path. Also opens a plain HF folder (``Generator.open(hf_dir, backend="torch")``).
- ``trtllm``: TensorRT-LLM's LLM API on the bundle's HF checkpoint (infer/trtllm_backend.py),
  imported only when asked for.

Every call is thread-safe: concurrent ``generate``/``stream`` calls join one in-flight batch.
This module imports nothing heavy; backends are imported when a generator is opened.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("pipeline.infer")
BACKENDS = ("edge", "torch", "trtllm")


@dataclass
class SamplingParams:
    max_tokens: int = 128
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 1.0
    top_k: int = 0
    stop: list[str] = field(default_factory=list)  # one string is one stop string, not its characters
    seed: int | None = None

    def __post_init__(self):
        if isinstance(self.stop, str):
            self.stop = [self.stop]
        elif self.stop is None:
            self.stop = []

    def validate(self) -> None:
        """Raise ``InvalidRequest`` naming the first bad value; called before a request is queued,
        so a bad request never reaches a batch that other requests share."""
        self.max_tokens = _integer("max_tokens", self.max_tokens, 1, ">= 1")
        self.temperature = _number("temperature", self.temperature, lambda v: v >= 0, ">= 0 (0 = greedy)")
        self.top_p = _number("top_p", self.top_p, lambda v: 0 < v <= 1, "in (0, 1]")
        self.top_k = _integer("top_k", self.top_k, 0, ">= 0 (0 = no limit)")
        if self.seed is not None:
            self.seed = _integer("seed", self.seed, 0, ">= 0")
        if not isinstance(self.stop, (list, tuple)) or not all(isinstance(x, str) for x in self.stop):
            raise InvalidRequest(f"invalid sampling value stop={self.stop!r}: must be a string or a list of strings")
        self.stop = list(self.stop)


def _number(key: str, value: Any, ok, rule: str) -> float:
    import math
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise InvalidRequest(f"invalid sampling value {key}={value!r}: must be a finite number {rule}")
    if not ok(value):
        raise InvalidRequest(f"invalid sampling value {key}={value!r}: must be {rule}")
    return float(value)


def _integer(key: str, value: Any, minimum: int, rule: str) -> int:
    import numbers

    whole = isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        raise InvalidRequest(f"invalid sampling value {key}={value!r}: must be an integer {rule}")
    if value < minimum:
        raise InvalidRequest(f"invalid sampling value {key}={value!r}: must be {rule}")
    return int(value)


@dataclass
class GenerationRequest:
    prompt: str | None = None
    messages: list[dict] | None = None  # chat messages, rendered with the tokenizer's chat template
    adapter: str | None = None  # LoRA adapter name; None = base model
    sampling: SamplingParams = field(default_factory=SamplingParams)


@dataclass
class GenerationResult:
    text: str  # the completion, cut before a stop string
    token_ids: list[int]  # generated tokens (EOS excluded; a stop string's tokens included)
    finish_reason: str  # "stop" | "length" | "eos"
    prompt_tokens: int
    completion_tokens: int  # == len(token_ids)
    ttft_s: float  # submission to first token, queueing included
    total_s: float


class BackendUnavailable(RuntimeError):
    """The requested backend cannot run here (library missing, no GPU, not in the bundle)."""


class UnknownAdapter(ValueError):
    """A request named an adapter the model does not have."""


class InvalidRequest(ValueError):
    """A request that cannot be served as given (no prompt, bad sampling values, too long)."""


def open_errors() -> tuple[type[BaseException], ...]:
    """The exceptions ``Generator.open`` raises for bad files or settings, each a one-line message
    naming the file or value: what a CLI prints as ``error: ...`` instead of a traceback. The torch
    runner's error joins only when that module was loaded (it imports torch; the edge path never does)."""
    import sys

    from infer.bundle import BundleError
    from infer.edge_runner import EdgeModelError
    from infer.lora import AdapterError
    from infer.textio import TokenizerFilesError

    errors = [BundleError, AdapterError, EdgeModelError, TokenizerFilesError, BackendUnavailable, UnknownAdapter,
              InvalidRequest, FileNotFoundError]
    runner = sys.modules.get("infer.torch_runner")
    if runner is not None:
        errors.append(runner.ModelFilesError)
    return tuple(errors)


class Generator:
    """Open with ``Generator.open(bundle_or_hf_dir, backend=...)``; close when done."""

    backend: str
    model_name: str
    adapters: list[str]

    def __init__(self, backend: str, model_name: str, adapters: list[str], codec, engine, max_len: int):
        self.backend, self.model_name, self.adapters = backend, model_name, list(adapters)
        self.codec, self._engine, self.max_len = codec, engine, max_len

    # --- opening --------------------------------------------------------------------------------
    @classmethod
    def open(cls, bundle: Path, backend: str = "auto", **options: Any) -> Generator:
        """Options: verify (full|fast|none), precision (edge: fp32|int4), max_batch, max_len,
        threads, device/dtype/cuda_graphs/compile (torch), adapters={name: dir} (HF folder)."""
        from infer import bundle as bundles

        path = Path(bundle)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such bundle or model folder")
        if backend not in ("auto", *BACKENDS):
            raise BackendUnavailable(f"unknown backend '{backend}'; choose one of auto, {', '.join(BACKENDS)}")
        if (path / bundles.BUNDLE_FILE).is_file():
            index = bundles.read_index(path, options.pop("verify", "fast"))
            chosen = _auto_backend(index) if backend == "auto" else backend
            return _OPENERS[chosen](path, index, options)
        if (path / "config.json").is_file():  # a plain HF folder: the torch (or trtllm) backend
            chosen = "torch" if backend == "auto" else backend
            if chosen == "edge":
                raise BackendUnavailable(f"{path} is an HF folder; the edge backend needs an export bundle")
            options.pop("verify", None)
            index = {"model_name": path.name, "hf": {"base": ".", "adapters": _adapter_dirs(path, options)}}
            return _OPENERS[chosen](path, index, options)
        raise bundles.BundleError(f"{path}: neither an export bundle (bundle.json) nor an HF model folder")

    # --- generation -----------------------------------------------------------------------------
    def render_chat(self, messages: list[dict]) -> str:
        return self.codec.render_chat(messages, add_generation_prompt=True)

    def generate(self, request: GenerationRequest) -> GenerationResult:
        result = None
        for kind, value in self.events(request, streaming=False):
            if kind == "done":
                result = value
        assert result is not None
        return result

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        for kind, value in self.events(request):
            if kind == "delta":
                yield value  # type: ignore[misc]

    def events(self, request: GenerationRequest, streaming: bool = True) -> Iterator[tuple[str, Any]]:
        """("delta", text) events in order (none when ``streaming`` is off), then ("done", GenerationResult)."""
        prompt_ids, adapter = self._prepare(request)
        return self._engine.run(prompt_ids, adapter, request.sampling, streaming)

    def _prepare(self, request: GenerationRequest) -> tuple[list[int], str | None]:
        if (request.prompt is None) == (request.messages is None):
            raise InvalidRequest("a request needs exactly one of prompt or messages")
        if request.adapter is not None and request.adapter not in self.adapters:
            have = ", ".join(self.adapters) or "none"
            raise UnknownAdapter(f"unknown adapter '{request.adapter}'; this model has: {have}")
        if not isinstance(request.sampling, SamplingParams):
            raise InvalidRequest(f"sampling must be a SamplingParams, not {type(request.sampling).__name__}")
        request.sampling.validate()
        ids = encode_request(self.codec, request)
        if not ids:
            raise InvalidRequest("the prompt is empty after tokenization")
        if len(ids) >= self.max_len:
            raise InvalidRequest(f"the prompt has {len(ids)} tokens; this model's context is {self.max_len}")
        return ids, request.adapter

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> Generator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def encode_request(codec, request: GenerationRequest) -> list[int]:
    """Prompt token ids: chat messages through the chat template (which writes BOS itself),
    a plain prompt with the tokenizer's own special tokens, as ``tokenizer(prompt)`` would."""
    if request.messages is not None:
        return codec.encode(codec.render_chat(request.messages, add_generation_prompt=True), add_special_tokens=False)
    return codec.encode(request.prompt or "", add_special_tokens=True)


class LocalEngine:
    """Our scheduler over a slot runner (edge and torch)."""

    def __init__(self, runner, codec, adapters: list[str], name: str):
        from infer.scheduler import Scheduler

        self.scheduler = Scheduler(runner, codec, name)
        self.codec, self.adapters = codec, adapters

    def run(self, prompt_ids: list[int], adapter: str | None, s: SamplingParams, streaming: bool = True):
        import time

        import numpy as np

        from infer.scheduler import Sequence
        from infer.textio import Detokenizer, StopText

        runner = self.scheduler.runner
        seq = Sequence(
            prompt_ids=prompt_ids, adapter=0 if adapter is None else self.adapters.index(adapter) + 1,
            max_new=min(s.max_tokens, runner.max_len - len(prompt_ids)),
            temperature=s.temperature, top_k=s.top_k, top_p=s.top_p, rng=np.random.default_rng(s.seed),
            detok=Detokenizer(self.codec), stop=StopText(list(s.stop)), streaming=streaming,
        )
        self.scheduler.submit(seq)
        for kind, value in self.scheduler.events(seq):
            if kind == "done":
                done = time.perf_counter()
                yield "done", GenerationResult(
                    text=seq.stop.text, token_ids=list(seq.generated), finish_reason=seq.finish or "length",
                    prompt_tokens=len(prompt_ids), completion_tokens=len(seq.generated),
                    ttft_s=(seq.first_token_at or done) - seq.submitted, total_s=done - seq.submitted)
            else:
                yield kind, value

    def close(self) -> None:
        self.scheduler.close()


def _adapter_dirs(root: Path, options: dict) -> dict[str, str]:
    from infer.lora import adapter_folders

    given = options.pop("adapters", None)
    if given is None:
        return {}
    if isinstance(given, (str, Path)):  # a folder holding one adapter folder per name
        return {name: str(p) for name, p in adapter_folders(Path(given)).items()}
    return {name: str(p) for name, p in dict(given).items()}


def _auto_backend(index: dict) -> str:
    """GPU + TensorRT-LLM -> trtllm; GPU -> torch; CPU -> edge when the bundle has it."""
    import importlib.util

    try:
        import torch

        gpu = torch.cuda.is_available()
    except ImportError:
        gpu = False
    if gpu and importlib.util.find_spec("tensorrt_llm") is not None:
        return "trtllm"
    if not gpu and index.get("edge") and importlib.util.find_spec("onnxruntime") is not None:
        return "edge"
    return "torch"


def _resolve(root: Path, rel: str) -> Path:
    return (root / rel).resolve() if not Path(rel).is_absolute() else Path(rel)


def _open_torch(root: Path, index: dict, options: dict) -> Generator:
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise BackendUnavailable("backend 'torch' needs PyTorch, which is not installed")
    from infer.lora import read_adapter
    from infer.textio import Codec
    from infer.torch_runner import TorchRunner

    from infer.bundle import check_weights

    hf = index.get("hf") or {}
    base = _resolve(root, hf.get("base", "."))
    adapters = hf.get("adapters") or {}
    check_weights(base)  # a cut or damaged file: one line naming it, not a safetensors traceback
    loaded = [read_adapter(_resolve(root, rel), name) for name, rel in adapters.items()]
    codec = Codec(base)
    runner = TorchRunner(base, loaded, max_slots=options.pop("max_batch", 16), max_len=options.pop("max_len", None),
                         device=options.pop("device", "auto"), dtype=options.pop("dtype", "auto"),
                         cuda_graphs=options.pop("cuda_graphs", None), compile=options.pop("compile", False),
                         threads=options.pop("threads", 0), fused=options.pop("fused", True))
    _no_leftovers(options, "torch")
    names = list(adapters)
    return Generator("torch", index.get("model_name", base.name), names, codec,
                     LocalEngine(runner, codec, names, "torch"), runner.max_len)


def _open_edge(root: Path, index: dict, options: dict) -> Generator:
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        raise BackendUnavailable("backend 'edge' needs onnxruntime, which is not installed (pip install onnxruntime)")
    from infer.edge_runner import EdgeRunner
    from infer.textio import Codec

    edge = index.get("edge") or {}
    precision = options.pop("precision", "fp32" if "fp32" in edge else next(iter(edge), "fp32"))
    if precision not in edge:
        have = ", ".join(edge) or "none"
        raise BackendUnavailable(f"this bundle has no edge model in precision '{precision}' (it has: {have})")
    entry = edge[precision]
    folder = _resolve(root, entry["path"])
    adapters = {name: _resolve(root, rel) for name, rel in (entry.get("adapters") or {}).items()}
    codec = Codec(folder)
    runner = EdgeRunner(folder, adapters, max_slots=options.pop("max_batch", 16),
                        max_len=options.pop("max_len", None), threads=options.pop("threads", 0))
    _no_leftovers(options, "edge")
    names = list(adapters)
    return Generator("edge", index.get("model_name", root.name), names, codec,
                     LocalEngine(runner, codec, names, "edge"), runner.max_len)


def _open_trtllm(root: Path, index: dict, options: dict) -> Generator:
    from infer.bundle import check_weights
    from infer.trtllm_backend import open_trtllm

    check_weights(_resolve(root, (index.get("hf") or {}).get("base", ".")))

    return open_trtllm(root, index, options)


def _no_leftovers(options: dict, backend: str) -> None:
    if options:
        raise InvalidRequest(f"unknown option(s) for backend '{backend}': {', '.join(sorted(options))}")


_OPENERS = {"torch": _open_torch, "edge": _open_edge, "trtllm": _open_trtllm}

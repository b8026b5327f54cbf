"""What the assistant needs from the other stages, and the adapters that plug it into NeMo Guardrails.

``Ports`` bundles the generator (infer/runtime.py), the retriever (rag/retriever.py), the request
types of the runtime and the prompt/command functions of the customize stage. ``Ports.open``
builds them from the export bundle and the index folder; tests build them on a tiny model folder.

``GeneratorLLM`` is our Generator as a Guardrails LLM (the ``nemoguardrails.types.LLMModel``
protocol); ``SharedEmbeddings`` is the retriever's MiniLM as a Guardrails embedding engine, so the
process holds one embedding model and nothing downloads one.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("pipeline.assistant")
EMBEDDING_ENGINE = "kestrel_minilm"


def disable_telemetry() -> None:
    """NeMo Guardrails reports usage unless told not to (it is silent only under CI or pytest).

    Its loggers also narrate every Colang event at INFO; under the pipeline's INFO logging that
    formatting alone cost more CPU than the rails themselves, so they are kept at WARNING.
    """
    import os

    logging.getLogger("nemoguardrails").setLevel(logging.WARNING)
    os.environ["NEMO_GUARDRAILS_NO_USAGE_STATS"] = "1"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def single_threaded_blas() -> None:
    """One BLAS thread for the rest of the process.

    The rails' matrix products are tiny (intent scores, the safety head, the answer ranker), and after
    each one numpy's OpenBLAS left its second thread spinning: on the 2-core machine the demo's probe
    measured 46-49 ms of process CPU per turn for ~21 ms of work (2026-12-06, docs/assistant.md).
    The model and the encoder keep their own thread settings (onnxruntime, torch). The application's
    entry points call it (``factory.open_assistant``: stage, chat, serve), not ``Assistant`` itself: a
    process-wide thread limit is the application's choice, and a script that embeds the assistant in
    a larger numpy program would be slowed by it; such a script may call it too.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # without it: the same answers, only the spinning
        return
    threadpool_limits(limits=1, user_api="blas")


@dataclass
class Prompts:
    """The customize stage's prompt formats and command parsing (customize/prompts.py, commands.py)."""

    manual_qa_messages: Callable[[str, list], list[dict]]
    parse_manual_answer: Callable[[str], tuple[str, str | None]]
    command_messages: Callable[[str, dict], list[dict]]
    parse_command: Callable[[str], tuple[dict | None, list[str]]]
    validate_command: Callable[[Any], list[str]]
    validate_vehicle_state: Callable[[Any], list[str]]
    schema: dict | None = None  # the command JSON Schema (slot specs for the fallback)

    @classmethod
    def from_customize(cls) -> Prompts:
        from customize.commands import load_schema, parse_command, validate_command, validate_vehicle_state
        from customize.prompts import command_messages, manual_qa_messages, parse_manual_answer

        return cls(manual_qa_messages, parse_manual_answer, command_messages, parse_command, validate_command,
                   validate_vehicle_state, load_schema())


@dataclass
class Ports:
    generator: Any  # infer.runtime.Generator
    retriever: Any  # rag.retriever.Retriever
    prompts: Prompts
    request_type: type  # infer.runtime.GenerationRequest
    sampling_type: type  # infer.runtime.SamplingParams
    owned: list = field(default_factory=list)  # what close() closes

    @classmethod
    def open(cls, bundle: Path, index_dir: Path, backend: str = "auto", threads: int = 0) -> Ports:
        from infer.runtime import GenerationRequest, Generator, SamplingParams
        from rag.retriever import Retriever

        options = {"threads": threads} if threads else {}
        generator = Generator.open(Path(bundle), backend=backend, **options)
        try:
            retriever = Retriever.open(Path(index_dir))
        except BaseException:  # a bad index: do not leave the model thread running
            generator.close()
            raise
        return cls(generator, retriever, Prompts.from_customize(), GenerationRequest, SamplingParams, [generator])

    def close(self) -> None:
        for thing in self.owned:
            thing.close()
        self.owned.clear()


class EmbeddingCache:
    """Vectors of texts already embedded in this process (the turn's message, the intent examples)."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], capacity: int = 4096):
        self._embed, self._capacity = embed, capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            self.hits += len(texts) - len(todo)
            self.misses += len(todo)
        if todo:
            fresh = np.asarray(self._embed(todo), dtype=np.float32)
            with self._lock:
                for text, vector in zip(todo, fresh):
                    self._vectors[text] = vector
                while len(self._vectors) > self._capacity:
                    self._vectors.popitem(last=False)
        with self._lock:
            found = [self._vectors.get(t) for t in texts]
        if any(v is None for v in found):  # evicted meanwhile by another thread: embed again
            return np.asarray(self._embed(list(texts)), dtype=np.float32)
        return np.stack(found) if found else np.zeros((0, 0), dtype=np.float32)


# --- NeMo Guardrails adapters -----------------------------------------------------------------------
class GeneratorLLM:
    """Our Generator behind Guardrails' ``LLMModel`` protocol.

    Keyword arguments a rail may pass: ``adapter`` (LoRA name), ``max_tokens``, ``temperature``,
    ``messages`` (chat messages to render with the model's own template instead of ``prompt``).
    Each call runs in a worker thread, so concurrent turns meet in the generator's in-flight batch.
    """

    def __init__(self, ports: Ports, default_max_tokens: int = 128):
        self.ports = ports
        self.default_max_tokens = default_max_tokens
        self.calls = 0
        self.seconds = 0.0

    @property
    def model_name(self) -> str:
        return str(getattr(self.ports.generator, "model_name", "kestrel"))

    @property
    def provider_name(self) -> str | None:
        return "kestrel-generator"

    @property
    def provider_url(self) -> str | None:
        return None

    def _request(self, prompt: Any, stop: list[str] | None, kwargs: dict) -> Any:
        messages = kwargs.pop("messages", None)
        if messages is None and isinstance(prompt, list):
            messages = [m.to_dict() if hasattr(m, "to_dict") else dict(m) for m in prompt]
            messages = [{"role": m["role"], "content": m.get("content") or ""} for m in messages]
        sampling = self.ports.sampling_type(
            max_tokens=int(kwargs.pop("max_tokens", self.default_max_tokens)),
            temperature=float(kwargs.pop("temperature", 0.0)),
            stop=stop or [],  # a plain string is one stop string (SamplingParams keeps it whole)
        )
        adapter = kwargs.pop("adapter", None) or None
        if messages is not None:
            return self.ports.request_type(messages=messages, adapter=adapter, sampling=sampling)
        return self.ports.request_type(prompt=str(prompt), adapter=adapter, sampling=sampling)

    def generate_sync(self, prompt: Any, *, stop: list[str] | None = None, **kwargs) -> Any:
        from nemoguardrails.types import LLMResponse, UsageInfo

        request = self._request(prompt, stop, dict(kwargs))
        start = time.perf_counter()
        result = self.ports.generator.generate(request)
        self.calls += 1
        self.seconds += time.perf_counter() - start
        finish = result.finish_reason if result.finish_reason in ("stop", "length") else "stop"
        usage = UsageInfo(input_tokens=result.prompt_tokens, output_tokens=result.completion_tokens,
                          total_tokens=result.prompt_tokens + result.completion_tokens)
        response = LLMResponse(content=result.text, model=self.model_name, finish_reason=finish, usage=usage)
        response.provider_metadata = {"ttft_s": result.ttft_s, "total_s": result.total_s}
        return response

    async def generate_async(self, prompt: Any, *, stop: list[str] | None = None, **kwargs) -> Any:
        return await asyncio.to_thread(self.generate_sync, prompt, stop=stop, **kwargs)

    async def stream_async(self, prompt: Any, *, stop: list[str] | None = None, **kwargs) -> AsyncIterator[Any]:
        from nemoguardrails.types import LLMResponseChunk

        request = self._request(prompt, stop, dict(kwargs))
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        done = object()

        def pump() -> None:
            try:
                for delta in self.ports.generator.stream(request):
                    loop.call_soon_threadsafe(queue.put_nowait, delta)
            except Exception as err:  # surfaced to the consumer below
                loop.call_soon_threadsafe(queue.put_nowait, err)
            loop.call_soon_threadsafe(queue.put_nowait, done)

        threading.Thread(target=pump, daemon=True, name="kestrel-stream").start()
        while True:
            item = await queue.get()
            if item is done:
                break
            if isinstance(item, Exception):
                raise item
            yield LLMResponseChunk(delta_content=item, model=self.model_name)
        yield LLMResponseChunk(delta_content="", finish_reason="stop", model=self.model_name)


_EMBEDDERS: dict[str, Callable[[list[str]], np.ndarray]] = {}


def register_embeddings(name: str, embed: Callable[[list[str]], np.ndarray]) -> None:
    """Make ``embed`` the function behind Guardrails' embedding engine model ``name``."""
    from nemoguardrails.embeddings.providers import EmbeddingProviderRegistry, register_embedding_provider

    _EMBEDDERS[name] = embed
    try:
        EmbeddingProviderRegistry().get(EMBEDDING_ENGINE)
    except KeyError:
        register_embedding_provider(_shared_embeddings_class(), EMBEDDING_ENGINE)


def _shared_embeddings_class() -> type:
    from nemoguardrails.embeddings.providers.base import EmbeddingModel

    class SharedEmbeddings(EmbeddingModel):
        """The retriever's MiniLM (already loaded) as a Guardrails embedding engine."""

        engine_name = EMBEDDING_ENGINE

        def __init__(self, embedding_model: str, **_: Any):
            if embedding_model not in _EMBEDDERS:
                raise ValueError(f"no embedding function registered as '{embedding_model}'")
            self.name = embedding_model

        def encode(self, documents: list[str]) -> list[list[float]]:
            return _EMBEDDERS[self.name](list(documents)).tolist()

        async def encode_async(self, documents: list[str]) -> list[list[float]]:
            return await asyncio.to_thread(self.encode, documents)

    return SharedEmbeddings

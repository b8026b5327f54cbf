"""The ``trtllm`` runtime backend: TensorRT-LLM's LLM API behind our Generator interface.

Imported only when asked for. TensorRT-LLM does its own in-flight batching, paged KV cache and
multi-LoRA (one ``LoRARequest`` per request); we hand it token ids from our tokenizer (the same
chat template) and turn its streamed outputs into our text deltas. Not exercised here: TensorRT-LLM
cannot be installed on this project's machines (see docs/infer.md); the bundle part it reads is.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from pathlib import Path

from infer.runtime import BackendUnavailable, GenerationResult, Generator, SamplingParams
from infer.trtllm import MISSING, OPTIONS_FILE, available


def build_llm(model: str, options: dict):
    from tensorrt_llm import LLM
    from tensorrt_llm.llmapi import KvCacheConfig
    from tensorrt_llm.lora_manager import LoraConfig

    kwargs = {k: v for k, v in options.items() if k not in ("backend", "kv_cache_config", "lora_config")}
    if "kv_cache_config" in options:
        kwargs["kv_cache_config"] = KvCacheConfig(**options["kv_cache_config"])
    if "lora_config" in options:
        kwargs["lora_config"] = LoraConfig(**options["lora_config"])
    return LLM(model=model, **kwargs)


def lora_request(name: str, index: int, path: str):
    from tensorrt_llm.executor.request import LoRARequest

    return LoRARequest(name, index, path)


class TrtllmEngine:
    def __init__(self, llm, adapters: dict[str, str]):
        self.llm, self.adapters = llm, adapters
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="infer-trtllm", daemon=True)
        self.thread.start()

    def run(self, prompt_ids: list[int], adapter: str | None, s: SamplingParams, streaming: bool = True):
        from tensorrt_llm import SamplingParams as TrtSampling

        params = TrtSampling(max_tokens=s.max_tokens, temperature=s.temperature, top_p=s.top_p,
                             top_k=s.top_k or None, stop=s.stop or None, seed=s.seed)
        lora = None
        if adapter is not None:
            lora = lora_request(adapter, list(self.adapters).index(adapter), self.adapters[adapter])
        events: queue.Queue[tuple[str, object]] = queue.Queue()
        started = time.perf_counter()

        async def consume():
            first = None
            try:
                final = None
                async for output in self.llm.generate_async(prompt_ids, params, lora_request=lora, streaming=True):
                    first = first or time.perf_counter()
                    final = output.outputs[0]
                    if final.text_diff:
                        events.put(("delta", final.text_diff))
                done = time.perf_counter()
                events.put(("done", GenerationResult(
                    text=final.text, token_ids=list(final.token_ids),
                    finish_reason={"stop": "stop", "length": "length"}.get(str(final.finish_reason), "eos"),
                    prompt_tokens=len(prompt_ids), completion_tokens=len(final.token_ids),
                    ttft_s=(first or done) - started, total_s=done - started)))
            except Exception as err:  # surfaced to the caller's thread
                events.put(("error", err))

        asyncio.run_coroutine_threadsafe(consume(), self.loop)
        while True:
            kind, value = events.get()
            if kind == "error":
                raise value  # type: ignore[misc]
            yield kind, value
            if kind == "done":
                return

    def close(self) -> None:
        self.llm.shutdown()
        self.loop.call_soon_threadsafe(self.loop.stop)


def open_trtllm(root: Path, index: dict, options: dict) -> Generator:
    if not available():
        raise BackendUnavailable(f"backend 'trtllm' needs TensorRT-LLM: {MISSING}")
    import os

    import yaml

    from infer.textio import Codec

    base = (root / (index.get("hf") or {}).get("base", ".")).resolve()
    model = options.pop("model", str(base))  # or a quant/<format> modelopt checkpoint of the bundle
    trt = index.get("trtllm") or {}
    llm_options = yaml.safe_load((root / trt["options"]).read_text()) if trt.get("options") else {}
    adapters = {name: str((root / rel).resolve()) for name, rel in ((index.get("hf") or {}).get("adapters") or {}).items()}
    if "lora_config" in llm_options:
        llm_options["lora_config"]["lora_dir"] = list(adapters.values())
    llm_options.update(options)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        llm = build_llm(model, llm_options)
    finally:
        os.chdir(cwd)
    codec = Codec(base)
    max_len = int(llm_options.get("max_seq_len") or 2048)
    return Generator("trtllm", index.get("model_name", root.name), list(adapters), codec,
                     TrtllmEngine(llm, adapters), max_len)


__all__ = ["OPTIONS_FILE", "build_llm", "lora_request", "open_trtllm"]

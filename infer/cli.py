"""``python -m pipeline generate prompt="..." [adapter=...]``: stream one completion to stdout.

Statistics (backend, tokens, finish reason, time to first token, tokens/s) go to stderr, so
stdout is exactly the generated text.
"""

from __future__ import annotations

import sys
from pathlib import Path

OPTIONS = ("prompt", "adapter", "backend", "max_tokens", "temperature", "top_p", "top_k", "seed", "stop",
           "chat", "precision", "bundle", "max_batch")
_TYPES = {"max_tokens": int, "top_k": int, "seed": int, "temperature": float, "top_p": float, "max_batch": int}


def _parse(options: dict[str, str]) -> dict:
    parsed: dict = {}
    for key, raw in options.items():
        value = raw.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if key in _TYPES:
            try:
                parsed[key] = _TYPES[key](value)
            except ValueError:
                raise ValueError(f"{key}={raw}: not a valid {_TYPES[key].__name__}") from None
        elif key == "chat":
            if value.lower() not in ("true", "false", "auto"):
                raise ValueError(f"chat={raw}: use true, false or auto")
            parsed[key] = value.lower()
        else:
            parsed[key] = value
    return parsed


def generate(bundle: Path, raw: dict[str, str]) -> int:
    from infer.runtime import (
        BackendUnavailable,
        GenerationRequest,
        Generator,
        InvalidRequest,
        SamplingParams,
        UnknownAdapter,
        open_errors,
    )

    try:
        options = _parse(raw)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    prompt = options.pop("prompt", None)
    if not prompt:
        print('error: generate needs prompt="..."', file=sys.stderr)
        return 2
    open_options = {k: options.pop(k) for k in ("precision", "max_batch") if k in options}
    backend = options.pop("backend", "auto")
    chat = options.pop("chat", "auto")
    adapter = options.pop("adapter", None)
    stop = [options.pop("stop")] if "stop" in options else []
    sampling = SamplingParams(stop=stop, **options)
    try:
        sampling.validate()  # a bad value fails before the model loads
    except InvalidRequest as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        with Generator.open(bundle, backend=backend, **open_options) as gen:
            use_chat = chat == "true" or (chat == "auto" and bool(gen.codec.chat_template))
            request = GenerationRequest(
                prompt=None if use_chat else prompt,
                messages=[{"role": "user", "content": prompt}] if use_chat else None,
                adapter=adapter, sampling=sampling)
            result = None
            for kind, value in gen.events(request):
                if kind == "delta":
                    sys.stdout.write(value)
                    sys.stdout.flush()
                else:
                    result = value
            sys.stdout.write("\n")
            rate = result.completion_tokens / max(result.total_s - result.ttft_s, 1e-9)
            print(f"[{gen.backend}{', adapter ' + adapter if adapter else ''}] {result.completion_tokens} tokens, "
                  f"finish {result.finish_reason}, ttft {result.ttft_s * 1000:.0f} ms, {rate:.0f} tok/s",
                  file=sys.stderr)
    except open_errors() as err:  # evaluated only when something was raised
        print(f"error: {err}", file=sys.stderr)
        return 2 if isinstance(err, (BackendUnavailable, UnknownAdapter, InvalidRequest)) else 1
    return 0

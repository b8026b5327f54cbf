"""Run the real assistant server on loopback over the tiny model (for tests/guardrails/test_server.py).

    python -m tests.support.assistant_server --model-root DIR --port 8123 [--api-key K] [--rate-limit N] ...

``DIR`` is a folder tests.support.assistant.tiny_model built (the test's session model).
"""

from __future__ import annotations

import argparse
from pathlib import Path

SECTIONS = ("3.5", "11.1", "16.1", "19.3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-root", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default="")
    parser.add_argument("--rate-limit", type=int, default=0)
    parser.add_argument("--max-bytes", type=int, default=65536)
    parser.add_argument("--max-concurrent", type=int, default=64)
    args = parser.parse_args()

    from guardrails.config import AssistantConfig, GenerationSettings, ServeSettings
    from guardrails.server import serve
    from tests.support.assistant import manual_retriever, open_assistant

    # Short generations keep the 50-concurrent-streams test quick on 2 CPU cores.
    cfg = AssistantConfig(generation=GenerationSettings(max_new_tokens=16, command_max_tokens=16))
    assistant = open_assistant(manual_retriever(SECTIONS), args.model_root, cfg)
    serve(assistant, ServeSettings(port=args.port, api_key=args.api_key, rate_limit_per_minute=args.rate_limit,
                                   max_request_bytes=args.max_bytes, max_concurrent=args.max_concurrent,
                                   shutdown_grace_s=10.0))


if __name__ == "__main__":
    main()

"""OpenAI-compatible HTTP server for the assistant (FastAPI + uvicorn).

Endpoints: ``POST /v1/chat/completions`` (``stream: true`` for server-sent events), ``GET
/v1/models``, ``GET /healthz``, ``GET /metrics`` (Prometheus). Every request goes through the
rails: the model ids listed (the assistant, the base model and its adapters) name what serves
the turn, never a way around the guardrails.

Limits answer with OpenAI-style errors: 401 (API key), 413 (request too large), 400 (malformed
JSON or messages), 404 (unknown model), 429 (rate limit, with Retry-After), 503 (too many
requests in flight). On SIGTERM/SIGINT uvicorn stops accepting connections, lets requests in
flight finish (``shutdown_grace_s``), then the assistant is closed.

Streaming sends the answer once the output rail has approved it (an ungrounded draft is never
shown), in chunks of a few words; the final chunk carries the sources and the rails that fired
in a ``kestrel`` field that OpenAI clients ignore.
"""

import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections import defaultdict, deque
from typing import Any

from guardrails.config import ServeSettings
from guardrails.text import chunks

log = logging.getLogger("pipeline.assistant.server")
ASSISTANT_MODEL = "kestrel-assistant"


class Metrics:
    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("kestrel_requests_total", "HTTP requests", ["endpoint", "status"], registry=r)
        self.latency = Histogram("kestrel_request_seconds", "Request latency (seconds)", ["endpoint"], registry=r,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.turn = Histogram("kestrel_turn_seconds", "Assistant turn latency by part (seconds)", ["part"], registry=r,
                              buckets=(0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.tokens = Counter("kestrel_tokens_total", "Model tokens", ["kind"], registry=r)
        self.rails = Counter("kestrel_rail_decisions_total", "Rail decisions", ["rail", "decision"], registry=r)
        self.decisions = Counter("kestrel_turn_decisions_total", "Outcome of each turn", ["decision"], registry=r)
        self.in_flight = Gauge("kestrel_requests_in_flight", "Requests being processed", registry=r)
        self.disconnects = Counter("kestrel_client_disconnects_total", "Clients that left mid-stream", registry=r)

    def record_turn(self, turn: Any) -> None:
        for part in ("total_s", "rails_s", "generation_s", "retrieval_s", "embed_s"):
            if part in turn.latency:
                self.turn.labels(part.removesuffix("_s")).observe(turn.latency[part])
        self.tokens.labels("prompt").inc(turn.prompt_tokens)
        self.tokens.labels("completion").inc(turn.completion_tokens)
        self.decisions.labels(turn.decision).inc()
        for rail in turn.rails:
            self.rails.labels(rail["rail"], str(rail["decision"])[:60]).inc()


class RateLimiter:
    """Sliding one-minute window per client address."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.seen: dict[str, deque] = defaultdict(deque)
        self.lock = threading.Lock()

    def retry_after(self, client: str) -> float:
        """0 when the request may go ahead, else seconds until it may."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        with self.lock:
            window = self.seen[client]
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) >= self.per_minute:
                return max(0.1, 60.0 - (now - window[0]))
            window.append(now)
            return 0.0


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.code, self.headers = status, message, kind, code, headers or {}


def create_app(assistant: Any, settings: ServeSettings, model_ids: list[str]):
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

    metrics = Metrics()
    limiter = RateLimiter(settings.rate_limit_per_minute)
    slots = asyncio.Semaphore(settings.max_concurrent)
    started = time.time()
    product = getattr(getattr(assistant, "product", None), "name", "") or "Kestrel EV7"
    app = FastAPI(title=f"{product} assistant", docs_url=None, redoc_url=None)
    app.state.metrics = metrics

    def error(err: ApiError, endpoint: str) -> JSONResponse:
        metrics.requests.labels(endpoint, str(err.status)).inc()
        body = {"error": {"message": err.message, "type": err.kind, "code": err.code, "param": None}}
        return JSONResponse(body, status_code=err.status, headers=err.headers)

    def authorise(request: Request) -> None:
        if not settings.api_key:
            return
        header = request.headers.get("authorization", "")
        if header != f"Bearer {settings.api_key}":
            raise ApiError(401, "invalid or missing API key (send 'Authorization: Bearer <key>')",
                           "authentication_error", "invalid_api_key")

    @app.get("/healthz")
    async def healthz():
        metrics.requests.labels("/healthz", "200").inc()
        return {"status": "ok", "model": ASSISTANT_MODEL, "uptime_s": round(time.time() - started, 1)}

    @app.get("/metrics")
    async def prometheus():
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        metrics.requests.labels("/metrics", "200").inc()
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/models")
    async def models(request: Request):
        try:
            authorise(request)
        except ApiError as err:
            return error(err, "/v1/models")
        metrics.requests.labels("/v1/models", "200").inc()
        data = [{"id": m, "object": "model", "created": int(started), "owned_by": "kestrel"} for m in model_ids]
        return {"object": "list", "data": data}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        endpoint = "/v1/chat/completions"
        t0 = time.perf_counter()
        try:
            authorise(request)
            client = request.client.host if request.client else "unknown"
            wait = limiter.retry_after(client)
            if wait:
                raise ApiError(429, f"rate limit of {settings.rate_limit_per_minute} requests per minute exceeded",
                               "rate_limit_error", "rate_limit_exceeded", {"Retry-After": str(int(wait) + 1)})
            declared = request.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > settings.max_request_bytes:
                raise ApiError(413, f"request body of {declared} bytes exceeds {settings.max_request_bytes}",
                               code="request_too_large")
            raw = await request.body()
            if len(raw) > settings.max_request_bytes:
                raise ApiError(413, f"request body of {len(raw)} bytes exceeds {settings.max_request_bytes}",
                               code="request_too_large")
            body = parse_body(raw, settings, model_ids)
        except ApiError as err:
            return error(err, endpoint)
        if slots.locked():
            return error(ApiError(503, "the server is busy; retry shortly", "server_error", "overloaded",
                                  {"Retry-After": "1"}), endpoint)
        await slots.acquire()
        metrics.in_flight.inc()
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                slots.release()
                metrics.in_flight.dec()

        try:
            turn = await assistant.respond_async(body["messages"], body.get("vehicle_state"))
        except ValueError as err:
            release()
            return error(ApiError(400, str(err)), endpoint)
        except Exception as err:
            release()
            log.exception("turn failed")
            return error(ApiError(500, f"the assistant failed: {type(err).__name__}", "server_error"), endpoint)
        metrics.record_turn(turn)
        reply_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        created = int(time.time())
        extension = {k: v for k, v in turn.as_dict().items() if k not in ("answer",)}
        usage = {"prompt_tokens": turn.prompt_tokens, "completion_tokens": turn.completion_tokens,
                 "total_tokens": turn.prompt_tokens + turn.completion_tokens}
        if not body.get("stream"):
            release()
            metrics.requests.labels(endpoint, "200").inc()
            metrics.latency.labels(endpoint).observe(time.perf_counter() - t0)
            return {"id": reply_id, "object": "chat.completion", "created": created, "model": body["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": turn.answer},
                                 "finish_reason": "stop", "logprobs": None}],
                    "usage": usage, "kestrel": extension}

        def chunk(delta: dict, finish: str | None = None, **extra: Any) -> str:
            payload = {"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": body["model"],
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

        async def events():
            status = "200"
            try:
                yield chunk({"role": "assistant", "content": ""})
                for piece in chunks(turn.answer):
                    if await request.is_disconnected():
                        status = "499"
                        metrics.disconnects.inc()
                        return
                    yield chunk({"content": piece})
                    await asyncio.sleep(0)
                tail = {"kestrel": extension}
                if (body.get("stream_options") or {}).get("include_usage"):
                    tail["usage"] = usage
                yield chunk({}, "stop", **tail)
                yield "data: [DONE]\n\n"
            except asyncio.CancelledError:
                status = "499"
                metrics.disconnects.inc()
                raise
            finally:
                release()
                metrics.requests.labels(endpoint, status).inc()
                metrics.latency.labels(endpoint).observe(time.perf_counter() - t0)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception):
        return error(ApiError(404, f"no route {request.method} {request.url.path}", code="not_found"), "other")

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: Exception):
        return error(ApiError(405, f"method {request.method} not allowed on {request.url.path}",
                              code="method_not_allowed"), "other")

    return app


def parse_body(raw: bytes, settings: ServeSettings, model_ids: list[str]) -> dict:
    """The validated request, or an ApiError naming what is wrong."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, f"request body is not valid JSON: {err}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object", code="invalid_json")
    model = body.get("model", ASSISTANT_MODEL)
    if model not in model_ids:
        raise ApiError(404, f"model '{model}' does not exist; available: {', '.join(model_ids)}",
                       code="model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list", code="invalid_messages")
    clean = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "developer", "tool"):
            raise ApiError(400, f"messages[{i}] must be an object with a role of system, user or assistant",
                           code="invalid_messages")
        content = m.get("content")
        if isinstance(content, list):  # OpenAI content parts: keep the text parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
        if not isinstance(content, str):
            raise ApiError(400, f"messages[{i}].content must be text", code="invalid_messages")
        if len(content) > settings.max_message_chars:
            raise ApiError(413, f"messages[{i}] has {len(content)} characters; the limit is "
                                f"{settings.max_message_chars}", code="message_too_long")
        clean.append({"role": m["role"], "content": content})
    if clean[-1]["role"] != "user":
        raise ApiError(400, "the last message must come from the user", code="invalid_messages")
    state = body.get("vehicle_state")
    if state is not None and not isinstance(state, dict):
        raise ApiError(400, "'vehicle_state' must be an object (speed_kmh, gear, speaker)", code="invalid_vehicle_state")
    return {"model": model, "messages": clean, "stream": bool(body.get("stream")), "vehicle_state": state,
            "stream_options": body.get("stream_options") if isinstance(body.get("stream_options"), dict) else None}


def model_ids_for(assistant: Any) -> list[str]:
    generator = assistant.ports.generator
    ids = [ASSISTANT_MODEL, str(getattr(generator, "model_name", "base"))]
    ids += [str(a) for a in getattr(generator, "adapters", [])]
    return list(dict.fromkeys(ids))


class _Stopped(Exception):
    pass


def _stop(signum, frame) -> None:
    raise _Stopped()


def serve(assistant: Any, settings: ServeSettings, exit_process: bool = True) -> None:
    """Run the server until SIGINT/SIGTERM; requests in flight get ``shutdown_grace_s`` to finish,
    then the assistant is closed (and, with ``exit_process``, the process exits at once)."""
    import uvicorn

    app = create_app(assistant, settings, model_ids_for(assistant))
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                            timeout_graceful_shutdown=settings.shutdown_grace_s, access_log=False)
    server = uvicorn.Server(config)
    print(f"serving the {getattr(getattr(assistant, 'product', None), 'name', '') or 'Kestrel'} assistant on http://{settings.host}:{settings.port}/v1 "
          f"(models: {', '.join(model_ids_for(assistant))})", flush=True)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal under the handler
    # it found: ours turns it into an exception here, so the assistant is closed and the exit is 0.
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    except _Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        assistant.close()
        print("server stopped", flush=True)
    if exit_process:
        # Worker threads of turns that were cut off at the end of the grace period would keep the
        # interpreter alive until their model calls end; the server's job is done.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

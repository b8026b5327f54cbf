"""``python -m pipeline chat`` and ``python -m pipeline serve``: the assistant on this config's artifacts.

chat  interactive (a prompt per line; /state speed=50 gear=D to set the vehicle state, /quit), or
      one question: ``chat question="..." [output=json|text] [speed=50 gear=D speaker=driver]``.
      JSON output: answer, decision, sources, rails that fired, actions, latency.
serve the OpenAI-compatible server (guardrails/server.py); settings are config keys
      (``assistant.serve.port=8080 assistant.serve.api_key=secret``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

OPTIONS = ("question", "output", "speed", "gear", "speaker", "state", "bundle", "index")


def question_problem(question: str, limit: int | None = None) -> str | None:
    """Why ``question`` cannot be asked (one line), or None. Empty and whitespace-only questions
    never reach the model; over-long ones are refused with the server's limit
    (``assistant.serve.max_message_chars``), not cut: a cut question could change its meaning."""
    if not question.strip():
        return 'question is empty; ask something (question="How do I open the charge port?") or leave question= ' \
               "out for the interactive prompt"
    if limit is not None and len(question) > limit:
        return (f"question has {len(question)} characters; the limit is {limit} "
                f"(assistant.serve.max_message_chars, the same as the server's)")
    return None


def vehicle_state(options: dict[str, str]) -> dict | None:
    if "state" in options:
        try:
            state = json.loads(options["state"])
        except ValueError as err:
            raise ValueError(f"state={options['state']!r}: not JSON ({err.msg})") from None
        if not isinstance(state, dict):
            raise ValueError("state= must be a JSON object like {\"speed_kmh\": 0, \"gear\": \"P\", \"speaker\": \"driver\"}")
        return state
    if not any(k in options for k in ("speed", "gear", "speaker")):
        return None
    try:
        speed = int(options.get("speed", "0"))
    except ValueError:
        raise ValueError(f"speed={options['speed']!r}: not an integer (km/h)") from None
    return {"speed_kmh": speed, "gear": options.get("gear", "P" if speed == 0 else "D").upper(),
            "speaker": options.get("speaker", "driver")}


def _stream(text: str, delay: float = 0.0) -> None:
    from guardrails.text import chunks

    for piece in chunks(text):
        sys.stdout.write(piece)
        sys.stdout.flush()
        if delay:
            time.sleep(delay)
    sys.stdout.write("\n")


def _show(turn, as_json: bool) -> None:
    if as_json:
        print(json.dumps(turn.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    _stream(turn.answer)
    fired = [f"{r['rail']}: {r['decision']}" for r in turn.rails if r["decision"] not in ("passed",)]
    print(f"  [{turn.decision}; {turn.latency.get('total_s', 0) * 1000:.0f} ms; {turn.llm_calls} model call(s)"
          + (f"; {'; '.join(fired)}" if fired else "") + "]", file=sys.stderr)


def _open_errors() -> tuple[type[BaseException], ...]:
    """What opening the assistant raises for bad artifacts (each message names the file)."""
    from infer.runtime import open_errors
    from rag.retriever import RetrieverError

    return (*open_errors(), RetrieverError)


def chat(bundle: Path, index_dir: Path, cfg, options: dict[str, str]) -> int:
    from guardrails.factory import open_assistant

    output = options.get("output", "text")
    if output not in ("text", "json"):
        print(f"error: output={output}: use text or json", file=sys.stderr)
        return 2
    try:
        state = vehicle_state(options)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    limit = cfg.serve.max_message_chars
    if "question" in options:
        problem = question_problem(options["question"], limit)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    try:
        assistant = open_assistant(bundle, index_dir, cfg)
    except _open_errors() as err:  # a corrupt bundle or index: one line naming the file, not a traceback
        print(f"error: {str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__}", file=sys.stderr)
        return 1
    with assistant:
        if "question" in options:
            _show(assistant.respond(options["question"], state), output == "json")
            return 0
        print(f"{_product_name(assistant)} assistant. Ask a question or give a command; /state speed=50 gear=D sets the vehicle "
              "state, /quit ends.", file=sys.stderr)
        history: list[dict] = []
        while True:
            try:
                line = input("you> ").strip()
            except (EOFError, KeyboardInterrupt):
                print(file=sys.stderr)
                return 0
            if not line:
                continue
            if len(line) > limit:
                print(f"error: {question_problem(line, limit)}", file=sys.stderr)
                continue
            if line in ("/quit", "/exit"):
                return 0
            if line.startswith("/state"):
                try:
                    state = vehicle_state(dict(p.split("=", 1) for p in line.split()[1:] if "=" in p))
                    print(f"vehicle state: {state}", file=sys.stderr)
                except ValueError as err:
                    print(f"error: {err}", file=sys.stderr)
                continue
            history.append({"role": "user", "content": line})
            turn = assistant.respond(history[-6:], state)
            sys.stdout.write("assistant> ")
            _show(turn, output == "json")
            history.append({"role": "assistant", "content": turn.answer})


def serve(bundle: Path, index_dir: Path, cfg) -> int:
    from guardrails.factory import open_assistant
    from guardrails.server import serve as run_server

    run_server(open_assistant(bundle, index_dir, cfg), cfg.serve)
    return 0


def _product_name(assistant) -> str:
    """The product named in the banner (assistant.product.name; the EV7 for objects without one)."""
    product = getattr(assistant, "product", None)
    return getattr(product, "name", "") or "Kestrel EV7"

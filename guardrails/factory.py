"""Opening the assistant on artifacts, and the files it reads besides them."""

from __future__ import annotations

import logging
from pathlib import Path

from guardrails.assistant import Assistant
from guardrails.config import AssistantConfig
from guardrails.ports import Ports, single_threaded_blas

log = logging.getLogger("pipeline.assistant")


def keep_used_flows(rails, ours: set) -> None:
    """Drop the Guardrails library's flows from the Colang 1.0 runtime.

    LLMRails loads every flow of its library (content safety, fact checking, ...) and the runtime
    matches each event of a turn against all of them, which was most of the per-turn CPU time;
    this configuration uses only its own flows and the core flows of llm_flows.co.
    """
    import nemoguardrails.rails.llm.llmrails as llmrails_module
    from nemoguardrails.colang import parse_colang_file

    core_file = Path(llmrails_module.__file__).with_name("llm_flows.co")
    core = {f.get("id") for f in parse_colang_file(core_file.name, core_file.read_text())["flows"]}
    runtime = rails.runtime
    before = len(runtime.flow_configs)
    runtime.flow_configs = {k: v for k, v in runtime.flow_configs.items() if k in ours or k in core}
    log.debug("colang runtime: %d of %d flows kept", len(runtime.flow_configs), before)


def cached_colang_expressions() -> bool:
    """Colang 1.0 evaluates each ``if`` / ``when`` of a turn's flows with ``simpleeval.simple_eval``, which builds
    a new evaluator (its ``warnings.catch_warnings`` included) and parses the expression again every time: 29% of
    the CPU of a turn without a model call (docs/benchmarks.md). Installed once per process: the same evaluation
    with each expression parsed once and one evaluator per thread. Returns False (and leaves Guardrails as it
    is) where simpleeval has no ``previously_parsed``."""
    import inspect
    import threading
    from functools import lru_cache

    import nemoguardrails.colang.v1_0.runtime.eval as colang_eval
    from simpleeval import SimpleEval

    if getattr(colang_eval.simple_eval, "kestrel_cached", False):
        return True
    if "previously_parsed" not in inspect.signature(SimpleEval.eval).parameters:
        return False
    parse = lru_cache(maxsize=2048)(SimpleEval.parse)  # the flows' expressions: a few hundred strings
    local = threading.local()
    library_eval = colang_eval.simple_eval

    def simple_eval(expr, operators=None, functions=None, names=None, allowed_attrs=None):
        if operators is not None or allowed_attrs is not None:  # not what Colang passes: the library's own
            return library_eval(expr, operators=operators, functions=functions, names=names,
                                allowed_attrs=allowed_attrs)
        evaluator = getattr(local, "evaluator", None)
        if evaluator is None:
            evaluator = local.evaluator = SimpleEval()
        evaluator.functions = functions if functions is not None else {}
        evaluator.names = names if names is not None else {}
        return evaluator.eval(expr, previously_parsed=parse(expr))

    simple_eval.kestrel_cached = True
    colang_eval.simple_eval = simple_eval
    return True


def open_assistant(bundle: Path, index_dir: Path, cfg: AssistantConfig) -> Assistant:
    """The assistant over an export bundle and an index folder (what chat, serve and the stage use)."""
    single_threaded_blas()
    ports = Ports.open(bundle, index_dir, cfg.generation.backend, cfg.generation.threads)
    try:
        extra = read_questions(cfg.safety.extra_questions) if cfg.safety.extra_questions else None
        commands = read_command_rows(cfg.safety.extra_commands) if cfg.safety.extra_commands else None
        return Assistant(ports, cfg, extra, commands)
    except BaseException:
        ports.close()
        raise


def read_command_rows(path: str | Path) -> list[dict] | None:
    """Command training rows (utterance, command, values); None with a warning when the file is absent."""
    import json

    if not Path(path).is_file():
        log.warning("assistant: %s not found: no extra command examples and no command fallback", path)
        return None
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({"utterance": str(row["utterance"]), "command": dict(row["command"]),
                         "values": row.get("values") or {}})
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{number}: not a command row with utterance and command ({err})") from None
    return rows


def read_questions(path: str | Path) -> list[str]:
    """The "question" fields of a JSONL file (extra manual-question examples for the classifier);
    a number or other value is read as its text."""
    from guardrails.evaluate import read_jsonl

    return [str(row["question"]) for row in read_jsonl(path, ("question",))]

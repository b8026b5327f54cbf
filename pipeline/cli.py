"""``python -m pipeline {run,status,show,generate,chat,serve}``.

``run`` is a real ``@hydra.main`` app, so every Hydra feature works unchanged: overrides, ``-m``
sweeps, launchers (``hydra/launcher=submitit_local``), ``--cfg job``. ``status`` and ``show`` only
compose the config (Hydra's compose API) and read manifests: they never run a stage.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from pipeline.config import CONFIG_DIR, check_overrides, register
from pipeline.errors import ConfigError, StageFailed, StageNotImplemented

USAGE = """usage: python -m pipeline <command> [overrides]

commands:
  run     run stages (stage=all|<name>|[a,b]); any Hydra override, -m sweeps, --cfg job
  status  table of every stage: up to date, stale (and why), missing, corrupt
  show    summary of a stage's artifact: show stage=<name> [--json: the whole manifest]
  generate  stream a completion from this config's export bundle: generate prompt="..." [adapter=NAME]
          [backend=auto|edge|torch|trtllm] [max_tokens=N] [temperature=T] [top_p=P] [top_k=K]
          [seed=S] [stop=STR] [chat=true|false] [precision=fp32|int4] [bundle=DIR]
  chat    the assistant on this config's export + index artifacts: interactive, or
          chat question="..." [output=json] [speed=50 gear=D speaker=driver] [bundle=DIR index=DIR]
  serve   OpenAI-compatible server (/v1/chat/completions, /v1/models, /healthz, /metrics);
          settings: assistant.serve.port=8000 assistant.serve.api_key=... [bundle=DIR index=DIR]

examples:
  python -m pipeline run
  python -m pipeline run stage=train train.optim.lr=3e-4
  python -m pipeline run -m train.optim.lr=1e-3,3e-4
  python -m pipeline run launcher=slurm wait=true      (each stage a Slurm job; docs/slurm.md)
  python -m pipeline status
  python -m pipeline show stage=curate
  python -m pipeline generate prompt="How do I open the charge port?" adapter=manual_qa
  python -m pipeline chat question="How do I open the charge port?" output=json
"""

EXIT_CONFIG, EXIT_NOT_IMPLEMENTED, EXIT_FAILED = 2, 3, 1
log = logging.getLogger("pipeline")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    command, rest = args[0], args[1:]
    commands = {"run": _run, "status": _status, "show": _show, "generate": _generate, "chat": _chat,
                "serve": _serve}
    if command not in commands:
        print(f"error: unknown command '{command}'; valid commands: {', '.join(commands)}", file=sys.stderr)
        return EXIT_CONFIG
    register()
    try:
        overrides = [a for a in rest if "=" in a and not a.startswith("-")]
        if command in ("generate", "chat", "serve"):  # their own options are not config keys
            overrides = _split_options(command, overrides)[1]
        check_overrides(overrides)
        return commands[command](rest)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG


def _command_options(command: str) -> frozenset[str]:
    if command == "generate":
        from infer.cli import OPTIONS
    else:
        from guardrails.cli import OPTIONS
    return frozenset(OPTIONS)


def _split_options(command: str, rest: list[str]) -> tuple[dict[str, str], list[str]]:
    """(the command's own key=value options, the config overrides) of a generate/chat/serve line."""
    own = _command_options(command)
    options = dict(a.split("=", 1) for a in rest if "=" in a and a.split("=", 1)[0] in own)
    return options, [a for a in rest if a.split("=", 1)[0] not in own and not a.startswith("-")]


def _run(rest: list[str]) -> int:
    import hydra

    if not {"-m", "--multirun"} & set(rest):
        # Compose once up front so a bad value fails in one line, before Hydra sets up a job.
        cfg = compose([a for a in rest if "=" in a and not a.startswith("-")])
        check_writable(cfg, ("artifacts", "experiments", "logs"))

    outcome: dict[str, int] = {}

    @hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
    def task(cfg: Any) -> None:
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        from pipeline.runner import run_pipeline

        hydra_cfg = HydraConfig.get()
        view = str(cfg.experiment)
        if hydra_cfg.mode == RunMode.MULTIRUN:
            view = f"{view}/{_sweep_point_name(rest, list(hydra_cfg.overrides.task), hydra_cfg.job.num)}"
        try:
            if str(cfg.launcher.value) == "slurm":  # each stage becomes a Slurm job running this CLI
                from pipeline.slurm.launcher import submit_pipeline

                submit_pipeline(cfg, view, list(hydra_cfg.overrides.task), Path(hydra_cfg.runtime.output_dir))
            else:
                run_pipeline(cfg, view)
        except StageNotImplemented as err:
            log.error("stopped: %s", err)
            outcome["code"] = EXIT_NOT_IMPLEMENTED
        except ConfigError as err:
            log.error("config error: %s", err)
            outcome["code"] = EXIT_CONFIG
        except StageFailed as err:
            log.error("failed: %s", err)
            outcome["code"] = EXIT_FAILED
        if "code" in outcome and hydra_cfg.mode == RunMode.MULTIRUN:
            raise SystemExit(outcome["code"])  # stop the sweep at the first failing point

    saved = sys.argv
    sys.argv = ["pipeline run", *_flags_first(rest)]
    try:
        task()
    finally:
        sys.argv = saved
    return outcome.get("code", 0)


_VALUE_FLAGS = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                "--config-dir", "-cd", "--experimental-rerun"}
_INFO_CHOICES = {"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"}


def _flags_first(args: list[str]) -> list[str]:
    """Hydra's argparse cannot take flags after overrides (``a=1 -m b=2``); move flags first."""
    flags: list[str] = []
    overrides: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        if not token.startswith("-"):
            overrides.append(token)
        else:
            flags.append(token)
            takes_value = token in _VALUE_FLAGS or (token in ("--info", "-i") and i + 1 < len(args)
                                                    and args[i + 1] in _INFO_CHOICES)
            if takes_value and i + 1 < len(args):
                i += 1
                flags.append(args[i])
        i += 1
    return flags + overrides


def _sweep_point_name(args: list[str], job_overrides: list[str], job_num: int) -> str:
    """``train.optim.lr=0.001``: the swept keys' values at this point, usable as a folder name."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    swept = {o.key_or_group for o in parser.parse_overrides([a for a in args if "=" in a and not a.startswith("-")])
             if o.is_sweep_override()}
    parts = [o for o in job_overrides if o.split("=", 1)[0].lstrip("+~") in swept]
    name = ",".join(parts).replace("/", "_") if parts else f"point-{job_num}"
    return name[:200]


def compose(overrides: list[str]) -> Any:
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3", job_name="pipeline"):
            return hydra_compose(config_name="config", overrides=overrides)
    except Exception as err:  # hydra's composition errors: keep the specific first lines
        raise ConfigError(_one_line(err)) from None


def _one_line(err: BaseException) -> str:
    """First line of an exception and of each cause ("Error merging X: Invalid value 'y', ...")."""
    parts: list[str] = []
    current: BaseException | None = err
    while current is not None and len(parts) < 2:
        text = str(current).strip().splitlines()
        if text and text[0] not in parts and "$VALUE" not in text[0]:  # skip OmegaConf's template echo
            parts.append(text[0])
        current = current.__cause__ or current.__context__
    return ": ".join(parts) or type(err).__name__


def check_writable(cfg: Any, keys: tuple[str, ...]) -> None:
    """Each ``paths.<key>`` must be a folder this process can create and write, or one line says why."""
    import tempfile

    for key in keys:
        raw = str(cfg.paths[key])
        folder = Path(raw)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-probe-"):
                pass
        except OSError as err:
            reason = err.strerror or type(err).__name__
            raise ConfigError(f"paths.{key}={raw} cannot be used: {reason} (set paths.{key}=<a writable folder>)") from None


def check_readable(cfg: Any, key: str) -> None:
    folder = Path(str(cfg.paths[key]))
    if folder.exists() and (not folder.is_dir() or not os.access(folder, os.R_OK | os.X_OK)):
        raise ConfigError(f"paths.{key}={folder} cannot be read: {'not a folder' if not folder.is_dir() else 'permission denied'}")


def _status(rest: list[str]) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from pipeline.registry import load_registry
    from pipeline.runner import plan_states
    from pipeline.store import KEY_CHARS, ArtifactStore

    cfg = compose(rest)
    check_readable(cfg, "artifacts")
    registry = load_registry(cfg.registry)
    states = plan_states(cfg, registry, ArtifactStore(Path(cfg.paths.artifacts)), str(cfg.experiment))
    colours = {"up-to-date": "green", "stale": "yellow", "missing": "red", "corrupt": "bold red"}
    table = Table(title=f"pipeline status (experiment '{cfg.experiment}', artifacts {cfg.paths.artifacts})")
    for column in ("stage", "state", "key", "reason"):
        table.add_column(column)
    for state in states:
        reason = state.reason
        if not registry[state.name].implemented:
            reason += " - not implemented yet"
        table.add_row(
            state.name, f"[{colours[state.state]}]{state.state}[/]", (state.key or "-")[:KEY_CHARS], escape(reason)
        )
    Console(width=160).print(table)
    return 0


def _show(rest: list[str]) -> int:
    from pipeline.registry import load_registry
    from pipeline.runner import plan_states
    from pipeline.store import ArtifactStore
    from pipeline.summary import summary_lines

    as_json = "--json" in rest
    unknown = [a for a in rest if a.startswith("-") and a != "--json"]
    if unknown:
        raise ConfigError(f"show: unknown option {unknown[0]}; valid: --json")
    cfg = compose([a for a in rest if not a.startswith("-")])
    check_readable(cfg, "artifacts")
    name = cfg.stage
    registry = load_registry(cfg.registry)
    if not isinstance(name, str) or name == "all":
        raise ConfigError(f"show needs one stage: stage=<name>, one of {', '.join(registry.names)}")
    registry[name]  # unknown names fail with the valid list
    states = {s.name: s for s in plan_states(cfg, registry, ArtifactStore(Path(cfg.paths.artifacts)), str(cfg.experiment))}
    state = states[name]
    if state.artifact is None:
        print(f"error: stage '{name}' has no artifact for this config ({state.state}: {state.reason})", file=sys.stderr)
        return EXIT_FAILED
    if as_json:
        print(json.dumps(json.loads(state.artifact.manifest.to_json()), indent=2))
    else:
        print("\n".join(summary_lines(state.artifact, state.state)))
    return 0


def _generate(rest: list[str]) -> int:
    """Stream a completion from the export artifact of this config (read through the store)."""
    from infer.cli import generate

    options, overrides = _split_options("generate", rest)
    if "bundle" in options:
        return generate(Path(options.pop("bundle")), options)
    cfg = compose(overrides)
    found = _stage_outputs(cfg, {"export": "bundle"})
    return found if isinstance(found, int) else generate(found["export"], options)


def _stage_outputs(cfg: Any, wanted: dict[str, str]) -> dict[str, Path] | int:
    """{stage: path of its named output} of this config's up-to-date artifacts, found through the
    store like ``show``; an exit status (with one line on stderr) when one is missing."""
    from pipeline.registry import load_registry
    from pipeline.runner import plan_states
    from pipeline.store import ArtifactStore

    check_readable(cfg, "artifacts")
    registry = load_registry(cfg.registry)
    states = {s.name: s for s in plan_states(cfg, registry, ArtifactStore(Path(cfg.paths.artifacts)), str(cfg.experiment))}
    found: dict[str, Path] = {}
    for stage, output in wanted.items():
        state = states[stage]
        if state.artifact is None:
            print(f"error: no {stage} artifact for this config ({state.state}: {state.reason}); make it with: "
                  f"python -m pipeline run stage={stage}", file=sys.stderr)
            return EXIT_FAILED
        found[stage] = state.artifact.output(output)
    return found


def _assistant_inputs(rest: list[str]) -> tuple[Path, Path, Any, dict[str, str]] | int:
    """(export bundle, index folder, typed assistant config, chat options) of this config's artifacts;
    ``bundle=``/``index=`` name folders directly."""
    from pipeline.config import to_typed
    from pipeline.kit import validate_section

    options, overrides = _split_options("chat", rest)
    cfg = compose(overrides)
    assistant_cfg = to_typed(cfg.assistant, "assistant")
    validate_section("assistant", assistant_cfg)  # a bad value: one line, exit 2
    wanted = {stage: output for stage, (option, output) in {"export": ("bundle", "bundle"),
                                                            "index": ("index", "index")}.items()
              if option not in options}
    found = _stage_outputs(cfg, wanted) if wanted else {}
    if isinstance(found, int):
        return found
    bundle = Path(options.pop("bundle")) if "bundle" in options else found["export"]
    index = Path(options.pop("index")) if "index" in options else found["index"]
    return bundle, index, assistant_cfg, options


def _chat(rest: list[str]) -> int:
    from guardrails.cli import chat, question_problem

    question = _split_options("chat", rest)[0].get("question")
    if question is not None and question_problem(question):  # before looking for artifacts or a model
        print(f"error: {question_problem(question)}", file=sys.stderr)
        return EXIT_CONFIG
    located = _assistant_inputs(rest)
    if isinstance(located, int):
        return located
    bundle, index, cfg, options = located
    return chat(bundle, index, cfg, options)


def _serve(rest: list[str]) -> int:
    from guardrails.cli import serve

    located = _assistant_inputs(rest)
    if isinstance(located, int):
        return located
    bundle, index, cfg, _ = located
    return serve(bundle, index, cfg)

"""The customize stage adapter: base model from the train stage's manifest (or customize.base),
LoRA adapters trained and scored by customize/run.py, results published into the artifact.

Outputs: ``base/`` (the HF base, hard-linked, with the tokenizer whose chat template training
used), ``adapters/<name>/`` (PEFT folders + that tokenizer + customize.json describing the prompt
format; cockpit adapters also carry command_schema.json), ``merged/<name>/`` when
customize.merge=true, and ``report/``. Under torchrun every rank trains; rank 0 scores and
publishes.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from pipeline import kit
from pipeline.stage import StageContext, StageResult


def run(ctx: StageContext) -> StageResult:
    from customize.chat import ChatTemplateError
    from customize.data import DataError
    from customize.run import check_data, customize
    from datagen.manual import ManualFormatError
    from train.core.distributed import barrier, init, shutdown
    from train.core.loop import ResumeError

    cfg = ctx.config
    started = time.perf_counter()
    with kit.user_errors(failed=(DataError, ChatTemplateError, ResumeError, ManualFormatError, FileNotFoundError)):
        base_dir = Path(cfg.base) if cfg.base else ctx.inputs["train"].output("model")
        if not (base_dir / "config.json").is_file():
            raise FileNotFoundError(f"{'customize.base' if cfg.base else 'train output model'}={base_dir}: "
                                    "no config.json (need an HF Llama folder)")
        check_data(cfg)
        ctx.log.info("customize: base model %s (%s); adapters: %s", base_dir,
                     "customize.base" if cfg.base else "train stage", ", ".join(cfg.adapters))
        world = init(cfg.device)
        try:
            with kit.torch_threads(cfg.threads):
                outcome = customize(cfg, base_dir, ctx.work_dir, world, lambda: barrier(world))
            if not world.is_main:
                return StageResult({}, {})
            outputs = publish(ctx, base_dir, outcome)
        finally:
            shutdown(world)
    metrics = _metrics(ctx, base_dir, outcome, world, time.perf_counter() - started)
    return StageResult(outputs, metrics)


def publish(ctx: StageContext, base_dir: Path, outcome: dict[str, Any]) -> dict[str, str]:
    from customize import chat
    from customize.report import write_report
    from customize.run import lora_manifest

    cfg, out, work = ctx.config, ctx.out_dir, ctx.work_dir
    tokenizer = outcome["tokenizer"]
    tok_dir = work / "tokenizer"
    kit.resumable(tok_dir, {"base": str(base_dir)}, lambda folder: chat.save_tokenizer(tokenizer, folder))
    kit.publish_tree(base_dir, out / "base")
    kit.publish_tree(tok_dir, out / "base")  # replaces the links, never the base's own files
    outputs = {"base": "base", "adapters": "adapters", "report": "report"}
    for name, adapter_run in outcome["runs"].items():
        adapter = cfg.adapters[name]
        target = out / "adapters" / name
        kit.publish_tree(adapter_run.folder, target)
        kit.publish_tree(tok_dir, target)
        (target / "customize.json").write_text(json.dumps(_describe(name, adapter, tokenizer), indent=2) + "\n")
        if adapter.kind == "cockpit_commands":
            shutil.copy2(cfg.command_schema, target / "command_schema.json")
        if cfg.merge:
            merged = out / "merged" / name
            kit.publish_tree(work / "adapters" / name / "merged", merged)
            kit.publish_tree(tok_dir, merged)
            outputs["merged"] = "merged"
    report = out / "report"
    write_report(report, outcome["results"], {n: a.kind for n, a in cfg.adapters.items()},
                 {n: r.metrics_path for n, r in outcome["runs"].items()}, lora_manifest(cfg), str(base_dir),
                 len(outcome["problems"]))
    with open(report / "quarantine.jsonl", "w") as handle:
        handle.writelines(json.dumps(problem.__dict__) + "\n" for problem in outcome["problems"])
    for name, adapter_run in outcome["runs"].items():
        for file in (adapter_run.metrics_path, *sorted((work / "adapters" / name).glob("samples_*.jsonl"))):
            if file.is_file():
                shutil.copy2(file, report / f"{name}_{file.name}")
    if outcome["problems"]:
        ctx.log.warning("customize: %d data records unusable (report/quarantine.jsonl)", len(outcome["problems"]))
    ctx.log.info("customize: wrote %s adapter(s) to %s", len(outcome["runs"]), out / "adapters")
    return outputs


def _describe(name: str, adapter, tokenizer) -> dict[str, Any]:
    """What a consumer needs to call the adapter the way it was trained."""
    from customize.chat import stop_token_ids

    prompt = {"manual_qa": "customize.prompts.manual_qa_messages(question, passages)",
              "cockpit_commands": "customize.prompts.command_messages(utterance, vehicle_state)"}[adapter.kind]
    return {"name": name, "kind": adapter.kind, "prompt": prompt,
            "parse": {"manual_qa": "customize.prompts.parse_manual_answer(text)",
                      "cockpit_commands": "customize.commands.parse_command(text)"}[adapter.kind],
            "stop_token_ids": stop_token_ids(tokenizer),
            "stop_tokens": [tokenizer.convert_ids_to_tokens(i) for i in stop_token_ids(tokenizer)],
            "max_new_tokens": adapter.max_new_tokens, "max_seq_len": adapter.max_seq_len,
            "passages": adapter.passages if adapter.kind == "manual_qa" else None,
            "passage_words": adapter.passage_words if adapter.kind == "manual_qa" else None,
            "lora": {"rank": adapter.lora.rank, "alpha": adapter.lora.alpha, "targets": list(adapter.lora.targets)}}


def _metrics(ctx: StageContext, base_dir: Path, outcome: dict[str, Any], world, elapsed: float) -> dict[str, Any]:
    from customize.chat import stop_token_ids
    from customize.run import lora_manifest
    from customize.train_adapter import uses_bf16

    cfg = ctx.config
    tokenizer = outcome["tokenizer"]
    metrics: dict[str, Any] = {
        "lora": lora_manifest(cfg),
        "adapters": outcome["results"],
        "base_model": str(base_dir),
        "base_source": "customize.base" if cfg.base else "train",
        "stop_tokens": [tokenizer.convert_ids_to_tokens(i) for i in stop_token_ids(tokenizer)],
        "quarantined": len(outcome["problems"]),
        "precision": cfg.precision, "device": str(world.device), "world_size": world.size,
        "computes_in": "bf16" if uses_bf16(cfg, world.device) else "fp32",
        "seconds": round(elapsed, 2),
    }
    for name, result in outcome["results"].items():  # headline numbers for the run log
        metrics[f"{name}_loss"] = [result["before"]["loss"], result["after"]["loss"]]
    return metrics

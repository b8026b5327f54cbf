"""The export stage: customize's model + adapters -> one bundle (hf/, trtllm/, edge/, quant/) + parity.

A thin adapter. Upstream files come only through manifests: customize's ``base``, ``adapters``
(one PEFT folder per name) and optional ``merged``; the curated text for calibration and
perplexity through customize's own manifest inputs (its train artifact's packed rows), so the
DAG stays curate -> train -> customize -> export.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import kit
from pipeline.manifest import ManifestError, read_manifest
from pipeline.stage import StageContext, StageResult

OUTPUTS = {"bundle": "bundle", "hf": "bundle/hf", "trtllm": "bundle/trtllm", "edge": "bundle/edge",
           "quant": "bundle/quant", "parity": "parity.json", "report": "report"}


def run(ctx: StageContext) -> StageResult:
    from infer.edge_build import EdgeBuildError
    from infer.export import ExportInputError, ParityFailure, run_export
    from infer.quantize import QuantizeError
    from infer.trtllm import TrtllmUnavailable

    cfg = ctx.config
    inputs = _inputs(ctx)
    ctx.log.info("export: base %s, adapters %s", inputs.base, ", ".join(inputs.adapters) or "none")
    bundle = ctx.out_dir / OUTPUTS["bundle"]
    with kit.user_errors(failed=(ExportInputError, EdgeBuildError, QuantizeError, ParityFailure),
                         config=(TrtllmUnavailable,)), kit.torch_threads(cfg.threads):
        metrics, parity, timings = run_export(inputs, cfg, bundle, ctx.work_dir)
    (ctx.out_dir / OUTPUTS["parity"]).write_text(json.dumps(parity, indent=2, sort_keys=True) + "\n")
    report = ctx.out_dir / OUTPUTS["report"]
    report.mkdir(parents=True, exist_ok=True)
    (report / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    ctx.log.info("export: wrote %s (%s); timings %s", bundle, ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in
                                                                     metrics["bytes"].items()), timings)
    return StageResult(dict(OUTPUTS), {**metrics, "timings": timings})


def _inputs(ctx: StageContext):
    from infer.export import ExportInputs
    from infer.lora import adapter_folders

    customize = ctx.inputs["customize"]
    base = customize.output("base")
    adapters_root = customize.output("adapters")
    merged_root = customize.path / customize.manifest.outputs["merged"] if "merged" in customize.manifest.outputs else None
    train_data = train_tokenizer = None
    train_entry = customize.manifest.inputs.get("train")
    if train_entry:
        try:
            train_path = Path(train_entry["path"])
            train = read_manifest(train_path)
            train_data, train_tokenizer = train_path / train.outputs["data"], train_path / train.outputs["tokenizer"]
        except (ManifestError, KeyError, OSError) as err:
            ctx.log.warning("export: cannot read customize's train artifact (%s): no curated text from it", err)
    lora_meta = customize.manifest.metrics.get("lora") or {}
    return ExportInputs(
        base=base, adapters=adapter_folders(adapters_root),
        merged=adapter_merged(merged_root), lora_meta=lora_meta, train_data=train_data,
        train_tokenizer=train_tokenizer, model_name=str(customize.manifest.metrics.get("model_name") or "cockpit-llama"),
        stamp=customize.manifest.digest,
    )


def adapter_merged(root: Path | None) -> dict[str, Path]:
    if root is None or not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if (p / "config.json").is_file()}

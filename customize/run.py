"""The customize stage's logic: for each configured adapter, in order, prepare its data, score the
base on its held-out split, train it, score it again, and optionally merge it.

Everything a killed attempt can reuse lives in ``work`` (one folder per adapter): the base's
scores (``before.json``), the training checkpoints, the finished PEFT folder (``final/`` +
``DONE.json``), the adapter's scores (``after.json``) and the merged model. A kill during the
second adapter resumes in the second adapter; the first is neither retrained nor rescored.
"""
from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from customize import chat, lora
from customize.batches import ChatBatches
from customize.config import AdapterConfig, CustomizeConfig
from customize.data import (
    DataError,
    Example,
    ManualQA,
    Problem,
    command_examples,
    load_sections,
    manual_qa_examples,
)
from customize.evaluate import eval_loss, score_commands, score_manual_qa
from customize.generate import generate
from customize.loss import AnswerLoss
from customize.train_adapter import AdapterRun, base_dtype, train_adapter, uses_bf16, write_json

log = logging.getLogger("pipeline.customize")


@dataclass
class Prepared:
    name: str
    config: AdapterConfig
    train: ChatBatches
    eval: ChatBatches
    eval_examples: list[Example]
    scored: list[int]  # indices of eval examples scored by generation (the same before and after)
    stats: dict[str, Any] = field(default_factory=dict)


def prepare(name: str, adapter: AdapterConfig, cfg: CustomizeConfig, tokenizer, problems: list[Problem],
            positions: int | None = None) -> Prepared:
    """Examples of both splits, tokenized; records that cannot be used go to ``problems``.
    ``positions``: the base model's maximum sequence length, a hard cap on max_seq_len."""
    limit = adapter.max_seq_len if positions is None else min(adapter.max_seq_len, positions)
    if limit < adapter.max_seq_len:
        log.warning("customize: adapter %s: max_seq_len %d capped to the base model's %d positions", name,
                    adapter.max_seq_len, limit)

    def fits(example: Example) -> bool:
        ids, _ = chat.encode_example(tokenizer, example.messages, example.completion)
        return len(ids) <= limit

    stats: dict[str, Any] = {}
    splits = {}
    for split, path, unanswerable in (("train", adapter.train_data, adapter.unanswerable_fraction),
                                      ("eval", adapter.eval_data, 0.0)):
        before = len(problems)
        if adapter.kind == "cockpit_commands":
            examples = []
            for example in command_examples(Path(path), Path(cfg.command_schema), problems):
                if fits(example):
                    examples.append(example)
                else:
                    problems.append(Problem(path, 0, f"{example.id}: longer than max_seq_len={limit}"))
        else:
            manual = ManualQA(load_sections(Path(adapter.manual_dir)), adapter.passages, cfg.seed)
            counts: dict[str, int] = {}
            examples = manual_qa_examples(Path(path), manual, adapter.passage_words, unanswerable, fits, problems,
                                          counts)
            stats[f"{split}_shortened"] = counts.get("shortened", 0)
            stats[f"{split}_unanswerable"] = counts.get("unanswerable", 0)
        if not examples:
            raise DataError(f"customize.adapters.{name}: no usable {split} example in {path}")
        stats[f"{split}_examples"] = len(examples)
        stats[f"{split}_quarantined"] = len(problems) - before
        splits[split] = examples
    train = ChatBatches.from_examples(tokenizer, splits["train"])
    held = ChatBatches.from_examples(tokenizer, splits["eval"])
    count = len(splits["eval"]) if adapter.generate_limit == 0 else min(adapter.generate_limit, len(splits["eval"]))
    scored = sorted(random.Random(f"{cfg.seed}:scored:{name}").sample(range(len(splits["eval"])), count))
    stats.update({"train_tokens": int(train.lengths().sum()), "train_answer_tokens": train.answer_tokens(),
                  "max_example_tokens": int(max(train.lengths().max(), held.lengths().max())),
                  "generation_scored": count})
    log.info("customize: adapter %s (%s): %d train / %d eval examples, %d train tokens (%d answer tokens)%s",
             name, adapter.kind, len(train), len(held), stats["train_tokens"], stats["train_answer_tokens"],
             f", {stats['train_quarantined'] + stats['eval_quarantined']} quarantined"
             if stats["train_quarantined"] + stats["eval_quarantined"] else "")
    return Prepared(name, adapter, train, held, splits["eval"], scored, stats)


def score(model, tokenizer, prepared: Prepared, cfg: CustomizeConfig, device: torch.device,
          label: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Held-out loss and task metrics of ``model`` (the base, or the base with the adapter)."""
    started = time.perf_counter()
    autocast = scoring_dtype(cfg, device) if scoring_dtype(cfg, device) != torch.float32 else None
    metrics: dict[str, Any] = {"loss": eval_loss(AnswerLoss(model), prepared.eval, prepared.config.micro_batch_size,
                                                 autocast, device)}
    examples = [prepared.eval_examples[i] for i in prepared.scored]
    prompts = [chat.prompt_ids(tokenizer, e.messages) for e in examples]
    threads = torch.get_num_threads()
    if device.type == "cpu" and cfg.generate_threads > 0:
        torch.set_num_threads(cfg.generate_threads)
    try:
        outputs = generate(model, tokenizer, prompts, prepared.config.max_new_tokens, cfg.eval_batch_size,
                           chat.stop_token_ids(tokenizer), progress=f"{prepared.name} {label}")
    finally:
        torch.set_num_threads(threads)
    golds = [e.gold for e in examples]
    if prepared.config.kind == "cockpit_commands":
        metrics.update(score_commands(outputs, golds, cfg.command_schema))
    else:
        metrics.update(score_manual_qa(outputs, golds))
    metrics["seconds"] = round(time.perf_counter() - started, 2)
    samples = [{"id": e.id, "output": o, "expected": e.completion} for e, o in zip(examples, outputs)]
    log.info("customize: %s %s: %s", prepared.name, label,
             ", ".join(f"{k}={v}" for k, v in metrics.items() if k not in ("scored",)))
    return metrics, samples


def once(path: Path, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``build()``'s JSON result, computed once and reused after a kill."""
    if path.is_file():
        return json.loads(path.read_text())
    value = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, value)
    return value


def scoring_dtype(cfg: CustomizeConfig, device: torch.device) -> torch.dtype:
    """fp32 on CPU: greedy decoding's small GEMMs run faster in fp32 there than in bf16 (measured on
    the project's CPUs, docs/customize.md), and fp32 scores are the more exact ones; the training
    precision on GPUs."""
    return torch.float32 if device.type == "cpu" else base_dtype(uses_bf16(cfg, device))


def _scored_model(base_dir: Path, cfg: CustomizeConfig, device: torch.device, adapter: Path | None):
    model = lora.load_base(base_dir, scoring_dtype(cfg, device))
    if adapter is not None:
        model = lora.load_adapters(model, {"adapter": adapter})
    return model.to(device).eval()


def customize(cfg: CustomizeConfig, base_dir: Path, work: Path, world, barrier: Callable[[], None]) -> dict[str, Any]:
    """Train and score every adapter; returns what the stage publishes and reports."""
    tokenizer = chat.load_tokenizer(base_dir)
    problems: list[Problem] = []
    positions = json.loads((base_dir / "config.json").read_text()).get("max_position_embeddings")
    prepared = {name: prepare(name, adapter, cfg, tokenizer, problems, positions)
                for name, adapter in cfg.adapters.items()}
    results: dict[str, Any] = {}
    runs: dict[str, AdapterRun] = {}
    for name, item in prepared.items():
        folder = work / "adapters" / name
        if world.is_main:
            _scores(folder / "before.json", base_dir, None, tokenizer, item, cfg, world, "before")
        barrier()
        runs[name] = train_adapter(name, item.config, cfg, base_dir, item.train, item.eval, world, folder)
        barrier()
        if world.is_main:
            after = _scores(folder / "after.json", base_dir, runs[name].folder, tokenizer, item, cfg, world, "after")
            results[name] = {"before": json.loads((folder / "before.json").read_text())["metrics"],
                             "after": after["metrics"], "train": runs[name].summary, "data": item.stats}
            if cfg.merge:
                merged = folder / "merged"
                if not (merged / "config.json").is_file():
                    lora.merge(base_dir, runs[name].folder, folder / "merged.tmp",
                               chat.stop_token_ids(tokenizer)).rename(merged)
    return {"tokenizer": tokenizer, "runs": runs, "results": results, "problems": problems, "prepared": prepared}


def _scores(path: Path, base_dir: Path, adapter: Path | None, tokenizer, item: Prepared, cfg, world,
            label: str) -> dict[str, Any]:
    """The base's (adapter None) or the adapter's scores, computed once (kept in ``path``)."""

    def build() -> dict[str, Any]:
        model = _scored_model(base_dir, cfg, world.device, adapter)
        metrics, samples = score(model, tokenizer, item, cfg, world.device, label)
        with open(path.parent / f"samples_{label}.jsonl", "w") as handle:
            handle.writelines(json.dumps(sample, ensure_ascii=False) + "\n" for sample in samples)
        return {"metrics": metrics}

    path.parent.mkdir(parents=True, exist_ok=True)
    return once(path, build)


def lora_manifest(cfg: CustomizeConfig) -> dict[str, Any]:
    """The manifest metric ``lora`` the export stage reads."""
    adapters = {name: lora.manifest_entry(a.lora.rank, a.lora.alpha, a.lora.dropout, list(a.lora.targets))
                for name, a in cfg.adapters.items()}
    used = {t for a in cfg.adapters.values() for t in a.lora.targets}
    ordered = [t for t in lora.HF_TO_TRTLLM if t in used]
    return {"max_lora_rank": max(a.lora.rank for a in cfg.adapters.values()),
            "trtllm_target_modules": lora.trtllm_modules(ordered), "hf_target_modules": ordered,
            "adapters": adapters}


def check_data(cfg: CustomizeConfig) -> None:
    for name, adapter in cfg.adapters.items():
        for key in ("train_data", "eval_data"):
            if not Path(getattr(adapter, key)).is_file():
                raise DataError(f"customize.adapters.{name}.{key}={getattr(adapter, key)}: no such file")

"""The train stage: curated shards -> tokenizer -> packed rows -> Llama pretraining -> HF model.

A thin adapter: it finds the curate stage's shards through its manifest, keeps everything a
killed attempt can reuse (tokenizer, packed data, checkpoints, metrics) in ``ctx.work_dir``, and
publishes the results into ``ctx.out_dir``. Under torchrun every rank runs it; rank 0 prepares
the data and writes the outputs, the others train alongside (see pipeline/runner.py).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from pathlib import Path
from typing import Any

from pipeline import kit
from pipeline.errors import ConfigError, StageFailed
from pipeline.stage import StageContext, StageResult

OUTPUTS = {
    "model": "model", "tokenizer": "tokenizer", "data": "data", "metrics": "metrics.jsonl",
    "loss_curve": "loss_curve.png", "state": "state", "quarantine": "quarantine.jsonl",
}


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.config
    if cfg.engine == "megatron":
        return _run_megatron(ctx)
    from train.core import distributed
    from train.core.loop import ResumeError
    from train.corpus import CorpusError
    from train.fp8_recipe import Recipe, RecipeError
    from train.packing import PackingError
    from train.tokenizer import TokenizerError

    with kit.user_errors(failed=(CorpusError, PackingError, TokenizerError, ResumeError, FileNotFoundError),
                         config=(RecipeError,)):
        if cfg.precision == "fp8":
            from train.fp8 import preload_te

            preload_te()
            Recipe.from_config(cfg.fp8)  # bad values fail before any data is prepared
        world = distributed.init(cfg.device)
        try:
            with kit.torch_threads(cfg.threads):
                prepared = ctx.work_dir / "prepared"
                if world.is_main:
                    _prepare(ctx, prepared)
                distributed.barrier(world)
                return _train(ctx, prepared, world)
        finally:
            distributed.shutdown(world)


def _run_megatron(ctx: StageContext) -> StageResult:
    """``train.engine=megatron`` (train/megatron_engine.py): the same prepared data and outputs."""
    from train import megatron_engine as engine
    from train import megatron_model
    from train.core.loop import ResumeError
    from train.corpus import CorpusError
    from train.fp8_recipe import Recipe, RecipeError
    from train.megatron_map import LayoutError, MappingError
    from train.packing import PackingError
    from train.tokenizer import TokenizerError

    cfg = ctx.config
    usable, why = megatron_model.megatron_status()
    if not usable:
        raise ConfigError(why)
    with kit.user_errors(failed=(CorpusError, PackingError, TokenizerError, ResumeError, FileNotFoundError,
                                 MappingError),
                         config=(RecipeError, LayoutError, megatron_model.MegatronSetupError)):
        if cfg.precision == "fp8":
            from train.fp8 import check_tokens, preload_te

            preload_te()
            Recipe.from_config(cfg.fp8)
            check_tokens(cfg.micro_batch_size, cfg.seq_len)
        # tp / pp / dp against the model and WORLD_SIZE before any data is prepared
        megatron_model.check_parallel_early(cfg, ctx.sections["model"])
        with engine.process_group() as procs:
            prepared = ctx.work_dir / "prepared"
            if procs.rank == 0:
                _prepare(ctx, prepared)
            engine.barrier(procs)
            return _train_megatron(ctx, prepared, procs)


def _train_megatron(ctx: StageContext, prepared: Path, procs) -> StageResult:
    from train import megatron_engine as engine
    from train import megatron_model
    from train import model as llama
    from train import tokenizer as tok
    from train.core import checkpoint
    from train.core.metrics import MetricsLog
    from train.fp8_recipe import Recipe
    from train.packing import PackedRows

    cfg, model_cfg = ctx.config, ctx.sections["model"]
    tokenizer = tok.load(prepared / "tokenizer")
    tokens = tokenizer.get_vocab_size()
    if cfg.init_from:
        source = llama.load_pretrained(cfg.init_from)
        if tokens > source.config.vocab_size:
            raise StageFailed(
                f"tokenizer has {tokens} tokens but {cfg.init_from} only {source.config.vocab_size}"
            )
        ctx.log.info("train: continuing from %s (model.* preset values are not used)", cfg.init_from)
    else:
        ids = tok.special_ids(tokenizer)
        vocab = llama.vocab_for(model_cfg, tokens)
        config = llama.llama_config(model_cfg, vocab, ids["bos"], ids["eos"], ids["pad"])
        source = llama.create(config, cfg.seed)  # the native engine's initial weights, for the same seed
    hf_config, hf_state = source.config, source.state_dict()
    del source
    if cfg.seq_len > hf_config.max_position_embeddings:
        raise ConfigError(
            f"train.seq_len={cfg.seq_len} exceeds the model's max_seq_len={hf_config.max_position_embeddings}"
        )
    plan = megatron_model.plan_for(hf_config, cfg.precision, cfg.parallel)
    data_dir = prepared / "data"
    train_rows, val_rows = PackedRows.open(data_dir, "train"), PackedRows.open(data_dir, "val")
    metrics_path = ctx.work_dir / "metrics.jsonl"
    with engine.model_parallel(cfg.parallel, plan.shape, cfg.seed, procs) as layout:
        trainer = engine.MegatronTrainer(
            cfg, plan, hf_config, hf_state, train_rows, val_rows, layout, ctx.work_dir / "checkpoints",
            MetricsLog(metrics_path, enabled=layout.is_main), llama.peak_flops(layout.device))
        del hf_state
        resumed = trainer.resume()
        ctx.log.info("train (megatron, %s layers): tp %d x pp %d x dp %d, global batch %d x %d tokens, %s",
                     plan.layout, layout.tp, layout.pp, layout.dp, trainer.global_batch, cfg.seq_len,
                     plan.precision)
        started, start_step = time.perf_counter(), trainer.step
        trainer.run()
        elapsed = time.perf_counter() - started
    if not layout.is_main:
        return StageResult({}, {})
    final = checkpoint.latest(ctx.work_dir / "checkpoints")
    model = engine.to_hf_model(hf_config, engine.hf_state_from_checkpoint(final, plan.shape))
    _publish(ctx, prepared, model, tokenizer, metrics_path)
    counts = llama.parameter_count(model)
    run_info = {"world_size": layout.world_size, "device": str(layout.device),
                "global_batch": trainer.global_batch,
                "vocab_size": hf_config.vocab_size, "engine": "megatron", "megatron_layers": plan.layout,
                "parallel": {"tp": layout.tp, "pp": layout.pp, "dp": layout.dp,
                             "sequence_parallel": plan.sequence_parallel,
                             "distributed_optimizer": bool(cfg.parallel.distributed_optimizer)}}
    if plan.precision == "fp8":
        recipe = dataclasses.asdict(Recipe.from_config(cfg.fp8))
        run_info.update({"fp8_backend": "te:megatron", "fp8_recipe": recipe,
                         **({"fp8_check": trainer.fp8_state} if trainer.fp8_state else {})})
    return StageResult(dict(OUTPUTS), _metrics(ctx, prepared, metrics_path, counts, run_info, tokens,
                                               start_step if resumed else None, elapsed))


def _prepare(ctx: StageContext, prepared: Path) -> None:
    """Tokenizer and packed shards into ``prepared`` (reused as-is after a killed attempt)."""
    stamp = {"curate": ctx.inputs["curate"].manifest.digest}
    if kit.resumable(prepared, stamp, lambda folder: _build_prepared(ctx, folder)):
        ctx.log.info("train: reusing tokenizer and packed data of an earlier attempt (%s)", prepared)


def _build_prepared(ctx: StageContext, prepared: Path) -> None:
    from train import tokenizer as tok
    from train.corpus import CorpusStats, iter_documents, iter_texts
    from train.packing import pack_documents

    cfg, model_cfg = ctx.config, ctx.sections["model"]
    shards = ctx.inputs["curate"].output("shards")
    prepared.mkdir(parents=True, exist_ok=True)
    tok_dir, data_dir = prepared / "tokenizer", prepared / "data"
    source = cfg.tokenizer.reuse_path() or _init_tokenizer(cfg.init_from)
    started = time.perf_counter()
    if source:
        tokenizer = tok.load(source)
        tok.copy_hf_files(source, tok_dir)
        ctx.log.info("train: reusing tokenizer %s (%d tokens)", source, tokenizer.get_vocab_size())
    else:
        tokenizer = tok.train_bpe(iter_texts(shards, cfg.tokenizer.max_chars), model_cfg.vocab_size,
                                  cfg.tokenizer.min_frequency)
        tok.save_hf(tokenizer, tok_dir)
        ctx.log.info("train: trained byte-level BPE on %s: %d tokens in %.1f s", shards,
                     tokenizer.get_vocab_size(), time.perf_counter() - started)
    eos = tok.eos_id(tokenizer, tok_dir)
    stats = CorpusStats()
    meta = pack_documents(
        iter_documents(shards, stats),
        lambda texts: [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)],
        eos, tokenizer.get_vocab_size(), cfg.seq_len, cfg.seed, cfg.data.val_fraction, data_dir,
        cfg.data.rows_per_shard, stats,
    )
    with open(prepared / "quarantine.jsonl", "w") as handle:
        for problem in stats.problems:
            handle.write(json.dumps(problem.__dict__) + "\n")
    if stats.problems:
        ctx.log.warning("train: %d curated rows unusable (listed in quarantine.jsonl)", len(stats.problems))
    splits = meta["splits"]
    ctx.log.info(
        "train: packed %d documents from %d shard(s): train %d tokens / %d rows, val %d tokens / %d rows",
        stats.documents, stats.files, splits["train"]["tokens"], splits["train"]["rows"],
        splits["val"]["tokens"], splits["val"]["rows"],
    )
    ctx.log.info("train: data prepared in %.1f s", time.perf_counter() - started)


def _init_tokenizer(init_from: str | None) -> str | None:
    """Continued pretraining keeps the checkpoint's tokenizer: a new one would scramble its embeddings."""
    if not init_from:
        return None
    if not (Path(init_from) / "tokenizer.json").is_file():
        raise FileNotFoundError(
            f"train.init_from={init_from} has no tokenizer.json; set train.tokenizer.from=<its tokenizer>"
        )
    return init_from


def _train(ctx: StageContext, prepared: Path, world) -> StageResult:
    from train import model as llama
    from train import tokenizer as tok
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog
    from train.packing import PackedRows

    cfg, model_cfg = ctx.config, ctx.sections["model"]
    tokenizer = tok.load(prepared / "tokenizer")
    tokens = tokenizer.get_vocab_size()
    if cfg.init_from:
        model = llama.load_pretrained(cfg.init_from)
        if tokens > model.config.vocab_size:
            raise StageFailed(f"tokenizer has {tokens} tokens but {cfg.init_from} only {model.config.vocab_size}")
        ctx.log.info("train: continuing from %s (model.* preset values are not used)", cfg.init_from)
    else:
        ids = tok.special_ids(tokenizer)
        config = llama.llama_config(model_cfg, llama.vocab_for(model_cfg, tokens), ids["bos"], ids["eos"], ids["pad"])
        model = llama.create(config, cfg.seed)
    if cfg.seq_len > model.config.max_position_embeddings:
        raise ConfigError(
            f"train.seq_len={cfg.seq_len} exceeds the model's max_seq_len={model.config.max_position_embeddings}"
        )
    counts = llama.parameter_count(model)
    data_dir = prepared / "data"
    train_rows, val_rows = PackedRows.open(data_dir, "train"), PackedRows.open(data_dir, "val")
    metrics_path = ctx.work_dir / "metrics.jsonl"
    loop = TrainLoop(cfg, LoopInputs(
        model=model, train=train_rows, val=val_rows, world=world,
        checkpoint_dir=ctx.work_dir / "checkpoints", metrics=MetricsLog(metrics_path, enabled=world.is_main),
        flops_per_token=llama.flops_per_token(model.config, cfg.seq_len, counts["params_non_embedding"]),
        peak_flops=llama.peak_flops(world.device),
    ))
    resumed = loop.resume()
    autocast = str(loop.autocast_dtype).removeprefix("torch.") if loop.autocast_dtype else "fp32"
    ctx.log.info(
        "train: %.2fM parameters, %d train rows, %d val rows, global batch %d x %d tokens, %s (computes in %s) on %s x%d",
        counts["params"] / 1e6, len(train_rows), len(val_rows), loop.global_batch, cfg.seq_len,
        cfg.precision.value if hasattr(cfg.precision, "value") else cfg.precision, autocast, world.device, world.size,
    )
    started = time.perf_counter()
    start_step = loop.step
    loop.run()
    elapsed = time.perf_counter() - started
    if loop.fp8 is not None:
        loop.fp8.restore(model)  # the HF export holds plain high-precision weights only
    if not world.is_main:
        return StageResult({}, {})
    _publish(ctx, prepared, model, tokenizer, metrics_path)
    run_info = {"world_size": world.size, "device": str(world.device), "global_batch": loop.global_batch,
                "vocab_size": loop.model.config.vocab_size, "engine": "native", "computes_in": autocast}
    if loop.fp8 is not None:
        run_info.update({"fp8_backend": loop.fp8.backend, "fp8_modules": loop.fp8.modules,
                         "fp8_layers": loop.fp8.layers, "fp8_high_precision_layers": loop.fp8.skipped,
                         "fp8_recipe": dataclasses.asdict(loop.fp8.recipe)})
    return StageResult(dict(OUTPUTS), _metrics(ctx, prepared, metrics_path, counts, run_info, tokens,
                                               start_step if resumed else None, elapsed))


def _publish(ctx: StageContext, prepared: Path, model, tokenizer, metrics_path: Path) -> None:
    from train.core import checkpoint
    from train import model as llama
    from train.core.metrics import plot_loss_curve, read

    out = ctx.out_dir
    model_dir = out / OUTPUTS["model"]
    llama.save_hf(model, model_dir)
    kit.publish_tree(prepared / "tokenizer", model_dir)  # a complete HF folder: weights + config + tokenizer
    kit.publish_tree(prepared / "tokenizer", out / OUTPUTS["tokenizer"])
    kit.publish_tree(prepared / "data", out / OUTPUTS["data"])
    shutil.copy2(prepared / "quarantine.jsonl", out / OUTPUTS["quarantine"])
    shutil.copy2(metrics_path, out / OUTPUTS["metrics"])
    plot_loss_curve(read(metrics_path), out / OUTPUTS["loss_curve"],
                    f"{ctx.sections['model'].name}: {model.num_parameters() / 1e6:.1f}M parameters")
    final = checkpoint.latest(ctx.work_dir / "checkpoints")
    assert final is not None  # the loop always saves the last step
    kit.publish_tree(final, out / OUTPUTS["state"])
    ctx.log.info("train: wrote HF model to %s and training state to %s", model_dir, out / OUTPUTS["state"])


def _metrics(ctx, prepared, metrics_path, counts, run_info, tokens, resumed_at, elapsed) -> dict[str, Any]:
    """The manifest metrics of either engine; ``run_info``: world size, device, global batch,
    vocabulary, engine and its precision details."""
    from train.core.metrics import read, summarise

    meta = json.loads((prepared / "data" / "meta.json").read_text())
    cfg = ctx.config
    summary = summarise(read(metrics_path))
    summary.update({
        **counts, "tokenizer_tokens": tokens,
        "train_tokens": meta["splits"]["train"]["tokens"], "val_tokens": meta["splits"]["val"]["tokens"],
        "train_rows": meta["splits"]["train"]["rows"], "val_rows": meta["splits"]["val"]["rows"],
        "documents": meta.get("corpus", {}).get("documents"), "quarantined": meta.get("corpus", {}).get("quarantined"),
        "seq_len": cfg.seq_len, "precision": getattr(cfg.precision, "value", cfg.precision),
        "resumed_from_step": resumed_at, "train_seconds_this_attempt": round(elapsed, 2), **run_info,
    })
    return summary

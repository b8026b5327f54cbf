"""Support (no tests) for the export / runtime tests: tiny real models and a fast LoRA upstream stage.

- ``make_model``: a random tiny ``LlamaForCausalLM`` (dims multiples of 16) with a real byte-level
  BPE tokenizer trained on the manual, saved with the project's chat template (train/tokenizer.py).
  Weights are scaled up so greedy decoding has clear winners (no near-ties between runtimes).
- ``make_adapter``: a PEFT LoRA adapter on it with random B matrices, so it changes the outputs.
- ``lora_customize``: what the customize stage publishes (outputs base, adapters; metrics lora),
  built on the train artifact's model, so the real export stage runs through the real CLI before
  (and independently of) the customize stage.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from pipeline.registry import Registry
from pipeline.stage import StageContext, StageResult
from tests.support.cli import project_paths, run_cli
from tests.support.train import TINY_MODEL, TINY_TRAIN, manual_sections

# Two adapters of different ranks and targets: attention-only and all projections.
ADAPTERS = {"manual_qa": (("q_proj", "v_proj"), 8), "cockpit_commands": (("q_proj", "k_proj", "v_proj", "o_proj",
                                                                           "gate_proj", "up_proj", "down_proj"), 4)}


def make_tokenizer(folder: Path, vocab: int = 512) -> None:
    from train import tokenizer as tok

    tok.save_hf(tok.train_bpe([t for _, t in manual_sections()], vocab), folder)


def make_model(folder: Path, hidden: int = 64, layers: int = 2, heads: int = 4, kv_heads: int = 2,
               max_len: int = 256, seed: int = 0, rope_theta: float = 50000.0, vocab: int = 512) -> Path:
    import torch

    from train import model as llama
    from train import tokenizer as tok
    from train.config import ModelConfig

    make_tokenizer(folder, vocab)
    ids = tok.special_ids(tok.load(folder))
    config = llama.llama_config(
        ModelConfig(name="test", vocab_size=vocab, hidden_size=hidden, intermediate_size=2 * hidden,
                    num_layers=layers, num_heads=heads, num_kv_heads=kv_heads, max_seq_len=max_len,
                    rope_theta=rope_theta), vocab, ids["bos"], ids["eos"], ids["pad"])
    model = llama.create(config, seed)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() == 2:
                parameter.mul_(4.0)
    llama.save_hf(model, folder)
    return folder


def make_adapter(base: Path, folder: Path, targets: tuple[str, ...], rank: int, seed: int) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    model = get_peft_model(LlamaForCausalLM.from_pretrained(str(base)),
                           LoraConfig(r=rank, lora_alpha=2 * rank, target_modules=list(targets), lora_dropout=0.0))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0.0, 0.3)
    model.save_pretrained(str(folder))
    return folder


def make_adapters(base: Path, root: Path) -> dict[str, Path]:
    return {name: make_adapter(base, root / name, targets, rank, seed)
            for seed, (name, (targets, rank)) in enumerate(ADAPTERS.items(), start=1)}


def lora_customize(ctx: StageContext) -> StageResult:
    """The customize stage's contract: base (the train model), adapters/<name>, metrics lora."""
    from infer.lora import MODULES, read_adapter, trtllm_modules

    model = ctx.inputs["train"].output("model")
    base = ctx.out_dir / "base"
    shutil.copytree(model, base)
    folders = make_adapters(base, ctx.out_dir / "adapters")
    adapters = {name: read_adapter(path, name) for name, path in folders.items()}
    targets = [m for m in MODULES if any(m in a.target_modules for a in adapters.values())]
    lora = {"max_lora_rank": max(a.max_rank for a in adapters.values()), "trtllm_target_modules": trtllm_modules(targets),
            "adapters": {n: {"rank": a.rank, "alpha": a.alpha, "target_modules": a.target_modules}
                         for n, a in adapters.items()}}
    (ctx.out_dir / "lora.json").write_text(json.dumps(lora, indent=2))
    return StageResult({"base": "base", "adapters": "adapters"}, {"lora": lora, "model_name": "test-llama"})


def registry() -> Registry:
    """Manual-text curate stand-in -> real train -> customize-like -> the real export stage."""
    from customize.spec import SPEC as CUSTOMIZE
    from infer.spec import SPEC as EXPORT
    from tests.support import train as train_support

    base = train_support.registry()
    customize = replace(CUSTOMIZE, run=f"{__name__}:lora_customize", outputs=("base", "adapters"),
                        external_inputs=())
    return Registry([*base.specs(), customize, EXPORT])


# A fast export: fp32 + int4 edge models, FP8 only (INT4 AWQ needs dims of 128 and minutes).
FAST_EXPORT = ["export.quant.formats=[fp8]", "export.quant.calib_rows=4", "export.quant.eval_rows=4",
               "export.quant.seq_len=64", "export.parity.max_tokens=12", "export.threads=2"]


def command(root: Path, *args: str, stage: str = "export") -> list[str]:
    return ["run", f"stage={stage}", "registry=tests.support.lora_models:registry", *project_paths(root),
            *TINY_MODEL, *TINY_TRAIN, "train.steps=8", "train.eval_every=4", "train.checkpoint_every=4",
            *FAST_EXPORT, *args]


def cli(root: Path, *args: str, check: bool = True, stage: str = "export"):
    return run_cli(*command(root, *args, stage=stage), check=check, timeout=600)


def generate_cli(root: Path, *args: str, check: bool = True):
    return run_cli("generate", "registry=tests.support.lora_models:registry", *project_paths(root), *TINY_MODEL,
                   *TINY_TRAIN, "train.steps=8", "train.eval_every=4", "train.checkpoint_every=4", *FAST_EXPORT,
                   *args, check=check, timeout=300)

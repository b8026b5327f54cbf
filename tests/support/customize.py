"""Support (no tests) for the customize tests: a tiny HF Llama base folder with the project tokenizer.

The tokenizer is the project's byte-level BPE (with the chat template) trained on the manual;
the model is randomly initialised from a seed. ``tiny_base(root)`` builds it once per folder.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.train import manual_sections

TINY = {"vocab_size": 1024, "hidden_size": 64, "intermediate_size": 128, "num_layers": 2, "num_heads": 4,
        "num_kv_heads": 2, "max_seq_len": 1024}


def tiny_base(root: Path, seed: int = 7) -> Path:
    """An HF Llama folder (weights, config, tokenizer with chat template) under ``root/base``."""
    import torch

    from train import model as llama
    from train import tokenizer as tok
    from train.config import ModelConfig

    folder = root / "base"
    if (folder / "config.json").is_file():
        return folder
    tokenizer = tok.train_bpe([text for _, text in manual_sections()], TINY["vocab_size"])
    tok.save_hf(tokenizer, folder)
    ids = tok.special_ids(tokenizer)
    config = llama.llama_config(ModelConfig(name="tiny-test", **TINY), TINY["vocab_size"], ids["bos"], ids["eos"],
                                ids["pad"])
    model = llama.create(config, seed)
    with torch.no_grad():  # random init leaves LM-head logits near-uniform; widen them so greedy outputs differ
        model.lm_head.weight.mul_(8.0)
    llama.save_hf(model, folder)
    return folder


def registry():
    """curate (the manual's sections) -> the real train stage -> the real customize stage."""
    from customize.spec import SPEC
    from pipeline.registry import Registry
    from tests.support.train import registry as train_registry

    return Registry([*train_registry().specs(), SPEC])


# A base small enough to pretrain in well under a minute on the manual's text, yet able to learn
# the output formats: the tests' tiny train run (tests/support/train.py), wider, with a vocabulary
# of 1024 and room for chat examples (RoPE has no weights: max_seq_len costs nothing unused).
UPSTREAM = ["model.vocab_size=1024", "model.hidden_size=128", "model.intermediate_size=256", "model.max_seq_len=512",
            "train.steps=300", "train.seq_len=128", "train.micro_batch_size=8", "train.eval_every=100",
            "train.checkpoint_every=100"]
# Both default adapters, small and fast: the integration test's settings.
FAST = [
    "customize.threads=1", "customize.precision=fp32", "customize.checkpoint_every=20",
    "customize.adapters.manual_qa.steps=60", "customize.adapters.manual_qa.optim.lr=2e-3",
    "customize.adapters.manual_qa.passages=2", "customize.adapters.manual_qa.passage_words=30",
    "customize.adapters.manual_qa.generate_limit=8", "customize.adapters.manual_qa.max_new_tokens=48",
    "customize.adapters.manual_qa.eval_every=30", "customize.adapters.manual_qa.eval_rows=16",
    "customize.adapters.manual_qa.micro_batch_size=4",
    "customize.adapters.cockpit_commands.steps=200", "customize.adapters.cockpit_commands.optim.lr=3e-3",
    "customize.adapters.cockpit_commands.generate_limit=16", "customize.adapters.cockpit_commands.eval_every=100",
    "customize.adapters.cockpit_commands.eval_rows=16", "customize.adapters.cockpit_commands.micro_batch_size=8",
    "customize.adapters.cockpit_commands.max_new_tokens=64",
]


def command(root: Path, *args: str) -> list[str]:
    from tests.support.cli import project_paths
    from tests.support.train import TINY_MODEL, TINY_TRAIN

    return ["run", "stage=customize", "registry=tests.support.customize:registry", *project_paths(root),
            *TINY_MODEL, *TINY_TRAIN, *UPSTREAM, *FAST, *args]

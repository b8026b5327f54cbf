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

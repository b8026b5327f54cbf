"""Greedy batched generation for the before/after evaluation (left-padded prompts, HF generate).

Prompts are sorted by length so a batch pads little; results come back in the input order.
Generation stops at the chat template's end-of-turn token (chat.stop_token_ids).
"""
from __future__ import annotations

import torch


@torch.no_grad()
def generate(model, tokenizer, prompts: list[list[int]], max_new_tokens: int, batch_size: int,
             stop_ids: list[int], adapter_names: list[str] | None = None, progress: str | None = None) -> list[str]:
    """Greedy completions of ``prompts`` (token id lists). ``adapter_names`` (one per prompt) picks
    a PEFT adapter per request in a mixed batch; otherwise the model's active adapter is used."""
    from tqdm import tqdm

    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    texts: list[str | None] = [None] * len(prompts)
    was_training = model.training
    model.eval()
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    for batch in tqdm(batches, desc=progress or "generate", unit=" batch", disable=progress is None,
                      mininterval=2.0):
        width = max(len(prompts[i]) for i in batch)
        limit = getattr(model.config, "max_position_embeddings", None)
        new_tokens = max_new_tokens if limit is None else max(1, min(max_new_tokens, limit - width))
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            ids[row, width - len(prompts[i]):] = torch.tensor(prompts[i])
            mask[row, width - len(prompts[i]):] = 1
        extra = {"adapter_names": [adapter_names[i] for i in batch]} if adapter_names is not None else {}
        out = model.generate(input_ids=ids.to(device), attention_mask=mask.to(device), max_new_tokens=new_tokens,
                             do_sample=False, eos_token_id=stop_ids, pad_token_id=pad, use_cache=True, **extra)
        for row, i in enumerate(batch):
            texts[i] = decode_until_stop(tokenizer, out[row, width:].tolist(), stop_ids)
    model.train(was_training)
    return [t or "" for t in texts]


def decode_until_stop(tokenizer, ids: list[int], stop_ids: list[int]) -> str:
    stops = set(stop_ids)
    for position, token in enumerate(ids):
        if token in stops:
            ids = ids[:position]
            break
    return tokenizer.decode(ids, skip_special_tokens=True)

"""Held-out evaluation of an adapter (or of the base before training): loss and task metrics.

loss              mean next-token cross-entropy over the answer tokens of every eval example.
manual_qa         token_f1: SQuAD-style token F1 of the answer (source line removed) vs the gold;
                  contains_fact: every number of the gold answer appears in the answer, or, for a
                  gold answer without numbers, at least half of its content words do;
                  cites_section: the ``Source:`` line names the gold section.
cockpit_commands  json_valid: the output is exactly one JSON object; json_prefix: the output
                  starts with a complete JSON object (text after it ignored: a model that has not
                  yet learned to stop); schema_valid: parse_command accepts it; intent_accuracy: the intent equals the gold's (read even from
                  output that is not valid JSON); slot_exact_match: intent and every slot equal;
                  refusal_accuracy: of the requests the gold refuses, the share refused with
                  the gold reason; false_refusal_rate: of the requests the gold carries out,
                  the share refused.
"""
from __future__ import annotations

import json
from typing import Any

import torch

from customize.answer_scoring import contains_fact, token_f1
from customize.commands import REFUSE, intent_of, parse_command
from customize.prompts import NOT_IN_CONTEXT, parse_manual_answer


def score_manual_qa(outputs: list[str], golds: list[dict[str, Any]]) -> dict[str, float]:
    f1, fact, cite, abstain = [], [], [], []
    for text, gold in zip(outputs, golds):
        answer, section = parse_manual_answer(text)
        if gold.get("answerable", True):
            f1.append(token_f1(answer, gold["answer"]))
            fact.append(contains_fact(answer, gold["answer"]))
            cite.append(section == gold["section_id"])
        else:
            abstain.append(NOT_IN_CONTEXT.lower() in text.lower())
    out = {"token_f1": _mean(f1), "contains_fact": _mean(fact), "cites_section": _mean(cite), "scored": len(outputs)}
    if abstain:
        out["abstains_when_unanswerable"] = _mean(abstain)
    return out


def score_commands(outputs: list[str], golds: list[dict[str, Any]], schema=None) -> dict[str, float]:
    parsed, prefix, valid, intent, exact, refusal, false_refusal = [], [], [], [], [], [], []
    for text, gold in zip(outputs, golds):
        expected = gold["command"]
        try:
            obj = json.loads(text.strip())
            parsed.append(isinstance(obj, dict))
        except json.JSONDecodeError:
            obj = None
            parsed.append(False)
        try:
            head, _ = json.JSONDecoder().raw_decode(text.strip())
            prefix.append(isinstance(head, dict))
        except json.JSONDecodeError:
            head = None
            prefix.append(False)
        obj = obj if obj is not None else (head if isinstance(head, dict) else None)
        command, _ = parse_command(text, schema)
        valid.append(command is not None)
        named = obj.get("intent") if isinstance(obj, dict) else intent_of(text)
        intent.append(named == expected["intent"])
        exact.append(command is not None and command == expected)
        refused = named == REFUSE
        if expected["intent"] == REFUSE:
            reason = obj.get("slots", {}).get("reason") if isinstance(obj, dict) and isinstance(
                obj.get("slots"), dict) else None
            refusal.append(refused and reason == expected["slots"]["reason"])
        else:
            false_refusal.append(refused)
    return {"json_valid": _mean(parsed), "json_prefix": _mean(prefix), "schema_valid": _mean(valid), "intent_accuracy": _mean(intent),
            "slot_exact_match": _mean(exact), "refusal_accuracy": _mean(refusal),
            "false_refusal_rate": _mean(false_refusal), "scored": len(outputs)}


def _mean(values: list) -> float:
    return round(sum(map(float, values)) / len(values), 4) if values else 0.0


@torch.no_grad()
def eval_loss(loss_module, batches, batch_size: int, autocast_dtype: torch.dtype | None, device: torch.device) -> float:
    """Token-weighted mean loss over every example of ``batches`` (a ChatBatches)."""
    import numpy as np

    model = loss_module.model
    was_training = model.training
    model.eval()
    order = np.argsort(-batches.lengths(), kind="stable")  # similar lengths together: little padding
    total, count = 0.0, 0
    for start in range(0, len(order), batch_size):
        batch = {k: v.to(device) for k, v in batches.take(order[start:start + batch_size]).items()}
        with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            loss_sum, n = loss_module.sum_and_count(batch)
        total += float(loss_sum)
        count += n
    model.train(was_training)
    return round(total / max(count, 1), 5)

"""Fused chunked LM head + cross-entropy against PyTorch's and HF's loss, values and gradients."""

from __future__ import annotations

import pytest
import torch

from train.core.loss import linear_cross_entropy


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_matches_cross_entropy_and_its_gradients(chunk):
    torch.manual_seed(0)
    hidden = torch.randn(96, 32, requires_grad=True)
    weight = torch.randn(50, 32, requires_grad=True)
    targets = torch.randint(0, 50, (96,))
    targets[::5] = -100
    reference = torch.nn.functional.cross_entropy(hidden @ weight.t(), targets)
    gh, gw = torch.autograd.grad(reference * 3, (hidden, weight))
    fused = linear_cross_entropy(hidden, weight, targets, chunk_rows=chunk)
    fh, fw = torch.autograd.grad(fused * 3, (hidden, weight))
    torch.testing.assert_close(fused, reference, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(fh, gh, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(fw, gw, rtol=1e-4, atol=1e-6)


def test_bf16_gemms_stay_close_to_fp32():
    torch.manual_seed(1)
    hidden, weight = torch.randn(64, 32), torch.randn(40, 32) * 0.1
    targets = torch.randint(0, 40, (64,))
    exact = linear_cross_entropy(hidden, weight, targets)
    assert abs(linear_cross_entropy(hidden, weight, targets, compute_dtype=torch.bfloat16) - exact) < 2e-2


def test_training_wrapper_gives_the_hf_model_loss():
    from transformers import LlamaConfig, LlamaForCausalLM

    from train.core.loss import CausalLMLoss

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, use_cache=False)
    model = LlamaForCausalLM(config)
    rows = torch.randint(0, 128, (3, 17))
    fused = CausalLMLoss(model, chunk_rows=10, compute_dtype=torch.float32)({"input_ids": rows})
    plain = CausalLMLoss(model, chunk_rows=0, compute_dtype=torch.float32)({"input_ids": rows})
    logits = model(input_ids=rows[:, :-1]).logits
    by_hand = torch.nn.functional.cross_entropy(logits.reshape(-1, 128), rows[:, 1:].reshape(-1))
    torch.testing.assert_close(fused, by_hand, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(plain, by_hand, rtol=1e-5, atol=1e-5)
    fused.backward()
    fused_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    plain.backward()
    for a, p in zip(fused_grads, model.parameters()):
        torch.testing.assert_close(a, p.grad, rtol=1e-4, atol=1e-6)


def test_masked_labels_count_only_the_answer_tokens():
    """labels = -100 on prompt and padding positions: the loss is the mean over answer tokens only,
    and the masked positions get exactly zero gradient through the head (chunked and plain paths)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    from train.core.loss import CausalLMLoss

    torch.manual_seed(1)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=4, num_key_value_heads=2, use_cache=False)
    model = LlamaForCausalLM(config)
    ids = torch.randint(0, 64, (2, 12))
    labels = ids.clone()
    labels[:, :7] = -100  # prompt
    labels[1, 10:] = -100  # right padding of the shorter example
    logits = model(input_ids=ids[:, :-1]).logits
    targets = labels[:, 1:].reshape(-1)
    keep = targets != -100
    by_hand = torch.nn.functional.cross_entropy(logits.reshape(-1, 64)[keep], targets[keep])
    for chunk in (0, 5):
        got = CausalLMLoss(model, chunk_rows=chunk, compute_dtype=torch.float32)({"input_ids": ids, "labels": labels})
        torch.testing.assert_close(got, by_hand, rtol=1e-5, atol=1e-5)

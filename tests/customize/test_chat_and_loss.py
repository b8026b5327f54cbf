"""Chat template round trip, answer-only loss masking and right padding (customize/chat, loss, batches)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from customize import chat, prompts
from customize.batches import ChatBatches
from customize.data import Example
from customize.loss import AnswerLoss
from tests.support.customize import tiny_base

STATE = {"speed_kmh": 50, "gear": "D", "speaker": "passenger"}
PASSAGES = [{"section_id": "10.4", "title": "Heated seats", "text": "Tap the heated seat symbol once for level 3."},
            {"section_id": "2.4", "title": "Windows", "text": "All four side windows are electric."}]


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    return tiny_base(tmp_path_factory.mktemp("customize-chat"))


@pytest.fixture(scope="module")
def tokenizer(base_dir):
    return chat.load_tokenizer(base_dir)


def examples() -> list[Example]:
    return [
        Example("a", prompts.command_messages("it's cold in here", STATE),
                '{"intent":"climate.adjust_temperature","slots":{"zone":"passenger","direction":"warmer"}}'),
        Example("b", prompts.manual_qa_messages("How do I heat my seat?", PASSAGES),
                prompts.manual_qa_answer("Tap the heated seat symbol.", "10.4", "Heated seats")),
        Example("c", prompts.command_messages("volume up", {**STATE, "gear": "P", "speed_kmh": 0}),
                '{"intent":"media.volume","slots":{"action":"up"}}'),
    ]


def test_chat_template_round_trip(tokenizer, base_dir, tmp_path):
    for example in examples():
        text = chat.render(tokenizer, example.messages, add_generation_prompt=True)
        ids = chat.prompt_ids(tokenizer, example.messages)
        assert tokenizer.decode(ids) == text  # byte-level BPE: tokens decode to exactly the rendered text
        assert text.endswith("<|assistant|>\n") and text.startswith("<|bos|><|system|>\n")
        for message in example.messages:
            assert message["content"] in text
        hf = tokenizer.apply_chat_template(example.messages, add_generation_prompt=True, tokenize=True)
        assert list(hf["input_ids"] if hasattr(hf, "keys") else hf) == ids  # what an HF runtime builds
        full, labels = chat.encode_example(tokenizer, example.messages, example.completion)
        answer = [t for t, label in zip(full, labels) if label != chat.IGNORE_INDEX]
        assert full[:len(ids)] == ids and tokenizer.decode(answer) == example.completion + "<|end|>\n"
    # the template travels with the tokenizer: saved and reloaded, it renders identically
    chat.save_tokenizer(tokenizer, tmp_path / "saved")
    again = chat.load_tokenizer(tmp_path / "saved")
    assert again.chat_template == tokenizer.chat_template
    assert chat.prompt_ids(again, examples()[0].messages) == chat.prompt_ids(tokenizer, examples()[0].messages)
    assert [again.convert_ids_to_tokens(i) for i in chat.stop_token_ids(again)] == ["<|end|>", "<|eos|>"]


def test_tokenizer_without_template_gets_the_projects_and_keeps_it(base_dir, tmp_path):
    import json
    import shutil

    folder = tmp_path / "plain"
    shutil.copytree(base_dir, folder)
    (folder / "chat_template.jinja").unlink()
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    from transformers import AutoTokenizer

    assert not AutoTokenizer.from_pretrained(str(folder)).chat_template
    loaded = chat.load_tokenizer(folder)
    from train.tokenizer import CHAT_TEMPLATE

    assert loaded.chat_template == CHAT_TEMPLATE
    chat.save_tokenizer(loaded, tmp_path / "out")
    assert AutoTokenizer.from_pretrained(str(tmp_path / "out")).chat_template == CHAT_TEMPLATE


def test_prompt_tokens_contribute_zero_loss(tokenizer, base_dir):
    from customize.lora import load_base

    model = load_base(base_dir)
    batches = ChatBatches.from_examples(tokenizer, examples())
    batch = batches.take(np.arange(3))
    ids, labels = batch["input_ids"], batch["labels"]
    loss = AnswerLoss(model)(batch)
    # reference: full logits, cross-entropy at answer positions only
    logits = model(input_ids=ids[:, :-1]).logits.float()
    targets = labels[:, 1:]
    per_token = torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets.clamp(min=0), reduction="none")
    answer = targets != chat.IGNORE_INDEX
    assert torch.allclose(loss, per_token[answer].mean(), atol=1e-5)
    # prompt positions: present in the batch, absent from the loss
    prompt_positions = (ids[:, 1:] != tokenizer.pad_token_id) & ~answer
    assert prompt_positions.sum() > answer.sum() > 0
    assert not torch.allclose(loss, per_token[answer | prompt_positions].mean(), atol=1e-3)
    # the gradient reaching the logits of prompt positions is exactly zero
    logits = model(input_ids=ids[:, :-1]).logits.float()
    logits.retain_grad()
    torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets, ignore_index=chat.IGNORE_INDEX).backward()
    assert torch.count_nonzero(logits.grad[prompt_positions]) == 0
    assert torch.count_nonzero(logits.grad[answer]) > 0
    # and HF's own masked loss agrees
    hf = model(input_ids=ids, labels=labels).loss
    assert torch.allclose(loss, hf, atol=1e-5)


def test_right_padding_changes_nothing(tokenizer, base_dir):
    from customize.lora import load_base

    model = load_base(base_dir)
    batches = ChatBatches.from_examples(tokenizer, examples(), pad_multiple=8)
    loss = AnswerLoss(model)
    alone = [loss.sum_and_count(batches.take(np.array([i]))) for i in range(3)]
    together_sum, together_count = loss.sum_and_count(batches.take(np.arange(3)))  # padded to the longest
    assert together_count == sum(n for _, n in alone)
    assert torch.allclose(together_sum, sum(s for s, _ in alone), rtol=1e-5)
    wide = ChatBatches(batches.ids, batches.labels, batches.pad_id, pad_multiple=128).take(np.array([0]))
    assert wide["input_ids"].shape[1] % 128 == 0 and wide["input_ids"].shape[1] - len(batches.ids[0]) > 50
    assert torch.allclose(loss(wide), alone[0][0] / alone[0][1], atol=1e-5)

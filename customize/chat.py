"""Chat template handling, shared by training and inference so both see the same tokens.

The template is the one stored with the tokenizer (train/tokenizer.py writes the project's into
every tokenizer it trains). A base checkpoint whose tokenizer has none gets the project's
template (its role markers are then plain text, no new tokens), and the stage saves that
tokenizer next to every adapter, merged model and the published base, so the assistant loads
the exact template training used.

An example is tokenized as ``prompt_ids(messages) + completion ids``: the prompt exactly as
inference builds it (generation prompt included), the completion (the assistant turn's content
and the template's end-of-turn text) tokenized on its own, as generation produces it token by
token. Only completion tokens carry labels.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("pipeline.customize")

IGNORE_INDEX = -100
# End-of-turn tokens of the project's template and of common chat templates, and EOS spellings.
_TURN_ENDS = ("<|end|>", "<|eot_id|>", "<|im_end|>", "<end_of_turn>", "</s>", "<|endoftext|>", "<|eos|>")


class ChatTemplateError(ValueError):
    """The tokenizer's chat template cannot render our messages consistently."""


def load_tokenizer(folder: str | Path):
    """The HF tokenizer of ``folder``, with a chat template (the project's if it had none)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    if not tokenizer.chat_template:
        from train.tokenizer import CHAT_TEMPLATE

        log.warning("customize: %s has no chat template; using the project's (stored with every output)", folder)
        tokenizer.chat_template = CHAT_TEMPLATE
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token  # padding is masked out of the loss and attention
    return tokenizer


def _fold_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Templates that reject a system role (Mistral-style) get it as the first user turn's preface."""
    if not messages or messages[0]["role"] != "system":
        return messages
    system, rest = messages[0]["content"], [dict(m) for m in messages[1:]]
    if rest and rest[0]["role"] == "user":
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
    return rest


def render(tokenizer, messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
    from jinja2 import TemplateError

    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    except TemplateError as err:  # raised by the template itself, e.g. "roles must alternate user/assistant"
        folded = _fold_system(messages)
        if folded is messages:
            raise ChatTemplateError(f"chat template cannot render the messages: {err}") from None
        return tokenizer.apply_chat_template(folded, tokenize=False, add_generation_prompt=add_generation_prompt)


def _encode(tokenizer, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])  # the template places BOS itself


def prompt_ids(tokenizer, messages: list[dict[str, str]]) -> list[int]:
    """Token ids of the prompt for generation (ends with the assistant turn's opening)."""
    return _encode(tokenizer, render(tokenizer, messages, add_generation_prompt=True))


def completion_text(tokenizer, messages: list[dict[str, str]], completion: str) -> str:
    """What follows the generation prompt when the assistant answers ``completion``."""
    prompt = render(tokenizer, messages, add_generation_prompt=True)
    full = render(tokenizer, [*messages, {"role": "assistant", "content": completion}], add_generation_prompt=False)
    if not full.startswith(prompt):
        raise ChatTemplateError("the chat template renders the conversation so that it does not start with the "
                                "generation prompt; answer-only loss needs a prefix-stable template")
    return full[len(prompt):]


def encode_example(tokenizer, messages: list[dict[str, str]], completion: str) -> tuple[list[int], list[int]]:
    """(input ids, labels): labels are IGNORE_INDEX on prompt tokens, the token itself on the answer."""
    prompt = prompt_ids(tokenizer, messages)
    answer = _encode(tokenizer, completion_text(tokenizer, messages, completion))
    return prompt + answer, [IGNORE_INDEX] * len(prompt) + answer


def stop_token_ids(tokenizer) -> list[int]:
    """Ids that end an assistant turn: generation stops at the first of them."""
    vocab = tokenizer.get_vocab()
    found = [vocab[t] for t in _TURN_ENDS if t in vocab]
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in found:
        found.append(tokenizer.eos_token_id)
    return found


def save_tokenizer(tokenizer, folder: Path) -> None:
    """Tokenizer files with the chat template, into ``folder`` (beside weights or an adapter)."""
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(folder))


def describe(tokenizer) -> dict[str, Any]:
    return {"vocab": len(tokenizer), "stop_tokens": [tokenizer.convert_ids_to_tokens(i) for i in stop_token_ids(tokenizer)],
            "pad": tokenizer.pad_token, "template_chars": len(tokenizer.chat_template or "")}

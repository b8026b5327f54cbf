"""Byte-level BPE tokenizer (HF ``tokenizers``) with the special tokens of the chat format.

Byte-level BPE round-trips any text exactly (no unknown token, no normaliser), which the
pretraining data and the later chat fine-tune both rely on. The special tokens are fixed here
so that every stage after this one (customize, export, assistant) agrees on them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

BOS, EOS, PAD = "<|bos|>", "<|eos|>", "<|pad|>"
SYSTEM, USER, ASSISTANT, END = "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"
# Order fixes the ids 0..6 of a trained tokenizer.
SPECIAL_TOKENS = (BOS, EOS, PAD, SYSTEM, USER, ASSISTANT, END)

# One turn is "<|role|>\n{content}<|end|>\n"; a prompt for generation ends with "<|assistant|>\n".
CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|>\n' + message['content'] + '<|end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)

# EOS spellings of common pretrained tokenizers, for train.tokenizer.from=<someone else's>.
_EOS_CANDIDATES = (EOS, "</s>", "<|endoftext|>", "<|end_of_text|>", "<eos>")


class TokenizerError(ValueError):
    """A tokenizer that cannot be used: missing file, no EOS token, vocabulary too large."""


def train_bpe(texts: Iterable[str], vocab_size: int, min_frequency: int = 2):
    """Train byte-level BPE on ``texts``; returns a ``tokenizers.Tokenizer``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # all 256 bytes: nothing is unknown
        show_progress=False,
    )
    tokenizer.train_from_iterator(_batched(texts), trainer=trainer)
    return tokenizer


def _batched(texts: Iterable[str], size: int = 1000) -> Iterator[list[str]]:
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def save_hf(tokenizer, folder: Path) -> None:
    """Write ``tokenizer.json`` plus the transformers files (special tokens, chat template)."""
    from transformers import PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = tokenizer.get_vocab()
    if all(token in vocab for token in SPECIAL_TOKENS):
        fast = PreTrainedTokenizerFast(
            tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD,
            additional_special_tokens=[SYSTEM, USER, ASSISTANT, END],
        )
        fast.chat_template = CHAT_TEMPLATE
        fast.save_pretrained(str(folder))
    else:  # a reused tokenizer of another family: keep its own files' meaning
        tokenizer.save(str(folder / "tokenizer.json"))


def load(path: str | Path):
    """A ``tokenizers.Tokenizer`` from ``tokenizer.json`` or a folder holding it."""
    from tokenizers import Tokenizer

    path = Path(path)
    file = path / "tokenizer.json" if path.is_dir() else path
    if not file.is_file():
        raise TokenizerError(f"train.tokenizer.from={path}: no tokenizer.json there")
    try:
        return Tokenizer.from_file(str(file))
    except Exception as err:  # tokenizers raises plain Exception subclasses with the parse error
        raise TokenizerError(f"{file}: not a valid HF tokenizer.json ({err})") from None


def copy_hf_files(source: str | Path, folder: Path) -> None:
    """Copy a reused tokenizer's HF files (tokenizer.json, tokenizer_config.json, ...) verbatim."""
    import shutil

    source = Path(source)
    folder.mkdir(parents=True, exist_ok=True)
    if source.is_file():
        shutil.copy2(source, folder / "tokenizer.json")
        return
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"):
        if (source / name).is_file():
            shutil.copy2(source / name, folder / name)


def eos_id(tokenizer, source: str | Path | None = None) -> int:
    """Id of the end-of-document token: ours, the one tokenizer_config.json names, or a common one."""
    candidates = list(_EOS_CANDIDATES)
    if source is not None:
        config = Path(source) / "tokenizer_config.json"
        if config.is_file():
            named = json.loads(config.read_text()).get("eos_token")
            if isinstance(named, dict):
                named = named.get("content")
            if named:
                candidates.insert(0, named)
    for token in candidates:
        found = tokenizer.token_to_id(token)
        if found is not None:
            return found
    raise TokenizerError(
        f"tokenizer {source or ''} has no end-of-document token (looked for {', '.join(candidates)})"
    )


def special_ids(tokenizer) -> dict[str, int | None]:
    """bos/eos/pad ids where the tokenizer has ours (None otherwise), for the model config."""
    return {name: tokenizer.token_to_id(tok) for name, tok in (("bos", BOS), ("eos", EOS), ("pad", PAD))}

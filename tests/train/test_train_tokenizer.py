"""Byte-level BPE tokenizer: exact round trip, fixed special tokens, determinism, HF files, reuse."""

from __future__ import annotations

import json

import pytest

from tests.support.train import manual_sections
from train import tokenizer as tok

TEXTS = [text for _, text in manual_sections()]
ODD = "Tyre 2.5 bar (36 psi) – “quoted” café 電気自動車 🚗\n\tindented\r\nend  "


@pytest.fixture(scope="module")
def trained():
    return tok.train_bpe(TEXTS, vocab_size=600, min_frequency=2)


def test_round_trip_is_exact_on_manual_and_unseen_text(trained):
    for text in TEXTS[:40] + [ODD, ""]:
        ids = trained.encode(text).ids
        assert trained.decode(ids, skip_special_tokens=False) == text
    # Unseen characters fall back to bytes, never to an unknown token.
    assert len(trained.encode("電").ids) == 3


def test_special_tokens_have_fixed_ids_and_stay_single_tokens(trained):
    assert [trained.token_to_id(t) for t in tok.SPECIAL_TOKENS] == list(range(len(tok.SPECIAL_TOKENS)))
    text = f"{tok.USER}\nHow do I open the frunk?{tok.END}\n"
    ids = trained.encode(text).ids
    assert ids[0] == trained.token_to_id(tok.USER) and trained.token_to_id(tok.END) in ids
    assert trained.get_vocab_size() == 600
    assert tok.eos_id(trained) == 1


def test_training_is_deterministic(trained):
    again = tok.train_bpe(TEXTS, vocab_size=600, min_frequency=2)
    assert again.to_str() == trained.to_str()


def test_hf_folder_loads_in_transformers_with_chat_template(trained, tmp_path):
    from transformers import PreTrainedTokenizerFast

    tok.save_hf(trained, tmp_path)
    hf = PreTrainedTokenizerFast.from_pretrained(str(tmp_path))
    assert (hf.bos_token, hf.eos_token, hf.pad_token) == (tok.BOS, tok.EOS, tok.PAD)
    assert hf.encode(ODD, add_special_tokens=False) == trained.encode(ODD).ids
    chat = hf.apply_chat_template(
        [{"role": "system", "content": "Answer from the manual."}, {"role": "user", "content": "Tyre pressure?"}],
        tokenize=False, add_generation_prompt=True,
    )
    assert chat == ("<|bos|><|system|>\nAnswer from the manual.<|end|>\n<|user|>\nTyre pressure?<|end|>\n"
                    "<|assistant|>\n")
    assert tok.eos_id(tok.load(tmp_path), tmp_path) == hf.eos_token_id


def test_reused_tokenizer_finds_its_own_eos_and_bad_paths_fail_in_one_line(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    other = Tokenizer(models.BPE())
    other.pre_tokenizer = pre_tokenizers.ByteLevel()
    other.train_from_iterator(TEXTS[:20], trainers.BpeTrainer(vocab_size=300, special_tokens=["<s>", "</eot>"]))
    folder = tmp_path / "other"
    folder.mkdir()
    other.save(str(folder / "tokenizer.json"))
    with pytest.raises(tok.TokenizerError, match="no end-of-document token"):
        tok.eos_id(tok.load(folder), folder)
    (folder / "tokenizer_config.json").write_text(json.dumps({"eos_token": "</eot>"}))
    assert tok.eos_id(tok.load(folder), folder) == other.token_to_id("</eot>")
    with pytest.raises(tok.TokenizerError, match="no tokenizer.json"):
        tok.load(tmp_path / "missing")

"""Stop strings, streaming text, chat template and sampling: the runtime's text behaviour."""

from __future__ import annotations

import pytest

from infer.runtime import GenerationRequest, SamplingParams
from infer.textio import StopText


def test_stop_text_never_shows_a_stop_string_or_its_prefix():
    stop = StopText(["<END>", "\n\n"])
    shown = [stop.add(d) for d in ["Hello <", "E", "N", "x then", " <EN", "D> more"]]
    assert "".join(shown) == "Hello <ENx then "
    assert stop.stopped and stop.text == "Hello <ENx then "
    assert shown[1] == "" and shown[2] == ""  # "<E" and "<EN" were held back as possible stop prefixes


def test_stop_text_releases_held_text_when_the_sequence_ends():
    stop = StopText(["STOP"])
    assert stop.add("go ST") == "go "
    assert stop.finish() == "ST" and not stop.stopped


@pytest.mark.parametrize("backend", ["edge", "torch"])
def test_stop_strings_cut_the_text_and_finish_with_stop(edge, torch_gen, backend):
    gen = edge if backend == "edge" else torch_gen
    request = GenerationRequest(prompt="The tyre pressure warning", sampling=SamplingParams(max_tokens=40))
    full = gen.generate(request)
    assert full.finish_reason == "length"
    stop = full.text[len(full.text) // 2: len(full.text) // 2 + 3]
    cut = full.text[: full.text.index(stop)]
    request.sampling.stop = ["never-appears", stop]
    result = gen.generate(request)
    streamed = "".join(gen.stream(request))
    assert (result.text, result.finish_reason) == (cut, "stop")
    assert streamed == cut and stop not in streamed
    assert result.completion_tokens < full.completion_tokens


def test_chat_template_renders_like_transformers(edge, tiny_bundle):
    from transformers import AutoTokenizer

    messages = [{"role": "system", "content": "Answer from the manual."}, {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Charge port?"}]
    reference = AutoTokenizer.from_pretrained(str(tiny_bundle / "hf" / "base"))
    expected = reference.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert edge.render_chat(messages) == expected
    assert edge.codec.encode(expected, add_special_tokens=False) == \
        reference(expected, add_special_tokens=False)["input_ids"]


def test_generation_stops_at_the_chat_turn_end_token(edge):
    assert edge.codec.tokenizer.token_to_id("<|end|>") in edge.codec.stop_ids
    assert edge.codec.tokenizer.token_to_id("<|eos|>") in edge.codec.stop_ids


def test_seeded_sampling_is_reproducible_and_differs_from_greedy(gen):
    def run(seed, temperature=1.5, top_k=0, top_p=1.0):
        sampling = SamplingParams(max_tokens=20, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed)
        return gen.generate(GenerationRequest(prompt="Open the", sampling=sampling)).token_ids

    greedy = run(None, temperature=0.0)
    assert run(7) == run(7)
    assert run(7) != run(8) or run(7) != greedy
    assert run(3, top_k=1) == greedy  # top-k 1 is greedy whatever the temperature
    assert run(5, top_p=0.9) == run(5, top_p=0.9)


def test_sampling_is_the_same_on_both_backends_for_one_seed(edge, torch_gen):
    request = GenerationRequest(prompt="Open the", sampling=SamplingParams(max_tokens=16, temperature=0.8, top_p=0.95, seed=11))
    assert edge.generate(request).token_ids == torch_gen.generate(request).token_ids

"""Real-world bad input to the runtime: sampling values, a plain-string stop, a request that fails
inside a shared batch, cut or damaged safetensors (docs/infer.md, "Robustness checks")."""

from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest

from infer.bundle import BundleError
from infer.runtime import GenerationRequest, Generator, InvalidRequest, SamplingParams

PROMPT = "The charging port"


@pytest.mark.parametrize("values, message", [
    ({"temperature": -1}, "temperature=-1: must be >= 0"),
    ({"temperature": "hot"}, "temperature='hot': must be a finite number"),
    ({"temperature": float("nan")}, "temperature=nan: must be a finite number"),
    ({"top_p": 1.5}, "top_p=1.5: must be in \\(0, 1\\]"),
    ({"top_p": 0}, "top_p=0: must be in \\(0, 1\\]"),
    ({"top_k": -1}, "top_k=-1: must be >= 0"),
    ({"top_k": True}, "top_k=True: must be an integer"),
    ({"max_tokens": 0}, "max_tokens=0: must be >= 1"),
    ({"max_tokens": 2.5}, "max_tokens=2.5: must be an integer"),
    ({"max_tokens": "8"}, "max_tokens='8': must be an integer"),
    ({"stop": ["ok", 3]}, "stop=\\['ok', 3\\]: must be a string or a list of strings"),
])
def test_bad_sampling_values_are_refused_naming_the_key(edge, values, message):
    with pytest.raises(InvalidRequest, match=f"^invalid sampling value {message}"):
        edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(**values)))


def test_a_bad_request_does_not_disturb_the_requests_beside_it(edge):
    solo = edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(max_tokens=12))).text
    results: dict[int, str] = {}

    def ask(i: int, sampling: SamplingParams) -> None:
        try:
            results[i] = edge.generate(GenerationRequest(prompt=PROMPT, sampling=sampling)).text
        except InvalidRequest as err:
            results[i] = f"refused: {err}"

    bad = [SamplingParams(max_tokens=12, temperature=-0.5), SamplingParams(max_tokens=12, top_p=2)]
    threads = [threading.Thread(target=ask, args=(i, s)) for i, s in
               enumerate([SamplingParams(max_tokens=12)] * 3 + bad)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert [results[i] for i in range(3)] == [solo] * 3
    assert results[3].startswith("refused: invalid sampling value temperature=-0.5")
    assert results[4].startswith("refused: invalid sampling value top_p=2")


def test_a_request_failing_inside_the_batch_fails_alone(edge):
    """Past validation (a value the sampler chokes on), only that sequence fails; the batch goes on."""
    from infer.scheduler import Sequence
    from infer.textio import Detokenizer, StopText

    scheduler = edge._engine.scheduler
    ids = edge.codec.encode(PROMPT, add_special_tokens=True)

    def sequence(top_k) -> Sequence:
        return Sequence(prompt_ids=ids, adapter=0, max_new=12, temperature=1.0, top_k=top_k, top_p=1.0,
                        rng=np.random.default_rng(0), detok=Detokenizer(edge.codec), stop=StopText([]))

    good = [scheduler.submit(sequence(1)) for _ in range(2)]  # top_k=1: greedy
    broken = scheduler.submit(sequence("x"))
    with pytest.raises(TypeError):
        list(scheduler.events(broken))
    solo = edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(max_tokens=12)))
    for seq in good:
        assert [k for k, _ in scheduler.events(seq)][-1] == "done"
        assert seq.generated == solo.token_ids and seq.finish == solo.finish_reason


def test_a_plain_string_stop_is_one_stop_string(edge):
    full = edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(max_tokens=24))).text
    stop = full.strip()[3:5]
    assert len(stop) == 2 and stop in full
    assert SamplingParams(stop=stop).stop == [stop]
    cut = edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(max_tokens=24, stop=stop)))
    assert cut.text == full[:full.index(stop)] and cut.finish_reason == "stop"


def test_tiny_temperature_is_its_greedy_limit(edge):
    greedy = edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(max_tokens=12))).text
    tiny = edge.generate(GenerationRequest(prompt=PROMPT, sampling=SamplingParams(max_tokens=12, temperature=1e-320,
                                                                                  seed=3))).text
    assert tiny == greedy


def _damaged(tiny_bundle, tmp_path, how):
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    weights = copy / "hf" / "base" / "model.safetensors"
    raw = bytearray(weights.read_bytes())
    weights.write_bytes(how(raw))
    return copy, weights


def test_a_cut_safetensors_file_in_a_plain_model_folder_is_named(tiny_bundle, tmp_path):
    copy, weights = _damaged(tiny_bundle, tmp_path, lambda raw: bytes(raw[: len(raw) // 2]))
    with pytest.raises(BundleError, match=f"^{weights}: truncated safetensors file \\(its tensors end at byte"):
        Generator.open(copy / "hf" / "base", backend="torch")


def test_a_damaged_safetensors_header_is_named_even_when_sizes_match(tiny_bundle, tmp_path, monkeypatch):
    from infer import bundle

    def zero_header(raw):
        raw[8:40] = b"\x00" * 32
        return bytes(raw)

    copy, weights = _damaged(tiny_bundle, tmp_path, zero_header)
    monkeypatch.setattr(bundle, "FAST_HASH_LIMIT", 1024)  # as if the weights were GBs: fast checks sizes only
    for verify in ("fast", "none"):
        with pytest.raises(BundleError, match=f"^{weights}: corrupt safetensors header"):
            Generator.open(copy, backend="torch", verify=verify)


def test_generate_cli_names_the_bad_key_and_the_bad_file(tiny_bundle, tmp_path):
    from tests.support.cli import run_cli

    proc = run_cli("generate", f"bundle={tiny_bundle}", "prompt=hi", "temperature=-1", check=False, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == \
        "error: invalid sampling value temperature=-1.0: must be >= 0 (0 = greedy)"
    copy, weights = _damaged(tiny_bundle, tmp_path, lambda raw: bytes(raw[: len(raw) // 2]))
    proc = run_cli("generate", f"bundle={copy / 'hf' / 'base'}", "prompt=hi", "backend=torch", check=False, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"error: {weights}: truncated safetensors file")

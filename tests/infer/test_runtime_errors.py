"""Clear one-line errors: missing backend, unknown adapter, bad requests, corrupt bundles."""

from __future__ import annotations

import importlib.util
import shutil

import pytest

from infer.bundle import BundleError
from infer.runtime import (
    BackendUnavailable,
    GenerationRequest,
    Generator,
    InvalidRequest,
    SamplingParams,
    UnknownAdapter,
)


def test_unknown_adapter_names_the_ones_there_are(gen):
    with pytest.raises(UnknownAdapter, match="unknown adapter 'nav'; this model has: cockpit_commands, manual_qa"):
        gen.generate(GenerationRequest(prompt="Hi", adapter="nav"))


@pytest.mark.skipif(importlib.util.find_spec("tensorrt_llm") is not None, reason="TensorRT-LLM is installed here")
def test_trtllm_backend_missing_is_one_clear_error(tiny_bundle):
    with pytest.raises(BackendUnavailable, match="needs TensorRT-LLM: tensorrt_llm is not importable"):
        Generator.open(tiny_bundle, backend="trtllm")


def test_unknown_backend_and_edge_on_an_hf_folder(tiny_bundle):
    with pytest.raises(BackendUnavailable, match="unknown backend 'vllm'"):
        Generator.open(tiny_bundle, backend="vllm")
    with pytest.raises(BackendUnavailable, match="needs an export bundle"):
        Generator.open(tiny_bundle / "hf" / "base", backend="edge")


def test_edge_precision_missing_from_the_bundle(tiny_bundle):
    with pytest.raises(BackendUnavailable, match="no edge model in precision 'int4' \\(it has: fp32\\)"):
        Generator.open(tiny_bundle, backend="edge", precision="int4")


@pytest.mark.parametrize("request_, message", [
    (GenerationRequest(), "exactly one of prompt or messages"),
    (GenerationRequest(prompt="x", messages=[{"role": "user", "content": "x"}]), "exactly one of prompt or messages"),
    (GenerationRequest(prompt="x", sampling=SamplingParams(max_tokens=0)), "invalid sampling value"),
    (GenerationRequest(prompt="x", sampling=SamplingParams(top_p=0.0)), "invalid sampling value"),
    (GenerationRequest(prompt="word " * 400), "this model's context is 128"),
])
def test_invalid_requests(edge, request_, message):
    with pytest.raises(InvalidRequest, match=message):
        edge.generate(request_)


def test_max_tokens_is_capped_by_the_context(edge):
    prompt = "word " * 35
    result = edge.generate(GenerationRequest(prompt=prompt, sampling=SamplingParams(max_tokens=500)))
    assert result.finish_reason in ("length", "eos", "stop")
    assert result.prompt_tokens + result.completion_tokens <= 128


def _copy(bundle, tmp_path):
    target = tmp_path / "bundle"
    shutil.copytree(bundle, target)
    return target


def test_truncated_weights_are_detected(tiny_bundle, tmp_path):
    copy = _copy(tiny_bundle, tmp_path)
    data = copy / "edge" / "fp32" / "model.onnx.data"
    data.write_bytes(data.read_bytes()[:-100])
    with pytest.raises(BundleError, match="corrupt bundle: edge/fp32/model.onnx.data has .* bytes, expected"):
        Generator.open(copy, backend="edge")


def test_altered_file_is_detected(tiny_bundle, tmp_path):
    copy = _copy(tiny_bundle, tmp_path)
    config = copy / "edge" / "fp32" / "genai_config.json"
    config.write_text(config.read_text().replace('"context_length": 128', '"context_length": 999'))
    with pytest.raises(BundleError, match="genai_config.json was modified"):
        Generator.open(copy, backend="edge")


def test_altered_large_file_is_detected_with_full_verification(tiny_bundle, tmp_path, monkeypatch):
    from infer import bundle

    copy = _copy(tiny_bundle, tmp_path)
    weights = copy / "hf" / "base" / "model.safetensors"
    raw = bytearray(weights.read_bytes())
    raw[-10] ^= 0xFF
    weights.write_bytes(bytes(raw))
    monkeypatch.setattr(bundle, "FAST_HASH_LIMIT", 1024)  # as if the weights were GBs: fast checks sizes only
    Generator.open(copy, backend="torch").close()
    with pytest.raises(BundleError, match="hf/base/model.safetensors was modified"):
        Generator.open(copy, backend="torch", verify="full")


def test_missing_index_and_missing_file(tiny_bundle, tmp_path):
    copy = _copy(tiny_bundle, tmp_path)
    (copy / "edge" / "fp32" / "adapters" / "manual_qa.onnx_adapter").unlink()
    with pytest.raises(BundleError, match="missing edge/fp32/adapters/manual_qa.onnx_adapter"):
        Generator.open(copy, backend="edge")
    (copy / "bundle.json").unlink()
    (copy / "hf" / "base" / "config.json").rename(copy / "config.json.bak")
    with pytest.raises(BundleError, match="neither an export bundle"):
        Generator.open(copy)


def test_adapter_with_unsupported_lora_variant_is_refused(tiny_bundle, tmp_path):
    import json

    from infer.lora import AdapterError, read_adapter

    folder = tmp_path / "dora"
    shutil.copytree(tiny_bundle / "hf" / "adapters" / "manual_qa", folder)
    config = json.loads((folder / "adapter_config.json").read_text())
    config["use_dora"] = True
    (folder / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(AdapterError, match="DoRA adapters \\(use_dora=true\\) are not supported"):
        read_adapter(folder)

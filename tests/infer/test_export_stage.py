"""The export stage through the real CLI: curate stand-in -> real train -> customize-like -> export."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.support.lora_models import cli, generate_cli
from tests.support.train import artifact

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export")
    cli(root)
    return root


def test_bundle_has_every_part_and_parity_holds(exported):
    folder = artifact(exported, "export")
    manifest = json.loads((folder / "manifest.json").read_text())
    bundle = folder / "bundle"
    for part in ("hf/base/config.json", "hf/base/tokenizer.json", "hf/adapters/manual_qa/adapter_model.safetensors",
                 "trtllm/llm_api.yaml", "trtllm/launch.sh", "edge/fp32/model.onnx", "edge/int4/model.onnx",
                 "edge/int4/adapters/cockpit_commands.onnx_adapter", "quant/fp8/hf_quant_config.json", "bundle.json"):
        assert (bundle / part).is_file(), part
    parity = json.loads((folder / "parity.json").read_text())
    for adapter in ("base", "manual_qa", "cockpit_commands"):
        fp32 = parity["edge"]["fp32"][adapter]
        assert fp32["equal"] + fp32["near_tie"] == fp32["prompts"] == 4 and fp32["max_logit_diff"] < 1e-4
        assert parity["genai_run_time_adapters"][adapter] == "equal"
        assert "max_logit_diff" in parity["edge"]["int4"][adapter]
    assert set(parity["perplexity"]) == {"hf_fp32", "edge_fp32", "edge_int4", "modelopt_fp8"}
    assert abs(parity["perplexity_delta_pct"]["edge_fp32"]) < 0.01
    assert parity["rope_theta"]["fp8"]["ok"]
    metrics = manifest["metrics"]
    assert metrics["lora"]["max_lora_rank"] == 8
    assert metrics["lora"]["trtllm_target_modules"][:4] == ["attn_q", "attn_k", "attn_v", "attn_dense"]
    assert metrics["trtllm"]["validation"]["validated"] is (importlib.util.find_spec("tensorrt_llm") is not None)


def test_generate_streams_from_the_exported_bundle(exported):
    for adapter in ("manual_qa", "cockpit_commands"):
        proc = generate_cli(exported, "prompt=How do I open the charge port?", f"adapter={adapter}", "max_tokens=12")
        assert f"[edge, adapter {adapter}] " in proc.stderr and proc.stdout.strip()
    torch_run = generate_cli(exported, "prompt=The tyre pressure", "backend=torch", "chat=false", "max_tokens=12")
    edge_run = generate_cli(exported, "prompt=The tyre pressure", "backend=edge", "chat=false", "max_tokens=12")
    assert torch_run.stdout == edge_run.stdout and "[torch]" in torch_run.stderr


def test_generate_errors_are_one_line(exported, tmp_path):
    proc = generate_cli(exported, "prompt=Hi", "adapter=navigation", check=False)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines()[-1].startswith("error: unknown adapter 'navigation'")
    if importlib.util.find_spec("tensorrt_llm") is None:
        proc = generate_cli(exported, "prompt=Hi", "backend=trtllm", check=False)
        assert proc.returncode == 2 and "needs TensorRT-LLM" in proc.stderr.strip().splitlines()[-1]
    proc = generate_cli(tmp_path / "elsewhere", "prompt=Hi", check=False)  # no export artifact there
    assert proc.returncode == 1 and "no export artifact for this config" in proc.stderr

"""Export building blocks on tiny real models: LoRA math, merge, TensorRT-LLM options, quant checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch


def _logits(model, ids):
    with torch.inference_mode():
        return model(torch.tensor([ids])).logits[0].numpy()


def test_lora_delta_matches_peft_including_rslora(tiny_bundle, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    from infer.lora import read_adapter

    base = tiny_bundle / "hf" / "base"
    torch.manual_seed(3)
    model = get_peft_model(LlamaForCausalLM.from_pretrained(str(base)),
                           LoraConfig(r=4, lora_alpha=6, target_modules=["o_proj"], use_rslora=True, lora_dropout=0.0))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.3)
    model.save_pretrained(str(tmp_path / "rs"))
    adapter = read_adapter(tmp_path / "rs")
    layer = model.base_model.model.model.layers[1].self_attn.o_proj
    expected = (layer.lora_B["default"].weight @ layer.lora_A["default"].weight * layer.scaling["default"]).T
    assert np.allclose(adapter.delta(1, "o_proj"), expected.detach().numpy(), atol=1e-6)
    assert adapter.target_modules == ["o_proj"] and adapter.max_rank == 4


def test_merged_variant_equals_base_plus_adapter(tiny_bundle, tmp_path):
    from peft import PeftModel
    from transformers import LlamaForCausalLM

    from infer.lora import read_adapter
    from infer.merge import merge_adapter

    base = tiny_bundle / "hf" / "base"
    adapter_dir = tiny_bundle / "hf" / "adapters" / "cockpit_commands"
    merge_adapter(base, read_adapter(adapter_dir), tmp_path / "merged")
    ids = list(range(5, 40))
    peft = PeftModel.from_pretrained(LlamaForCausalLM.from_pretrained(str(base)), str(adapter_dir)).eval()
    merged = LlamaForCausalLM.from_pretrained(str(tmp_path / "merged")).eval()
    assert np.abs(_logits(merged, ids) - _logits(peft, ids)).max() < 1e-4
    assert (tmp_path / "merged" / "tokenizer.json").is_file()


def test_trtllm_options_name_modules_the_trtllm_way(tmp_path):
    import yaml

    from infer.config import TrtllmExportConfig
    from infer.trtllm import llm_options, write_bundle_part

    adapters = {"manual_qa": "hf/adapters/manual_qa", "cockpit_commands": "hf/adapters/cockpit_commands"}
    options = llm_options(TrtllmExportConfig(max_loras=1), 512, adapters, 16, ["q_proj", "gate_proj", "up_proj"])
    lora = options["lora_config"]
    assert lora["lora_target_modules"] == ["attn_q", "mlp_h_to_4h", "mlp_gate"]  # HF gate_proj is TRT-LLM's fc
    assert lora["trtllm_modules_to_hf_modules"]["mlp_gate"] == "up_proj"
    assert (lora["max_lora_rank"], lora["max_loras"], lora["max_cpu_loras"]) == (16, 1, 2)
    info = write_bundle_part(tmp_path / "trtllm", options, adapters, ["fp8"])
    written = yaml.safe_load((tmp_path / "trtllm" / "llm_api.yaml").read_text())
    assert written["lora_config"]["lora_dir"] == list(adapters.values())
    assert written["kv_cache_config"]["free_gpu_memory_fraction"] == 0.85 and written["max_seq_len"] == 512
    launch = (tmp_path / "trtllm" / "launch.sh").read_text()
    assert "trtllm-serve ${MODEL:-hf/base} --backend pytorch" in launch and "--extra_llm_api_options trtllm/llm_api.yaml" in launch
    assert info["adapters"]["cockpit_commands"]["lora_int_id"] == 1


def test_int4_awq_needs_dims_of_128():
    from infer.quantize import QuantizeError, check_formats

    check_formats(["fp8", "int8_wo"], {"hidden_size": 64, "intermediate_size": 128})
    with pytest.raises(QuantizeError, match="int4_awq but the model's \\{'hidden_size': 64\\} are not multiples of 128"):
        check_formats(["int4_awq"], {"hidden_size": 64, "intermediate_size": 128})


def test_rope_base_is_checked_and_written_flat(tmp_path):
    from infer.quant_worker import fix_rope

    (tmp_path / "config.json").write_text(json.dumps({"rope_parameters": {"rope_theta": 50000.0, "rope_type": "default"}}))
    result = fix_rope(tmp_path, 50000.0)
    assert result["ok"] and json.loads((tmp_path / "config.json").read_text())["rope_theta"] == 50000.0
    (tmp_path / "config.json").write_text(json.dumps({"rope_theta": 10000.0}))
    assert not fix_rope(tmp_path, 50000.0)["ok"]  # a silently dropped base is caught


def test_edge_builder_keeps_a_non_default_rope_base(tiny_bundle, edge):
    """The tiny model uses rope_theta 50000: greedy parity would break if the builder dropped it."""
    config = json.loads((tiny_bundle / "hf" / "base" / "config.json").read_text())
    assert config["rope_parameters"]["rope_theta"] == 50000.0
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(tiny_bundle / "edge" / "fp32" / "model.onnx"), load_external_data=False).graph
    names = {i.name for i in graph.initializer}
    assert "cos_cache" in names
    model = onnx.load(str(tiny_bundle / "edge" / "fp32" / "model.onnx"))
    cos = numpy_helper.to_array(next(i for i in model.graph.initializer if i.name == "cos_cache"))
    head_dim = config["head_dim"]
    inv_freq = 1.0 / (50000.0 ** (np.arange(0, head_dim, 2) / head_dim))
    assert np.allclose(cos[3], np.cos(3 * inv_freq), atol=1e-5)


def test_curated_rows_from_text_split_into_calibration_and_heldout(edge, tmp_path):
    from infer.quantize import HeldoutError, rows_from_text

    (tmp_path / "a.md").write_text("Charging the Kestrel EV7. " * 60)
    (tmp_path / "b.md").write_text("Tyre pressure and wheels. " * 60)
    calib, held, source = rows_from_text(tmp_path, edge.codec, 32, 3, 2)
    assert calib.shape == (3, 32) and held.shape == (2, 32) and "heldout_text" in source
    assert edge.codec.decode(list(held[0])).lower().count("tyre") >= 1
    (tmp_path / "bad.jsonl").write_text('{"text": "ok"}\nnot json\n')
    with pytest.raises(HeldoutError, match="bad.jsonl:2: not a JSON object"):
        rows_from_text(tmp_path / "bad.jsonl", edge.codec, 32, 3, 2)


def test_onnx_adapter_files_are_byte_identical_across_processes(tiny_bundle, tmp_path):
    """Re-made exports must hash the same (a killed export re-runs to the same digest): the
    adapter conversion may not depend on Python's per-process string hash order."""
    import os
    import subprocess
    import sys

    from tests.support import REPO

    script = (
        "import json, sys, onnx; from pathlib import Path\n"
        "from infer.edge_build import adapter_parameters, projections, write_onnx_adapter\n"
        "from infer.lora import read_adapter\n"
        "b = Path(sys.argv[1]); cfg = json.loads((b / 'hf/base/config.json').read_text())\n"
        "g = onnx.load(str(b / 'edge/fp32/model.onnx'), load_external_data=False).graph\n"
        "shapes = {i.name: tuple(i.dims) for i in g.initializer if i.name.startswith('lora.')}\n"
        "a = read_adapter(b / 'hf/adapters/cockpit_commands')\n"
        "write_onnx_adapter(adapter_parameters(a, cfg, shapes, projections(cfg, {n.name for n in g.node})), Path(sys.argv[2]))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.onnx_adapter"
        subprocess.run([sys.executable, "-c", script, str(tiny_bundle), str(out)], check=True, cwd=REPO,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == (tiny_bundle / "edge/fp32/adapters/cockpit_commands.onnx_adapter").read_bytes()

"""Greedy decoding of both local backends equals HF ``generate`` (with PEFT for adapters)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from infer.runtime import GenerationRequest, SamplingParams

PROMPTS = ["To charge the car at home,", "The tyre pressure warning", "Open the boot"]
CHAT = [{"role": "system", "content": "Answer from the manual."}, {"role": "user", "content": "How do I open the charge port?"}]
ADAPTERS = [None, "manual_qa", "cockpit_commands"]


def hf_model(bundle, adapter):
    from transformers import LlamaForCausalLM

    model = LlamaForCausalLM.from_pretrained(str(bundle / "hf" / "base"), dtype=torch.float32).eval()
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(bundle / "hf" / "adapters" / adapter)).eval()
    return model


def hf_greedy(model, ids, max_new, stop_ids):
    x = torch.tensor([ids])
    with torch.inference_mode():
        out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=max_new, do_sample=False,
                             eos_token_id=stop_ids, pad_token_id=stop_ids[0])[0, len(ids):].tolist()
    while out and out[-1] in stop_ids:
        out.pop()
    return out


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_greedy_tokens_equal_hf_generate(tiny_bundle, edge, torch_gen, adapter):
    from infer.runtime import encode_request

    model = hf_model(tiny_bundle, adapter)
    requests = [GenerationRequest(prompt=p, adapter=adapter, sampling=SamplingParams(max_tokens=24)) for p in PROMPTS]
    requests.append(GenerationRequest(messages=CHAT, adapter=adapter, sampling=SamplingParams(max_tokens=24)))
    for request in requests:
        ids = encode_request(edge.codec, request)
        expected = hf_greedy(model, ids, 24, edge.codec.stop_ids)
        assert len(expected) > 3  # a real continuation, not an immediate stop
        for gen in (edge, torch_gen):
            result = gen.generate(request)
            assert result.token_ids == expected, (gen.backend, adapter, request.prompt)
            assert result.prompt_tokens == len(ids) and result.completion_tokens == len(result.token_ids)


def test_adapters_change_the_output(edge):
    outputs = {a: edge.generate(GenerationRequest(prompt=PROMPTS[0], adapter=a)).token_ids for a in ADAPTERS}
    assert len({tuple(v) for v in outputs.values()}) == 3


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_edge_logits_match_hf(tiny_bundle, edge, adapter):
    from infer.edge_runner import EdgeRunner

    ids = edge.codec.encode(PROMPTS[1])
    with torch.inference_mode():
        expected = hf_model(tiny_bundle, adapter)(torch.tensor([ids])).logits[0].numpy()
    files = {n: tiny_bundle / f"edge/fp32/adapters/{n}.onnx_adapter" for n in ADAPTERS[1:]}
    runner = EdgeRunner(tiny_bundle / "edge" / "fp32", files, max_slots=1)
    got = runner.score(ids, 0 if adapter is None else list(files).index(adapter) + 1)
    assert np.abs(got - expected).max() < 1e-4


def test_onnxruntime_genai_switches_the_exported_adapters_at_run_time(tiny_bundle, edge):
    """The .onnx_adapter files work in onnxruntime-genai's own Generator, not only in ours."""
    import onnxruntime_genai as og

    ids = edge.codec.encode(PROMPTS[0])
    model = og.Model(str(tiny_bundle / "edge" / "fp32"))
    adapters = og.Adapters(model)
    for name in ADAPTERS[1:]:
        adapters.load(str(tiny_bundle / f"edge/fp32/adapters/{name}.onnx_adapter"), name)
    for name in ADAPTERS:
        params = og.GeneratorParams(model)
        params.set_search_options(do_sample=False, max_length=len(ids) + 12)
        generator = og.Generator(model, params)
        if name:
            generator.set_active_adapter(adapters, name)
        generator.append_tokens(np.asarray(ids, dtype=np.int32))
        tokens = []
        while not generator.is_done():
            generator.generate_next_token()
            tokens.append(int(generator.get_next_tokens()[0]))
        ours = edge.generate(GenerationRequest(prompt=PROMPTS[0], adapter=name, sampling=SamplingParams(max_tokens=12)))
        assert [t for t in tokens if t not in edge.codec.stop_ids] == ours.token_ids, name
        del generator


@pytest.mark.parametrize("fixed_shapes", [False, True])
def test_fused_layers_give_the_logits_of_hf_modules(tiny_hf, fixed_shapes):
    """The fused layer path (QKV / gate+up GEMMs, fused RMSNorm, grouped decode attention) against
    HF's modules, prefill and decode, one batch mixing the base and both adapters; fixed_shapes runs
    the CUDA-graph step's padded batch and context buckets (uncaptured on CPU)."""
    compare_fused_to_modules(tiny_hf, "cpu", fixed_shapes, tolerance=1e-5)


def compare_fused_to_modules(root, device: str, fixed_shapes: bool, tolerance: float) -> None:
    """Also run on a GPU by tests/infer/test_runtime_gpu.py."""
    from infer.lora import adapter_folders, read_adapter
    from infer.textio import Codec
    from infer.torch_runner import TorchRunner

    base = root / "hf" / "base"
    adapters = [read_adapter(path, name) for name, path in adapter_folders(root / "hf" / "adapters").items()]
    fused, plain = (TorchRunner(base, adapters, max_slots=4, max_len=128, device=device, dtype="fp32", fused=f,
                                cuda_graphs=fixed_shapes, threads=1) for f in (True, False))
    assert fused.fused is not None and plain.fused is None
    prompts = [Codec(base).encode(p) for p in PROMPTS]
    rows = [0, 1, 2]  # base, manual_qa, cockpit_commands
    tokens = []
    for slot, (ids, adapter) in enumerate(zip(prompts, rows)):
        a, b = fused.prefill(slot, ids, adapter).logits, plain.prefill(slot, ids, adapter).logits
        assert torch.allclose(a, b, atol=tolerance, rtol=tolerance), (slot, (a - b).abs().max())
        tokens.append(int(a.argmax()))
    lengths = [len(ids) for ids in prompts]
    for _ in range(6):
        a, b = fused.decode(tokens, lengths, rows), plain.decode(tokens, lengths, rows)
        assert torch.allclose(a.logits, b.logits, atol=tolerance, rtol=tolerance), (a.logits - b.logits).abs().max()
        tokens, lengths = [int(t) for t in a.argmax()], [n + 1 for n in lengths]

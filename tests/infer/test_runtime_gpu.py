"""GPU: the torch backend's CUDA-graph (and compiled) decode equals its eager decode."""

from __future__ import annotations

import threading

import pytest

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]


def _run_all(gen, requests):
    results: list = [None] * len(requests)
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, gen.generate(requests[i])))
               for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return [r.token_ids for r in results]


@pytest.mark.parametrize("compile_step", [False, True])
def test_cuda_graph_decode_equals_eager(tiny_hf, compile_step):
    from infer.runtime import GenerationRequest, Generator, SamplingParams

    names = [None, "manual_qa", "cockpit_commands"]
    requests = [GenerationRequest(prompt="Open the boot " * (1 + i % 3), adapter=names[i % 3],
                                  sampling=SamplingParams(max_tokens=8 + 4 * (i % 4))) for i in range(10)]
    model = {"bundle": tiny_hf / "hf" / "base", "adapters": tiny_hf / "hf" / "adapters"}
    with Generator.open(model["bundle"], backend="torch", adapters=model["adapters"], device="cuda", dtype="fp32",
                        cuda_graphs=False) as eager:
        expected = [eager.generate(r).token_ids for r in requests]
    with Generator.open(model["bundle"], backend="torch", adapters=model["adapters"], device="cuda", dtype="fp32",
                        cuda_graphs=True, compile=compile_step) as graphs:
        assert _run_all(graphs, requests) == expected
        assert graphs._engine.scheduler.runner._graphs  # graphs were captured and replayed


@pytest.mark.parametrize("graphs", [False, True])
def test_fused_layers_give_the_logits_of_hf_modules_on_the_gpu(tiny_hf, graphs):
    from tests.infer.test_runtime_parity import compare_fused_to_modules

    compare_fused_to_modules(tiny_hf, "cuda", graphs, tolerance=1e-4)

"""Fixtures of the runtime tests: one tiny real model with two adapters, exported once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.lora_models import make_adapters, make_model


@pytest.fixture(scope="session")
def tiny_hf(tmp_path_factory) -> Path:
    """hf/base (a tiny random Llama + tokenizer) and hf/adapters/<2 PEFT adapters>."""
    root = tmp_path_factory.mktemp("bundle")
    make_adapters(make_model(root / "hf" / "base", hidden=64, layers=2, max_len=128), root / "hf" / "adapters")
    return root


@pytest.fixture(scope="session")
def tiny_bundle(tiny_hf, tmp_path_factory) -> Path:
    """The bundle: hf/ plus edge/fp32 (with .onnx_adapter files) and bundle.json."""
    from infer.bundle import write_index
    from infer.edge_build import build_edge
    from infer.lora import adapter_folders, read_adapter
    from infer.textio import Codec

    root = tiny_hf
    base = root / "hf" / "base"
    folders = adapter_folders(root / "hf" / "adapters")
    adapters = [read_adapter(path, name) for name, path in folders.items()]
    build_edge(base, root / "edge" / "fp32", "fp32", adapters, tmp_path_factory.mktemp("work"), Codec(base).stop_ids)
    write_index(root, {
        "model_name": "tiny", "adapters": list(folders),
        "hf": {"base": "hf/base", "adapters": {n: f"hf/adapters/{n}" for n in folders}},
        "edge": {"fp32": {"path": "edge/fp32", "adapters": {n: f"edge/fp32/adapters/{n}.onnx_adapter" for n in folders}}},
    })
    return root


@pytest.fixture(scope="session")
def edge(tiny_bundle):
    from infer.runtime import Generator

    with Generator.open(tiny_bundle, backend="edge", max_batch=8, threads=1) as gen:
        yield gen


@pytest.fixture(scope="session")
def torch_gen(tiny_bundle):
    from infer.runtime import Generator

    with Generator.open(tiny_bundle, backend="torch", max_batch=8, threads=1) as gen:
        yield gen


@pytest.fixture(params=["edge", "torch"])
def gen(request, edge, torch_gen):
    return edge if request.param == "edge" else torch_gen

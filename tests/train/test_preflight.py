"""train/preflight.py: the checks made before any stage of a run (the CLI path is in test_train_stage.py)."""

import pytest

from train.config import ModelConfig, TrainConfig
from train.preflight import check

MODEL = ModelConfig(name="t", vocab_size=384, hidden_size=64, intermediate_size=128, num_layers=2, num_heads=4,
                    num_kv_heads=2, max_seq_len=128)


def test_the_sequence_length_is_checked_against_the_model_section_unless_the_model_comes_from_a_folder():
    check({"train": TrainConfig(seq_len=128), "model": MODEL})
    with pytest.raises(ValueError, match=r"train.seq_len=256 exceeds the model's max_seq_len=128"):
        check({"train": TrainConfig(seq_len=256), "model": MODEL})
    # train.init_from: the folder's config decides; the stage checks it once loaded
    check({"train": TrainConfig(seq_len=256, init_from="/some/hf/folder"), "model": MODEL})


def test_te_on_an_explicit_cpu_device_fails_without_asking_torch():
    cfg = TrainConfig(precision="fp8", device="cpu", seq_len=128)
    cfg.fp8.backend = "te"
    with pytest.raises(ValueError, match="train.fp8.backend=te: device is cpu"):
        check({"train": cfg, "model": MODEL})
    cfg.fp8.backend = "emulated"
    check({"train": cfg, "model": MODEL})

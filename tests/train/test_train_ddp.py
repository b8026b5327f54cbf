"""torchrun: 2 DDP processes (gloo, CPU) reproduce 1 process with the same global batch; the runner's
rules for multi-process runs (one commit, shared decision, upstream must be up to date); FP8's amax
all-reduce keeps every rank's recipe state identical."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

from tests.support import REPO
from tests.support.cli import run_cli
from tests.support.train import artifact, command, losses


TORCHRUN = ("-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2")
ONE_THREAD = {"OMP_NUM_THREADS": "1"}


def run(args: list[str], env: dict | None = None, check: bool = True, launcher: tuple[str, ...] = ()):
    return run_cli(*args, env={**ONE_THREAD, **(env or {})}, check=check, timeout=1500, launcher=launcher)


def test_two_processes_match_one_process_with_the_same_global_batch(tmp_path):
    common = ["train.steps=12", "train.eval_every=6", "train.checkpoint_every=6", "train.micro_batch_size=4"]
    run(command(tmp_path / "one", *common, "train.grad_accum=2"))
    run(command(tmp_path / "two", stage="curate"))  # upstream first, without torchrun
    proc = run(command(tmp_path / "two", *common, "train.grad_accum=1"), launcher=TORCHRUN)
    one, two = artifact(tmp_path / "one"), artifact(tmp_path / "two")
    metrics = json.loads((two / "manifest.json").read_text())["metrics"]
    assert metrics["world_size"] == 2 and metrics["global_batch"] == 8
    names = [p.name for p in (tmp_path / "two" / "artifacts" / "train").iterdir()]
    assert [n for n in names if not n.startswith(".")] == [two.name]  # one artifact, committed once
    assert not [n for n in names if n.startswith((".tmp-", ".work-"))]  # no temp or work folder left
    a, b = losses(one / "metrics.jsonl"), losses(two / "metrics.jsonl")
    assert [r[:2] for r in a] == [r[:2] for r in b]
    assert max(abs(x[2] - y[2]) for x, y in zip(a, b)) < 1e-5, list(zip(a, b))
    assert "running as rank 1 of 2" in proc.stderr


def test_upstream_must_be_up_to_date_under_torchrun(tmp_path):
    proc = run(command(tmp_path), env={"WORLD_SIZE": "2", "RANK": "0"}, check=False)
    assert proc.returncode == 1
    assert ("under torchrun (WORLD_SIZE=2) upstream stage 'curate' must be up to date first (missing: never made); "
            "run `python -m pipeline run stage=curate` once without torchrun") in proc.stderr
    assert not (tmp_path / "artifacts" / "train").exists()


def test_fp8_amax_all_reduce_runs_inside_ddp_without_deadlock(tmp_path):
    run(command(tmp_path, stage="curate"))
    run(command(tmp_path, "train.steps=3", "train.eval_every=3", "train.precision=fp8",
                "train.fp8.amax_history_len=4"), launcher=TORCHRUN)
    out = artifact(tmp_path)
    metrics = json.loads((out / "manifest.json").read_text())["metrics"]
    assert metrics["world_size"] == 2 and metrics["fp8_backend"] == "emulated" and metrics["fp8_recipe"]["reduce_amax"]


def test_fp8_reduce_amax_keeps_every_ranks_recipe_state_identical(tmp_path):
    """Ranks read different rows, so their activation and gradient amaxes differ: with reduce_amax the
    all-reduce MAX makes every rank's histories and scales equal; without it they drift apart."""
    subprocess.run([sys.executable, *TORCHRUN, "-m", "tests.train.test_train_ddp", str(tmp_path)], cwd=REPO,
                   env={**os.environ, **ONE_THREAD}, check=True, capture_output=True, timeout=1500)
    for reduce in (True, False):
        rank0, rank1 = (torch.load(tmp_path / f"reduce-{reduce}-rank-{r}.pt", weights_only=True)
                        for r in (0, 1))
        assert len(rank0) == 14 * 4 and rank0.keys() == rank1.keys()  # 7 projections x 2 layers, 4 buffers
        histories = [k for k in rank0 if k.endswith("fp8_fwd_history")]
        # Weights stay in sync under DDP, so their amaxes agree either way.
        assert all(torch.equal(rank0[k][:, 1], rank1[k][:, 1]) for k in histories)
        if reduce:
            for name in rank0:
                assert torch.equal(rank0[name], rank1[name]), name
            assert all(rank0[k].abs().sum() > 0 for k in rank0 if "history" in k)  # the recipe really ran
            assert all((rank0[k] != 1.0).all() for k in rank0 if k.endswith("scale"))
            # The final checkpoint (written by rank 0 alone) holds this shared state.
            saved = torch.load(tmp_path / "ckpt-True" / "step-0000004" / "model.pt", weights_only=True)
            assert all(torch.equal(saved[name], rank0[name]) for name in rank0)
        else:
            differ = [k for k in histories if not torch.equal(rank0[k][:, 0], rank1[k][:, 0])]
            assert len(differ) == len(histories), differ  # every layer's input amax is rank-local
            grads = [k for k in rank0 if k.endswith("fp8_bwd_history")]
            assert any(not torch.equal(rank0[k], rank1[k]) for k in grads)


def _save_fp8_rank_states(out: Path) -> None:
    """The worker of the test above (run under torchrun): trains one tiny model in FP8 per reduce_amax
    setting, each rank reading its own rows, and saves each rank's FP8 buffers."""
    import numpy as np

    from train.core import distributed
    from train import model as llama
    from train.config import FP8Config, ModelConfig, TrainConfig
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog
    from train.packing import PackedRows

    torch.set_num_threads(1)
    world = distributed.init("cpu")
    shape = ModelConfig(name="t", vocab_size=256, hidden_size=64, intermediate_size=128, num_layers=2,
                        num_heads=4, num_kv_heads=2, max_seq_len=32)
    rows = PackedRows([np.random.default_rng(0).integers(0, 256, (64, 33))], 32)
    for reduce in (True, False):
        cfg = TrainConfig(steps=4, seq_len=32, micro_batch_size=4, precision="fp8", eval_every=10**6,
                          checkpoint_every=10**6, eval_rows=8, threads=1)
        cfg.fp8 = FP8Config(backend="emulated", amax_history_len=4, reduce_amax=reduce)
        model = llama.create(llama.llama_config(shape, shape.vocab_size, 0, 1, 2), 3)
        loop = TrainLoop(cfg, LoopInputs(model, rows, rows, world, out / f"ckpt-{reduce}",
                                         MetricsLog(out / "metrics.jsonl", enabled=False), 1.0, None))
        loop.run()
        state = {k: v for k, v in loop.model.state_dict().items() if ".fp8_" in k}
        torch.save(state, out / f"reduce-{reduce}-rank-{world.rank}.pt")
    distributed.shutdown(world)


if __name__ == "__main__":
    _save_fp8_rank_states(Path(sys.argv[1]))

"""The megatron engine end to end on CPU, in a venv that has megatron-core (not the project's CI).

megatron-core does not support CPUs: this script patches the spots that call CUDA unconditionally
(``torch.cuda.current_device()`` in RoPE / attention / buffers, ``device="cuda"`` tensors in the
optimizer, the CUDA RNG tracker's fork, the causal-mask helper) so that a tiny Llama runs through
the real GPTModel, schedules (no pipelining and 1F1B), DDP, optimizer (fp32, not the distributed
one: its bf16 / sharded paths insist on CUDA tensors) and our checkpoints, with gloo. It checks
what the GPU tests check, where a CPU can: GPTModel logits = HF logits (weights mapped by
train/megatron_map.py), training, an exact resume, the HF export, and the native engine's losses
for the same initial weights and rows. Tied embeddings with pp > 1 do not run on CPU (megatron
all-reduces the shared embedding with ``.cuda()`` at construction).

    python3 -m venv /tmp/mvenv && /tmp/mvenv/bin/pip install torch==2.13.0 megatron-core==0.16.1 \\
        transformers==5.24.0 safetensors numpy pyyaml tqdm
    /tmp/mvenv/bin/python benchmarks/megatron_cpu_check.py                     # tp = pp = 1
    TP=2 /tmp/mvenv/bin/python -m torch.distributed.run --standalone --nproc_per_node 2 benchmarks/megatron_cpu_check.py
    PP=2 /tmp/mvenv/bin/python -m torch.distributed.run --standalone --nproc_per_node 2 benchmarks/megatron_cpu_check.py

megatron-core 0.19.2 (the GPU machine's; its wheel is cp312-only but imports on 3.11) the same way:
unzip .whl/megatron_core-0.19.2-*.whl into a folder F, ``/tmp/mvenv/bin/pip install triton`` (0.19
imports it), then run the commands above with ``PYTHONPATH=F``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def patch_megatron_for_cpu() -> None:
    import torch

    torch.cuda.current_device = lambda: "cpu"
    torch.cuda.synchronize = lambda *a, **k: None
    torch.cuda.current_stream = lambda *a, **k: None  # 0.19 asks for it in every grad sync (CUDA graphs)

    def on_cpu(factory):
        @functools.wraps(factory)
        def inner(*args, **kwargs):
            if str(kwargs.get("device", "")).startswith("cuda"):
                kwargs["device"] = "cpu"
            return factory(*args, **kwargs)

        return inner

    for name in (
        "tensor",
        "zeros",
        "ones",
        "empty",
        "full",
        "arange",
        "zeros_like",
        "empty_like",
        "ones_like",
    ):
        setattr(torch, name, on_cpu(getattr(torch, name)))
    import megatron.core.fusions.fused_softmax as fused_softmax
    import megatron.core.transformer.utils as utils
    from megatron.core import tensor_parallel

    def causal(sq, skv=None):
        skv = skv or sq
        return torch.triu(torch.ones(sq, skv), diagonal=1 + skv - sq).bool()

    utils.get_default_causal_mask = fused_softmax.get_default_causal_mask = causal
    tensor_parallel.get_cuda_rng_tracker().fork = lambda *a, **k: contextlib.nullcontext()


def main() -> None:
    from train import megatron_engine as engine

    patch_megatron_for_cpu()
    with engine.process_group("cpu"):  # one group for both runs (gloo cannot rejoin a torchrun group)
        check()


def check() -> None:
    import numpy as np
    import torch

    from train import megatron_engine as engine
    from train import model as llama
    from train.config import ModelConfig, ParallelConfig, TrainConfig
    from train.core.distributed import World
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog, read
    from train.packing import PackedRows

    torch.set_num_threads(1)
    tp, pp, tie = int(os.environ.get("TP", "1")), int(os.environ.get("PP", "1")), os.environ.get("TIE") == "1"
    model_cfg = ModelConfig(
        name="t",
        vocab_size=512,
        hidden_size=64,
        intermediate_size=128,
        num_layers=2,
        num_heads=4,
        num_kv_heads=2,
        max_seq_len=128,
        tie_embeddings=tie,
    )
    hf = llama.create(llama.llama_config(model_cfg, 512, 0, 1, 2), 1234)
    base = np.random.default_rng(0).integers(0, 512, 33)
    rows = PackedRows([np.stack([np.roll(base, i) for i in range(64)]).astype(np.int64)], 32)
    cfg = TrainConfig(
        steps=12,
        seq_len=32,
        micro_batch_size=4,
        grad_accum=2,
        precision="fp32",
        eval_every=6,
        checkpoint_every=6,
        eval_rows=8,
        engine="megatron",
        parallel=ParallelConfig(tp=tp, pp=pp, distributed_optimizer=False),
    )
    cfg.optim.lr, cfg.optim.warmup_steps, cfg.optim.grad_clip = 3e-3, 2, 0.0  # clipping asserts CUDA grads
    # one folder for all ranks of a torchrun launch (its run id), or for this process
    run_id = os.environ.get("TORCHELASTIC_RUN_ID", str(os.getpid()))
    root = Path(os.environ.get("OUT") or Path(tempfile.gettempdir()) / f"megatron-cpu-{run_id}")
    ids = torch.tensor(base[:32]).unsqueeze(0)

    def losses(folder: Path) -> list[tuple[str, int, float]]:
        return [(r["kind"], r["step"], round(r["loss"], 5)) for r in read(folder / "metrics.jsonl")]

    with engine.single_run(cfg, hf, rows, rows, root / "a", device="cpu", use_te=False) as trainer:
        layout = trainer.layout
        if pp == 1:
            trainer.ddp.eval()
            with torch.no_grad():
                ours = trainer.ddp(ids, torch.arange(32).unsqueeze(0), None)
                vocab = ours.shape[-1]
                reference = hf.eval()(ids).logits[..., layout.tp_rank * vocab : (layout.tp_rank + 1) * vocab]
            error = ((ours - reference).abs().max() / reference.abs().max()).item()
            print(
                f"rank {layout.rank}: GPTModel vs HF logits (its vocabulary shard), max rel error {error:.2e}"
            )
            trainer.ddp.train()
        trainer.run()
    straight = losses(root / "a") if layout.is_main else []
    if layout.is_main:
        shutil.copytree(root / "a", root / "b")
        shutil.rmtree(root / "b" / "ckpt" / "step-0000012")
    resumed_cfg = copy.deepcopy(cfg)
    with engine.single_run(resumed_cfg, hf, rows, rows, root / "b", device="cpu", use_te=False) as trainer:
        assert trainer.resume() and trainer.step == 6
        trainer.run()
    if not layout.is_main:
        return
    print("megatron:", straight)
    print("resumed at step 6, identical losses:", losses(root / "b") == straight)
    state = engine.hf_state_from_checkpoint(root / "a" / "ckpt" / "step-0000012", trainer.plan.shape)
    exported = engine.to_hf_model(hf.config, state).eval()
    batch = torch.as_tensor(rows.batch(np.arange(8))["input_ids"]).long()
    with torch.no_grad():
        logits = exported(batch[:, :-1]).logits
    val = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1)
    ).item()
    print(
        f"exported HF model's loss on the evaluation rows {val:.5f}, the engine's last validation loss {straight[-1][2]}"
    )
    native_cfg = copy.deepcopy(cfg)
    native_cfg.engine, native_cfg.parallel = "native", ParallelConfig()
    loop = TrainLoop(
        native_cfg,
        LoopInputs(
            hf,
            rows,
            rows,
            World(0, 1, 0, torch.device("cpu")),
            root / "native",
            MetricsLog(root / "native.jsonl"),
            1.0,
            None,
        ),
    )
    (root / "native").mkdir(exist_ok=True)
    loop.run()
    native = [(r["kind"], r["step"], round(r["loss"], 5)) for r in read(root / "native.jsonl")]
    print("native:  ", native)
    worst = max(abs(a[2] - b[2]) / b[2] for a, b in zip(straight, native))
    print(f"megatron vs native engine, same weights and rows: max relative loss difference {worst:.2%}")


if __name__ == "__main__":
    main()

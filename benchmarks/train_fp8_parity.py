"""FP8 vs bf16 loss parity: the same model, data, seed and steps, trained twice with our loop.

Data: the embedded owner's manual (data/manual), BPE-tokenized and packed as the train stage does.
Prints the final train loss (mean of the last 10 steps) and the validation loss of both runs, and
the FP8/bf16 ratio (goal: within 1%).

    python benchmarks/train_fp8_parity.py --preset small --steps 200      # GPU: TE backend
    python benchmarks/train_fp8_parity.py --preset tiny --steps 20 --seq-len 128 --micro 4   # CPU: emulated
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--micro", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--history", type=int, default=1024)
    args = parser.parse_args()
    from train.fp8 import preload_te

    preload_te()  # before CUDA libraries load (see train/fp8.py)

    import torch

    from benchmarks.train_gpu import preset
    from train import model as llama
    from train import tokenizer as tok
    from train.config import FP8Config, TrainConfig
    from train.corpus import Document
    from train.distributed import World
    from train.loop import LoopInputs, TrainLoop
    from train.metrics import MetricsLog, read
    from train.packing import PackedRows, pack_documents

    sys.path.insert(0, str(REPO / "tests"))
    from train_support import manual_sections

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model_cfg = preset(args.preset)
    docs = manual_sections()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        tokenizer = tok.train_bpe([t for _, t in docs], 8192)
        pack_documents((Document(i, t) for i, t in docs),
                       lambda texts: [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)],
                       tok.eos_id(tokenizer), 8192, args.seq_len, 1234, 0.05, tmp / "data")
        train_rows, val_rows = PackedRows.open(tmp / "data", "train"), PackedRows.open(tmp / "data", "val")
        for precision in ("bf16", "fp8"):
            cfg = TrainConfig(steps=args.steps, seq_len=args.seq_len, micro_batch_size=args.micro,
                              precision=precision, eval_every=args.steps, checkpoint_every=10**9,
                              eval_rows=min(64, len(val_rows)))
            cfg.optim = dataclasses.replace(cfg.optim, lr=args.lr, warmup_steps=max(1, args.steps // 10))
            cfg.fp8 = FP8Config(backend=args.backend, amax_history_len=args.history)
            config = llama.llama_config(model_cfg, max(model_cfg.vocab_size, 8192), 0, 1, 2)
            log = tmp / f"{precision}.jsonl"
            loop = TrainLoop(cfg, LoopInputs(llama.create(config, 1234), train_rows, val_rows,
                                             World(0, 1, 0, device), tmp / f"ckpt-{precision}", MetricsLog(log),
                                             1.0, None))
            loop.io.checkpoint_dir.mkdir()
            loop.save = lambda: None  # parity only: no checkpoint files
            started = time.perf_counter()
            loop.run()
            records = read(log)
            train = [r["loss"] for r in records if r["kind"] == "train"]
            val = [r["loss"] for r in records if r["kind"] == "val"]
            results[precision] = {
                "train_last10": statistics.mean(train[-10:]), "val_first": val[0], "val_last": val[-1],
                "seconds": time.perf_counter() - started,
                "backend": loop.fp8.backend if loop.fp8 else "-",
            }
    print(f"\n{args.preset}, {args.steps} steps, batch {args.micro} x {args.seq_len}, lr {args.lr}, "
          f"{torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}")
    print(f"{'precision':>9} {'backend':>8} {'train(last10)':>13} {'val first':>9} {'val last':>9} {'seconds':>8}")
    for precision, r in results.items():
        print(f"{precision:>9} {r['backend']:>8} {r['train_last10']:>13.4f} {r['val_first']:>9.4f} "
              f"{r['val_last']:>9.4f} {r['seconds']:>8.1f}")
    ratio = results["fp8"]["train_last10"] / results["bf16"]["train_last10"]
    val_ratio = results["fp8"]["val_last"] / results["bf16"]["val_last"]
    print(f"fp8 / bf16: train {ratio:.4f} ({(ratio - 1) * 100:+.2f}%), val {val_ratio:.4f} ({(val_ratio - 1) * 100:+.2f}%)")


if __name__ == "__main__":
    main()

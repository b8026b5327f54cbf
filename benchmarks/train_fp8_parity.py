"""FP8 vs bf16 loss parity: the same model, data, seed and steps, trained with our loop in bf16 and
in FP8 once per amax history length (``--history 1024,16``).

Data (``--data``):
  manual  the embedded owner's manual (data/manual), BPE-tokenized and packed as the train stage does
          (55 k tokens: 200 steps of 16 x 512 are ~30 epochs, so both runs memorise it);
  markov  rows sampled from a seeded, learnable Markov source (``MarkovSource``) that never repeats:
          exactly steps x batch training rows, each seen once, and validation rows from another
          random stream of the same source. Its entropy rate is the best achievable loss.
Prints the final train loss (mean of the last 10 steps) and the validation losses of each run, and
the FP8/bf16 ratios (goal: within 1%).

    python benchmarks/train_fp8_parity.py --preset small --steps 200 --data markov --backend te \
        --val-rows 256 --history 1024,1  # GPU
    python benchmarks/train_fp8_parity.py --preset tiny --steps 30 --seq-len 128 --micro 4 --data markov \
        --backend emulated  # CPU
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

BURN_IN = 64  # steps each chain runs before a row is recorded, so rows start near the stationary mix


class MarkovSource:
    """An order-2 Markov chain over ``vocab`` tokens with sparse Zipf transitions.

    After tokens (a, b) the next token is one of ``successors`` distinct candidates, chosen by a
    fixed random table indexed by (b, a % classes), with Zipf weights 1/rank**zipf over the
    candidates. The table draws token id i with probability ~ 1/(i+1)**token_zipf, so token
    frequencies follow Zipf's law as in text: frequent contexts are learnt early, rare ones late
    (with uniform tokens a model gains nothing from unigram statistics and, over a 32k vocabulary,
    sees each context too rarely to learn it in a short run). Every context has the same
    conditional entropy, so the entropy rate is exactly the entropy of the Zipf weights. With
    ``classes`` > 1 the token two back matters: a model that uses only the previous token can do
    no better than ``floors()["previous_token"]``; ``classes`` = 1 is an order-1 chain. The table
    is fixed by ``seed``; each call of ``rows`` draws from its own numbered random stream, so
    train and validation rows are disjoint samples of one language.
    """

    def __init__(self, vocab: int, successors: int, zipf: float, classes: int, seed: int,
                 token_zipf: float = 1.0):
        import numpy as np

        if not 1 <= successors <= vocab // 2 or classes < 1:
            raise ValueError(f"--markov-successors={successors} must be in 1..{vocab // 2} (half the "
                             f"vocabulary) and --markov-classes={classes} >= 1")
        self.vocab, self.classes, self.seed = vocab, classes, seed
        rng = np.random.default_rng([seed, 0])
        token_cdf = np.cumsum(1.0 / np.arange(1, vocab + 1) ** token_zipf)
        token_cdf /= token_cdf[-1]

        def draw(shape):
            return np.minimum(np.searchsorted(token_cdf, rng.random(shape)), vocab - 1)

        table = draw((vocab * classes, successors))
        while True:  # redraw the contexts whose candidates collide: the entropy rate stays exact
            ordered = np.sort(table, axis=1)
            bad = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
            if not len(bad):
                break
            table[bad] = draw((len(bad), successors))
        self.table = table
        weights = 1.0 / np.arange(1, successors + 1) ** zipf
        self.probs = weights / weights.sum()
        self.cdf = np.cumsum(self.probs)
        self.entropy_rate = float(-(self.probs * np.log(self.probs)).sum())

    def rows(self, count: int, length: int, stream: int):
        """``count`` rows of ``length`` tokens, each from its own chain, vectorised across rows."""
        import numpy as np

        rng = np.random.default_rng([self.seed, 1, stream])
        a, b = rng.integers(0, self.vocab, count), rng.integers(0, self.vocab, count)
        out = np.empty((count, length), dtype=np.uint16 if self.vocab <= 2**16 else np.uint32)
        for t in range(BURN_IN + length):
            rank = np.minimum(np.searchsorted(self.cdf, rng.random(count)), len(self.cdf) - 1)
            a, b = b, self.table[b * self.classes + a % self.classes, rank]
            if t >= BURN_IN:
                out[:, t - BURN_IN] = b
        return out

    def floors(self, per_context: int = 64) -> dict[str, float]:
        """Best losses of predictors that see less than the source: the previous token only
        (H(next | b), with P(a % classes | b) counted) and no context (the unigram entropy), both
        measured on a sample of their own with ``per_context`` tokens per table row on average
        (a few would bias the plug-in entropies low)."""
        import numpy as np

        chains = 4096
        rows = self.rows(chains, max(2, -(-self.vocab * self.classes * per_context // chains)), stream=2)
        a, b = rows[:, :-1].ravel().astype(np.int64), rows[:, 1:].ravel().astype(np.int64)
        pairs = np.bincount(b * self.classes + a % self.classes, minlength=self.vocab * self.classes)
        pairs = pairs.reshape(self.vocab, self.classes).astype(np.float64)
        contexts = np.flatnonzero(pairs.sum(1) > 0)
        seen = pairs[contexts].sum(1)
        mix = pairs[contexts] / seen[:, None]  # P(class | b) for every b seen as a context
        # P(next | b) = sum over classes of P(class | b) x Zipf over that class's candidates; candidate
        # sets of different classes may share tokens, so the mass is summed per (b, token) key.
        tokens = self.table.reshape(self.vocab, self.classes, -1)[contexts]
        mass = mix[:, :, None] * self.probs[None, None, :]
        keys = np.arange(len(contexts))[:, None, None] * self.vocab + tokens
        unique, inverse = np.unique(keys.ravel(), return_inverse=True)
        p = np.bincount(inverse, weights=mass.ravel())
        terms = -p * np.log(np.where(p > 0, p, 1.0))  # a class never seen before b carries no mass
        entropy = np.bincount(unique // self.vocab, weights=terms, minlength=len(contexts))
        counts = np.bincount(b, minlength=self.vocab)
        unigram = counts[counts > 0] / counts.sum()
        return {"previous_token": float((entropy * seen).sum() / seen.sum()),
                "unigram": float(-(unigram * np.log(unigram)).sum())}


def manual_data(tmp: Path, seq_len: int):
    from train import tokenizer as tok
    from train.corpus import Document
    from train.packing import PackedRows, pack_documents

    from tests.support.train import manual_sections

    docs = manual_sections(REPO / "data" / "manual")
    tokenizer = tok.train_bpe([t for _, t in docs], 8192)
    pack_documents((Document(i, t) for i, t in docs),
                   lambda texts: [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)],
                   tok.eos_id(tokenizer), 8192, seq_len, 1234, 0.05, tmp / "data")
    return PackedRows.open(tmp / "data", "train"), PackedRows.open(tmp / "data", "val"), None


def markov_data(args, vocab: int, train_count: int, val_count: int):
    """Rows for both precisions (the same arrays), the validation rows from a separate stream."""
    from train.packing import PackedRows

    started = time.perf_counter()
    source = MarkovSource(vocab, args.markov_successors, args.markov_zipf,
                          args.markov_classes, args.data_seed, args.markov_token_zipf)
    train = source.rows(train_count, args.seq_len + 1, stream=0)
    val = source.rows(val_count, args.seq_len + 1, stream=1)
    info = {"entropy_rate": source.entropy_rate, **source.floors()}
    # A row's first target has no visible token two back: its best loss is the previous-token one.
    info["best"] = ((args.seq_len - 1) * source.entropy_rate + info["previous_token"]) / args.seq_len
    print(f"markov source: order {2 if source.classes > 1 else 1}, {source.vocab} tokens (frequency "
          f"Zipf {args.markov_token_zipf}), {args.markov_successors} successors per context (Zipf "
          f"{args.markov_zipf}), {source.classes} classes, seed {args.data_seed}: {train_count} train + "
          f"{val_count} val rows of {args.seq_len + 1} tokens in {time.perf_counter() - started:.1f} s")
    print(f"  entropy rate {info['entropy_rate']:.4f} nats (best achievable loss at seq {args.seq_len}: "
          f"{info['best']:.4f}); previous token only {info['previous_token']:.4f}; "
          f"no context (unigram) {info['unigram']:.4f}")
    return PackedRows([train], args.seq_len), PackedRows([val], args.seq_len), info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--micro", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--history", default="1024",
                        help="amax history lengths, comma-separated: one fp8 run each against one bf16 run")
    parser.add_argument("--amax-algo", choices=("max", "most_recent"), default="max")
    parser.add_argument("--data", choices=("manual", "markov"), default="manual")
    parser.add_argument("--data-seed", type=int, default=7, help="markov: the source's table and streams")
    parser.add_argument("--markov-successors", type=int, default=8, help="markov: candidates per context")
    parser.add_argument("--markov-zipf", type=float, default=1.0,
                        help="markov: Zipf exponent over a context's candidates")
    parser.add_argument("--markov-token-zipf", type=float, default=1.0,
                        help="markov: Zipf exponent of token frequencies (0: uniform)")
    parser.add_argument("--markov-classes", type=int, default=4,
                        help="markov: classes of the token two back (1: an order-1 chain)")
    parser.add_argument("--val-rows", type=int, default=64,
                        help="validation rows (manual: at most those it has)")
    args = parser.parse_args()
    histories = [int(h) for h in args.history.split(",")]
    from train.fp8 import preload_te

    preload_te()  # before CUDA libraries load (see train/fp8.py)

    import torch

    from benchmarks.train_gpu import preset
    from train import model as llama
    from train.config import FP8Config, TrainConfig
    from train.core.distributed import World
    from train.core.loop import LoopInputs, TrainLoop
    from train.core.metrics import MetricsLog, read

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model_cfg = preset(args.preset)
    vocab = max(model_cfg.vocab_size, 8192)  # the manual's BPE tokenizer has 8192 tokens
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.data == "markov":
            # Exactly one global batch of fresh rows per step (one process, no accumulation).
            train_rows, val_rows, source = markov_data(args, vocab, args.steps * args.micro, args.val_rows)
        else:
            train_rows, val_rows, source = manual_data(tmp, args.seq_len)
        runs = [("bf16", "bf16", None)] + [(f"fp8 h{h}", "fp8", h) for h in histories]
        for name, precision, history in runs:
            cfg = TrainConfig(steps=args.steps, seq_len=args.seq_len, micro_batch_size=args.micro,
                              precision=precision, eval_every=max(1, args.steps // 4), checkpoint_every=10**9,
                              eval_rows=min(args.val_rows, len(val_rows)))
            cfg.optim = dataclasses.replace(cfg.optim, lr=args.lr, warmup_steps=max(1, args.steps // 10))
            cfg.fp8 = FP8Config(backend=args.backend, amax_history_len=history or 1,
                                amax_compute_algo=args.amax_algo)
            config = llama.llama_config(model_cfg, vocab, 0, 1, 2)
            log = tmp / f"{name.replace(' ', '-')}.jsonl"
            loop = TrainLoop(cfg, LoopInputs(llama.create(config, 1234), train_rows, val_rows,
                                             World(0, 1, 0, device), tmp / f"ckpt-{name.replace(' ', '-')}",
                                             MetricsLog(log), 1.0, None))
            loop.io.checkpoint_dir.mkdir()
            loop.save = lambda: None  # parity only: no checkpoint files
            started = time.perf_counter()
            loop.run()
            records = read(log)
            train = [r["loss"] for r in records if r["kind"] == "train"]
            val = [(r["step"], r["loss"]) for r in records if r["kind"] == "val"]
            results[name] = {
                "train_last10": statistics.mean(train[-10:]), "val": val,
                "seconds": time.perf_counter() - started, "backend": loop.fp8.backend if loop.fp8 else "-",
            }
    report(args, results, source, torch.cuda.get_device_name() if device.type == "cuda" else "cpu")


def report(args, results: dict, source: dict | None, device: str) -> None:
    print(f"\n{args.preset}, {args.steps} steps, batch {args.micro} x {args.seq_len}, lr {args.lr}, "
          f"data {args.data}, amax {args.amax_algo}, {device}")
    print(f"{'run':>10} {'backend':>8} {'train(last10)':>13} {'val first':>9} {'val last':>9} "
          f"{'seconds':>8}  val curve (step: loss)")
    for name, r in results.items():
        curve = ", ".join(f"{step}: {loss:.3f}" for step, loss in r["val"])
        print(f"{name:>10} {r['backend']:>8} {r['train_last10']:>13.4f} {r['val'][0][1]:>9.4f} "
              f"{r['val'][-1][1]:>9.4f} {r['seconds']:>8.1f}  {curve}")
    if source:
        print(f"{'source':>10} {'best':>8} {source['best']:>13.4f} {'':>9} {source['best']:>9.4f}   "
              f"(entropy rate {source['entropy_rate']:.4f}; previous token only "
              f"{source['previous_token']:.4f}; unigram {source['unigram']:.4f})")
    base = results["bf16"]
    for name, r in results.items():
        if name == "bf16":
            continue
        train = r["train_last10"] / base["train_last10"]
        val = r["val"][-1][1] / base["val"][-1][1]
        line = (f"{name} / bf16: train {train:.4f} ({(train - 1) * 100:+.2f}%), "
                f"val {val:.4f} ({(val - 1) * 100:+.2f}%)")
        if source:
            line += (f"; val above the best achievable: bf16 {base['val'][-1][1] - source['best']:.4f}, "
                     f"{name} {r['val'][-1][1] - source['best']:.4f} nats")
        print(line)


if __name__ == "__main__":
    main()

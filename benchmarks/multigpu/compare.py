"""Compare lm_run.py results: each run against the 1-GPU run of the same engine, precision, preset
and global batch: loss per step, tokens/s (and per GPU), peak memory per rank, and the exported HF
models (same tensor shapes; logits on fixed rows of the same Markov source).

    python benchmarks/multigpu/compare.py /tmp/mg [--steps 50] [--json /tmp/mg/compare.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def load(root: Path) -> list[dict]:
    runs = []
    for path in sorted(root.glob("*/result.json")):
        run = json.loads(path.read_text())
        run["folder"] = str(path.parent)
        runs.append(run)
    return runs


def baseline_of(run: dict, runs: list[dict]) -> dict | None:
    key = ("engine", "precision", "preset", "global_batch", "seq_len")
    for other in runs:
        if other["world_size"] == 1 and all(other[k] == run[k] for k in key):
            return other
    return None


def loss_diff(run: dict, base: dict, steps: int) -> dict:
    pairs = list(zip(run["losses"][:steps], base["losses"][:steps]))
    absolute = [abs(a - b) for a, b in pairs]
    relative = [abs(a - b) / abs(b) for a, b in pairs]
    return {
        "steps_compared": len(pairs),
        "max_abs_loss_diff": max(absolute),
        "max_rel_loss_diff": max(relative),
        "last_loss": run["losses"][len(pairs) - 1],
        "baseline_last_loss": base["losses"][len(pairs) - 1],
    }


def hf_parity(run: dict, base: dict) -> dict:
    import torch
    from train_fp8_parity import MarkovSource
    from transformers import LlamaForCausalLM

    device = "cuda" if torch.cuda.is_available() else "cpu"
    models = [
        LlamaForCausalLM.from_pretrained(str(Path(r["folder"]) / "hf"), dtype=torch.float32).to(device).eval()
        for r in (run, base)
    ]
    shapes = [{k: tuple(v.shape) for k, v in m.state_dict().items()} for m in models]
    vocab = models[1].config.vocab_size
    rows = MarkovSource(vocab, successors=8, zipf=1.0, classes=2, seed=7).rows(2, 256, stream=3)
    ids = torch.as_tensor(rows.astype("int64"), device=device)
    with torch.no_grad():
        ours, theirs = (m(ids).logits.float() for m in models)
    error = ((ours - theirs).abs().max() / theirs.abs().max()).item()
    agree = (ours.argmax(-1) == theirs.argmax(-1)).float().mean().item()
    del models
    return {
        "hf_same_shapes": shapes[0] == shapes[1],
        "hf_logits_max_rel_err": round(error, 5),
        "hf_argmax_agreement": round(agree, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    runs = load(Path(args.root))
    if not runs:
        raise SystemExit(f"{args.root}: no */result.json (run lm_run.py first)")
    table = []
    for run in runs:
        row = {
            k: run[k]
            for k in (
                "name",
                "engine",
                "precision",
                "tp",
                "pp",
                "dp",
                "world_size",
                "global_batch",
                "tokens_per_s",
                "tokens_per_s_per_gpu",
                "peak_mem_GiB_per_rank",
                "device",
            )
        }
        base = baseline_of(run, runs)
        if base is not None and base is not run:
            row.update(loss_diff(run, base, args.steps))
            row["baseline"] = base["name"]
            row["per_gpu_scaling"] = round(run["tokens_per_s_per_gpu"] / base["tokens_per_s_per_gpu"], 3)
            if (Path(run["folder"]) / "hf").is_dir() and (Path(base["folder"]) / "hf").is_dir():
                try:
                    row.update(hf_parity(run, base))
                except Exception as err:  # noqa: BLE001 report, keep the table
                    row["hf_error"] = f"{type(err).__name__}: {str(err)[:160]}"
        table.append(row)
    print(
        f"{'run':>22} {'eng':>8} {'prec':>5} {'tp':>2} {'pp':>2} {'dp':>2} {'tok/s':>8} {'tok/s/GPU':>9} "
        f"{'scale':>6} {'mem GiB/rank':>14} {'max|dloss|':>10} {'max rel':>8} {'HF logits':>9}"
    )
    for r in table:
        mem = "/".join(str(m) for m in r["peak_mem_GiB_per_rank"])
        diff = f"{r['max_abs_loss_diff']:.4f}" if "max_abs_loss_diff" in r else "base"
        rel = f"{r['max_rel_loss_diff']:.2%}" if "max_rel_loss_diff" in r else ""
        hf = f"{r['hf_logits_max_rel_err']:.1e}" if "hf_logits_max_rel_err" in r else ""
        print(
            f"{r['name']:>22} {r['engine']:>8} {r['precision']:>5} {r['tp']:>2} {r['pp']:>2} {r['dp']:>2} "
            f"{r['tokens_per_s']:>8} {r['tokens_per_s_per_gpu']:>9} {r.get('per_gpu_scaling', ''):>6} {mem:>14} "
            f"{diff:>10} {rel:>8} {hf:>9}"
        )
    print(
        f"\nloss differences over the first {args.steps} steps against the 1-GPU run with the same global batch; "
        "scale = tokens/s per GPU relative to that run; HF logits = max |a - b| / max |b| of the exported models"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(table, indent=1))


if __name__ == "__main__":
    main()

"""The stage report: report.md (before/after table per adapter) and customize.png (curves + bars)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RATES = {
    "manual_qa": ("token_f1", "contains_fact", "cites_section"),
    "cockpit_commands": ("json_valid", "json_prefix", "schema_valid", "intent_accuracy", "slot_exact_match", "refusal_accuracy"),
}


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_report(folder: Path, results: dict[str, Any], kinds: dict[str, str], metric_files: dict[str, Path],
                 lora_info: dict[str, Any], base: str, problems: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    plot(folder / "customize.png", results, kinds, metric_files)
    intro = (f"Base model: `{base}`. Held-out evaluation on each adapter's eval split: the base model "
             "(adapter off) before training, the adapter after. Plot: customize.png.")
    lines = ["# Customize: LoRA adapters", "", intro, ""]
    for name, result in results.items():
        entry = lora_info["adapters"][name]
        before, after, train = result["before"], result["after"], result["train"]
        summary = (f"LoRA rank {entry['rank']}, alpha {entry['alpha']}, targets {', '.join(entry['target_modules'])} "
                   f"(TensorRT-LLM: {', '.join(entry['trtllm_target_modules'])}); "
                   f"{train['trainable_params']:,} trainable parameters; {train['steps']} steps on "
                   f"{train['train_examples']} examples; {after.get('scored', 0)} eval examples scored by generation.")
        lines += [f"## {name} ({kinds[name]})", "", summary, "",
                  "| metric | base (before) | adapter (after) |", "|---|---:|---:|"]
        for key in ("loss", *RATES[kinds[name]], "false_refusal_rate", "abstains_when_unanswerable", "seconds"):
            if key in after or key in before:
                lines.append(f"| {key} | {before.get(key, '')} | {after.get(key, '')} |")
        lines.append("")
    targets = ", ".join(lora_info["trtllm_target_modules"])
    lines += [f"Max LoRA rank {lora_info['max_lora_rank']}; TensorRT-LLM target modules: {targets}.", "",
              f"Quarantined records: {problems} (quarantine.jsonl).", ""]
    (folder / "report.md").write_text("\n".join(lines))
    (folder / "metrics.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def plot(path: Path, results: dict[str, Any], kinds: dict[str, str], metric_files: dict[str, Path]) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on training machines
    import matplotlib.pyplot as plt

    names = list(results)
    fig, axes = plt.subplots(len(names), 2, figsize=(11, 3.6 * len(names)), dpi=100, squeeze=False)
    for row, name in enumerate(names):
        records = _records(metric_files[name])
        train = [r for r in records if r.get("kind") == "train"]
        val = [r for r in records if r.get("kind") == "val"]
        ax = axes[row][0]
        ax.plot([r["step"] for r in train], [r["loss"] for r in train], lw=1, alpha=0.7, label="train loss")
        if val:
            ax.plot([r["step"] for r in val], [r["loss"] for r in val], "o-", lw=2, label="held-out loss")
        ax.set_title(f"{name}: answer-token loss")
        ax.set_xlabel("step")
        ax.set_ylabel("nats / token")
        ax.grid(alpha=0.3)
        ax.legend()
        ax = axes[row][1]
        keys = [k for k in RATES[kinds[name]] if k in results[name]["after"]]
        x = range(len(keys))
        before = [results[name]["before"].get(k, 0) for k in keys]
        after = [results[name]["after"].get(k, 0) for k in keys]
        ax.bar([i - 0.2 for i in x], before, width=0.4, label="base")
        ax.bar([i + 0.2 for i in x], after, width=0.4, label="adapter")
        ax.set_xticks(list(x), keys, rotation=20, fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_title(f"{name}: held-out task metrics (loss {results[name]['before']['loss']:.2f} -> "
                     f"{results[name]['after']['loss']:.2f})")
        ax.grid(alpha=0.3, axis="y")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

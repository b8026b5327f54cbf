"""The curation report: Markdown with the funnel, removals, dedup, PII and quality, plus two PNGs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd


def _table(rows: list[tuple], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def plot_funnel(funnel: list[tuple[str, int]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f for f, _ in funnel]
    values = [n for _, n in funnel]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    bars = ax.barh(range(len(values)), values, color="#4C72B0")
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("documents")
    ax.set_title("Documents remaining after each step")
    for bar, value in zip(bars, values):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {value:,}", va="center", fontsize=8)
    ax.set_xlim(0, max(values + [1]) * 1.15)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_similarity(pairs: pd.DataFrame, threshold: float, path: Path) -> None:
    """Histogram of the similarity of candidate pairs, accepted (removed) and rejected."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    bins = np.linspace(0, 1, 41)
    if len(pairs):
        accepted = pairs[pairs["accepted"]]
        ax.hist(accepted["estimate"], bins=bins, alpha=0.7, label="MinHash estimate, removed pairs", color="#C44E52")
        if pairs["jaccard"].notna().any():
            ax.hist(accepted["jaccard"], bins=bins, alpha=0.6, label="true Jaccard, removed pairs", color="#4C72B0")
            ax.hist(pairs.loc[~pairs["accepted"], "jaccard"], bins=bins, alpha=0.5,
                    label="true Jaccard, rejected candidates", color="#999999")
    ax.axvline(threshold, color="black", linestyle="--", linewidth=1, label=f"threshold {threshold:g}")
    ax.set_xlabel("shingle Jaccard similarity")
    ax.set_ylabel("pairs")
    ax.set_title("Near-duplicate candidate pairs")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(folder: Path, metrics: dict, funnel: list[tuple[str, int]], pairs: pd.DataFrame,
                 config: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    plot_funnel(funnel, folder / "funnel.png")
    plot_similarity(pairs, config["fuzzy"]["threshold"], folder / "jaccard.png")
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")

    first = funnel[0][1] or 1
    funnel_rows = [(label, f"{n:,}", f"{100 * n / first:.1f}%") for label, n in funnel]
    filters = [(k, v) for k, v in metrics["removed_by_filter"].items()]
    quarantine = [(k, v) for k, v in metrics["quarantine_reasons"].items()]
    fz = config["fuzzy"]
    parts = [
        "# Curation report",
        "",
        f"Input `{config['input']}`: {metrics['docs_in']:,} lines, {metrics['bytes_in'] / 1e6:.1f} MB; "
        f"output {metrics['docs_out']:,} documents, {metrics['bytes_out'] / 1e6:.1f} MB of Parquet. "
        f"Backend `{config['backend']}`; total {metrics['timings_s']['total_s']:.1f} s.",
        "",
        "## Funnel",
        "",
        _table(funnel_rows, ("step", "documents", "of input")),
        "",
        "![funnel](funnel.png)",
        "",
        "## Quarantined lines",
        "",
        _table(quarantine, ("reason", "lines")) if quarantine else "None.",
        "",
        "## Removed by quality filters (first failing rule)",
        "",
        _table(filters, ("filter", "documents")) if filters else "None.",
        "",
        "## Deduplication",
        "",
        f"- Exact (NFKC, lower case, whitespace-collapsed text): {metrics['removed_exact_dup']:,} removed in "
        f"{metrics['exact_dup_groups']:,} groups; the earliest copy is kept.",
        f"- Fuzzy: MinHash of {fz['shingle']} {fz['ngram']}-grams, {fz['bands']} bands x {fz['rows']} rows, "
        f"{'true Jaccard' if fz['verify'] else 'MinHash estimate'} >= {fz['threshold']}: "
        f"{metrics['fuzzy_candidate_pairs']:,} candidate pairs, {metrics['fuzzy_accepted_pairs']:,} accepted, "
        f"{metrics['removed_fuzzy_dup']:,} documents removed from {metrics['fuzzy_dup_clusters']:,} clusters.",
        "",
        "![similarity](jaccard.png)",
        "",
        "## PII redacted",
        "",
        _table(sorted(metrics["pii_redacted"].items()), ("type", "spans")) if metrics["pii_redacted"] else "None.",
        "",
        "## Timings",
        "",
        _table([(k, f"{v:.2f}") for k, v in metrics["timings_s"].items()], ("phase", "seconds")),
    ]
    quality = metrics.get("quality")
    if quality:
        parts += ["", "## Quality against the ground truth", "", _quality_section(quality)]
    (folder / "report.md").write_text("\n".join(parts) + "\n", encoding="utf-8")


def _quality_section(q: dict) -> str:
    fz = q["fuzzy_dedup"]
    ex = q["exact_dedup"]
    fl = q["filters"]
    rows = [
        ("outcome accuracy (keep/remove/quarantine per line)", q["outcome_accuracy"]),
        ("quarantine precision / recall", f"{q['quarantine']['precision']} / {q['quarantine']['recall']}"),
        ("exact duplicates removed", f"{ex['removed']} of {ex['planted']} (false removals {ex['false_removals']})"),
        ("near-duplicates: precision / recall / F1", f"{fz['precision']} / {fz['recall']} / {fz['f1']}"),
        ("near-duplicates: kept copy is the original", fz.get("kept_the_original")),
        ("junk removed", fl["junk_removed_fraction"]),
        ("non-English removed", fl["non_english_removed_fraction"]),
        ("pages that should be kept but were lost", q["keep_pages_lost"]),
        ("manual pages lost", f"{q['manual_pages_lost']} of {q['manual_pages']}"),
    ]
    if q.get("pii", {}).get("planted_spans"):
        rows.append(("planted PII spans redacted", f"{q['pii']['redacted_spans']} of {q['pii']['planted_spans']}"))
    text = _table(rows, ("measure", "value"))
    if fz.get("recall_by_edit_rate"):
        text += "\n\nNear-duplicate recall by edit rate:\n\n" + _table(
            sorted(fz["recall_by_edit_rate"].items(), key=lambda kv: float(kv[0])), ("edit rate", "recall"))
    return text

"""Curation quality against a labelled ground truth (datagen's ground_truth.jsonl).

The ground truth has one entry per physical input line with the expected outcome (keep, remove,
quarantine), the category that explains it and, for planted duplicates, the original's id, the
edit rate and the word-5-gram Jaccard. The run's decisions table has one row per line too, so
every number here is a join and a count.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from curator.errors import CurateConfigError

JUNK = ("spam", "boilerplate", "short", "long")


def load_ground_truth(path: str | Path) -> pd.DataFrame:
    try:
        gt = pd.read_json(path, lines=True, dtype=False)
    except (OSError, ValueError) as err:
        raise CurateConfigError(f"curate.ground_truth '{path}' cannot be read as JSONL ({err})") from None
    required = {"line", "category", "expected"}
    missing = required - set(gt.columns)
    if missing:
        raise CurateConfigError(f"curate.ground_truth '{path}' lacks fields {sorted(missing)}")
    return gt


def mismatch(decisions: pd.DataFrame, gt: pd.DataFrame) -> str:
    """Why ``gt`` does not describe the input the run read ("" when it does).

    A ground truth is one entry per line of one file. It describes this run's input only when the
    run read exactly one file with as many lines, and every line the ground truth gives an id
    holds a record with that id (quarantined lines, which have none, aside): content, not the configured path, decides. So the default ground
    truth follows the default corpus wherever it is, and pointing curate.input at another corpus
    simply leaves quality unmeasured.
    """
    files = decisions["file"].unique()
    if len(files) != 1:
        return f"the run read {len(files)} files; a ground truth describes the lines of one"
    if len(decisions) != len(gt) or set(gt["line"]) != set(decisions["line"]):
        return f"it has {len(gt)} lines, the input {files[0]} has {len(decisions)}"
    if "id" not in gt:
        return ""
    read = decisions.loc[decisions["status"] != "quarantined", ["line", "id"]]  # a quarantined line has no id
    m = gt[gt["id"].notna()].merge(read, on="line", how="inner", suffixes=("", "_read"))
    if not len(m):
        return "no line with an id in both to compare"
    differ = m["id"].astype(str) != m["id_read"].astype(str)
    if differ.any():
        return f"the ids differ on {int(differ.sum())} of {len(m)} lines (first: line {int(m.loc[differ, 'line'].iloc[0])})"
    return ""


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn}


def evaluate(decisions: pd.DataFrame, gt: pd.DataFrame, outputs: dict[str, str] | None = None) -> dict:
    """Quality metrics; ``outputs`` maps kept ids to their final text (for PII leak checks)."""
    if decisions["file"].nunique() > 1:
        raise ValueError("ground truth is per line of one input file; the run read several files")
    d = decisions[["line", "id", "status", "step", "dup_of", "pii_redactions"]].rename(columns={"id": "our_id"})
    m = gt.merge(d, on="line", how="left", validate="one_to_one")
    if m["status"].isna().any():
        raise ValueError(f"{int(m['status'].isna().sum())} ground-truth lines have no decision (different input?)")
    ours = m["status"].map({"alive": "keep", "removed": "remove", "quarantined": "quarantine"})
    cat = m["category"]
    out: dict = {"lines": int(len(m)), "outcome_accuracy": round(float((ours == m["expected"]).mean()), 4)}
    out["outcome_confusion"] = {f"{e}->{o}": int(n) for (e, o), n in pd.crosstab(m["expected"], ours).stack().items() if n}

    q = ours == "quarantine"
    out["quarantine"] = _prf(int((q & (m["expected"] == "quarantine")).sum()), int((q & (m["expected"] != "quarantine")).sum()),
                             int((~q & (m["expected"] == "quarantine")).sum()))

    exact_step = m["step"] == "exact_dedup"
    is_exact = cat == "exact_dup"
    out["exact_dedup"] = {
        "planted": int(is_exact.sum()),
        "removed": int((is_exact & exact_step).sum()),
        "removed_any_step": int((is_exact & (ours == "remove")).sum()),
        "recall": round(float((is_exact & exact_step).sum() / max(1, is_exact.sum())), 4),
        "false_removals": int((exact_step & ~is_exact).sum()),
    }

    fuzzy_step = m["step"] == "fuzzy_dedup"
    is_near = cat == "near_dup"
    fuzzy = _prf(int((is_near & fuzzy_step).sum()), int((fuzzy_step & ~is_near).sum()), int((is_near & ~fuzzy_step).sum()))
    kept_original = (m["dup_of"] == m["duplicate_of"]) if "duplicate_of" in m else pd.Series(False, index=m.index)
    fuzzy["kept_the_original"] = round(float((is_near & fuzzy_step & kept_original).sum() / max(1, (is_near & fuzzy_step).sum())), 4)
    fuzzy["false_removals_by_category"] = {k: int(v) for k, v in cat[fuzzy_step & ~is_near].value_counts().items()}
    if "edit_rate" in m:
        fuzzy["recall_by_edit_rate"] = {
            f"{rate:g}": round(float(grp_step.mean()), 4)
            for rate, grp_step in fuzzy_step[is_near].groupby(m.loc[is_near, "edit_rate"])
        }
    if "jaccard" in m:
        bins = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
        binned = pd.cut(m.loc[is_near, "jaccard"].astype(float), bins, right=False)
        fuzzy["recall_by_w5_jaccard"] = {
            f"[{iv.left:.1f},{min(iv.right, 1.0):.1f})": round(float(s.mean()), 4)
            for iv, s in fuzzy_step[is_near].groupby(binned, observed=True)
        }
    out["fuzzy_dedup"] = fuzzy

    junk = cat.isin(JUNK)
    out["filters"] = {
        "junk_planted": int(junk.sum()),
        "junk_removed_fraction": round(float((junk & (ours == "remove")).sum() / max(1, junk.sum())), 4),
        "junk_removed_by_category": {
            c: round(float((ours[cat == c] == "remove").mean()), 4) for c in JUNK if (cat == c).any()
        },
        "non_english_removed_fraction": round(float((ours[cat == "non_english"] == "remove").mean()), 4)
        if (cat == "non_english").any() else None,
    }
    keep = m["expected"] == "keep"
    out["keep_pages_lost"] = int((keep & (ours != "keep")).sum())
    out["keep_pages_lost_by_step"] = {k: int(v) for k, v in m.loc[keep & (ours != "keep"), "step"].value_counts().items()}
    manual = cat == "manual"
    out["manual_pages"] = int(manual.sum())
    out["manual_pages_lost"] = int((manual & (ours != "keep")).sum())
    out["pii"] = _pii(m, outputs or {})
    return out


def _pii(m: pd.DataFrame, texts: dict[str, str]) -> dict:
    if "pii" not in m:
        return {}
    planted = m[(m["category"] == "pii") & m["pii"].map(lambda v: isinstance(v, list) and len(v) > 0)]
    spans = planted.explode("pii")
    spans = spans[spans["pii"].map(lambda v: isinstance(v, dict))]
    if spans.empty:
        return {"planted_spans": 0}
    kinds = spans["pii"].map(lambda v: v["type"])
    values = spans["pii"].map(lambda v: v["value"])
    final = spans["id"].map(texts)
    known = final.notna()
    leaked = np.array([v in t for v, t in zip(values[known], final[known])], dtype=bool)
    leaked_by_type = pd.Series(leaked, index=kinds[known].to_numpy()).groupby(level=0).sum()
    planted_by_type = kinds[known].value_counts()
    non_pii_redactions = m.loc[(m["category"] != "pii") & (m["status"] == "alive"), "pii_redactions"]
    return {
        "planted_spans": int(known.sum()),
        "redacted_spans": int(known.sum() - leaked.sum()),
        "recall": round(float(1 - leaked.mean()), 4) if len(leaked) else None,
        "recall_by_type": {k: round(float(1 - leaked_by_type.get(k, 0) / n), 4) for k, n in planted_by_type.items()},
        "redactions_in_other_kept_pages": int(non_pii_redactions.sum()),
        "other_kept_pages_with_redactions": int((non_pii_redactions > 0).sum()),
    }

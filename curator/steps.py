"""The per-partition steps before dedup: normalise, identify language, filter, redact PII.

``annotate`` maps one partition of read documents to the same rows with a decision: nothing is
dropped here, every row says whether it is still alive and, if not, which step removed it and
why. Counting and auditing are then plain column operations on the whole collection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from curator import langid, normalize, pii
from curator.config import CurateConfig
from curator.filters import build_filters, judged_texts, run_filters
from curator.hashing import arrow_strings

ALIVE, REMOVED, QUARANTINED = "alive", "removed", "quarantined"
PII_COLUMNS = tuple(f"pii_{t}" for t in pii.PII_TYPES)


def _str(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def _scatter(n: int, positions: np.ndarray, values: pa.Array) -> pd.Series:
    """A length-n str column holding ``values`` at ``positions`` (sorted) and "" elsewhere."""
    mask = np.zeros(n, dtype=bool)
    mask[positions] = True
    base = pa.repeat(pa.scalar("", pa.large_string()), n)
    if len(positions):
        base = pc.replace_with_mask(base, pa.array(mask), values.cast(pa.large_string()))
    return pd.Series(base, dtype="str")


def annotated_meta() -> pd.DataFrame:
    """Empty frame with the exact columns and dtypes ``annotate`` returns (Dask's meta)."""
    cols = {
        "ord": np.int64, "file": np.int32, "line": np.int64, "id": "str", "url": "str", "text": "str",
        "key": "str", "status": "str", "step": "str", "reason": "str", "lang": "str",
        "lang_score": np.float32, "n_words": np.int32, "n_chars": np.int32, "raw": "str",
        "norm_rules": "str", "norm_chars_removed": np.int32,
    }
    cols.update({c: np.int32 for c in PII_COLUMNS})
    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})


def annotate(docs: pd.DataFrame, cfg: CurateConfig) -> pd.DataFrame:
    n = len(docs)
    status = np.where(docs["quarantine"].to_numpy(dtype=object) != "", QUARANTINED, ALIVE).astype(object)
    step = np.where(status == QUARANTINED, "read", "").astype(object)
    reason = docs["quarantine"].to_numpy(dtype=object).copy()
    texts = arrow_strings(docs["text"])
    lang = np.full(n, "", dtype=object)
    lang_score = np.zeros(n, dtype=np.float32)
    pii_counts = {c: np.zeros(n, dtype=np.int32) for c in PII_COLUMNS}

    alive = np.flatnonzero(status == ALIVE)
    original = texts.take(pa.array(alive))
    cleaned, changed = normalize.clean_texts(original, cfg.normalize)
    norm_rules = np.full(n, "", dtype=object)
    norm_chars = np.zeros(n, dtype=np.int32)
    if changed:
        touched = np.flatnonzero(np.any(np.stack(list(changed.values())), axis=0))
        norm_rules[alive[touched]] = [",".join(r for r in changed if changed[r][i]) for i in touched]
        norm_chars[alive] = (pc.utf8_length(original).to_numpy(zero_copy_only=False)
                             - pc.utf8_length(cleaned).to_numpy(zero_copy_only=False))

    # A text with nothing visible left (only spaces, controls or zero-width characters) is a read problem.
    emptied = ~np.asarray(pc.match_substring_regex(cleaned, normalize.VISIBLE).to_numpy(zero_copy_only=False),
                          dtype=bool)
    if emptied.any():
        status[alive[emptied]], step[alive[emptied]] = QUARANTINED, "read"
        reason[alive[emptied]] = "no visible text"
        keep = ~emptied
        alive, cleaned = alive[keep], cleaned.filter(pa.array(keep))

    if cfg.langid.enabled and len(alive):
        labels, scores = langid.identify(cleaned, cfg.langid.max_chars)
        lang[alive], lang_score[alive] = labels, scores
        wanted = set(cfg.languages)
        ok = np.array([(not wanted or lab in wanted) for lab in labels], dtype=bool) & (scores >= cfg.langid.min_score)
        gone = alive[~ok]
        status[gone], step[gone] = REMOVED, "language"
        reason[gone] = [f"language {lab or '?'} ({sc:.2f})" for lab, sc in zip(labels[~ok], scores[~ok])]
        alive, cleaned = alive[ok], cleaned.filter(pa.array(ok))

    if cfg.filters.enabled and len(alive):
        filters = build_filters(cfg.filters)
        failed = run_filters(cleaned, filters, judged=judged_texts(cleaned, cfg.filters))
        bad = failed >= 0
        gone = alive[bad]
        status[gone], step[gone] = REMOVED, "filters"
        reason[gone] = [filters[i].name for i in failed[bad]]
        alive, cleaned = alive[~bad], cleaned.filter(pa.array(~bad))

    if cfg.pii.enabled and len(alive):
        cleaned, counts = pii.redact(cleaned, cfg.pii)
        for t, c in counts.items():
            pii_counts[f"pii_{t}"][alive] = c

    key_arr = normalize.dedup_keys(cleaned) if len(alive) else pa.array([], pa.large_string())
    n_words = np.zeros(n, dtype=np.int32)
    n_chars = np.zeros(n, dtype=np.int32)
    if len(alive):
        n_chars[alive] = pc.utf8_length(cleaned).to_numpy(zero_copy_only=False)
        # Keys are single-spaced and stripped: words = spaces + 1 (a literal count, no split).
        n_words[alive] = pc.count_substring(key_arr, " ").to_numpy(zero_copy_only=False) + 1
    frame = pd.DataFrame(
        {
            "ord": docs["ord"].to_numpy(), "file": docs["file"].to_numpy(), "line": docs["line"].to_numpy(),
            "id": docs["id"], "url": docs["url"], "text": _scatter(n, alive, cleaned), "key": _scatter(n, alive, key_arr),
            "status": _str(status), "step": _str(step), "reason": _str(reason), "lang": _str(lang),
            "lang_score": lang_score, "n_words": n_words, "n_chars": n_chars, "raw": docs["raw"],
            "norm_rules": _str(norm_rules), "norm_chars_removed": norm_chars,
        }
    )
    for c, v in pii_counts.items():
        frame[c] = v
    return frame.reset_index(drop=True)

"""From accepted near-duplicate pairs to removals, without chaining.

Transitive closure (connected components) removes every document linked to the kept one by a
chain of near pairs, however far it is from it: distinct pages that each share a boilerplate block
with the next one end up in one group and all but one are lost. ``star_clusters`` instead keeps,
in every group of the pair graph, its best-connected document (most accepted pairs; the earliest
on a tie) as the *center*, and removes only the members whose own similarity to that center
reaches the threshold (computed when the pair was not a candidate). Centers leave the graph, the
members not close enough regroup over their remaining pairs, and the next round picks their
centers; rounds repeat until no pair is left. Every removed document is therefore a near copy of
the document kept for it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from curator.components import connected_components


def star_clusters(u: np.ndarray, v: np.ndarray, sim: np.ndarray, threshold: float,
                  similarity: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                  ) -> tuple[pd.DataFrame, dict]:
    """(removed: ord, kept, similarity sorted by ord; stats) from accepted pairs (u, v, sim), host arrays.

    ``similarity(a, b)`` gives the similarity of pairs that were not accepted candidates (a member
    and its center); without it such members wait for a later round (or stay).
    """
    removed_ord, removed_kept, removed_sim = [], [], []
    rounds, computed = 0, 0
    while len(u):
        rounds += 1
        nodes, roots = connected_components(u, v)
        degree = np.bincount(np.searchsorted(nodes, np.concatenate([u, v])), minlength=len(nodes))
        order = np.lexsort((nodes, -degree, roots))  # per group: most pairs first, then earliest
        first = np.r_[True, roots[order][1:] != roots[order][:-1]]
        group_roots, centers = roots[order][first], nodes[order][first]
        center = centers[np.searchsorted(group_roots, roots)]
        member = nodes != center
        m, c = nodes[member], center[member]
        a, b = np.minimum(m, c), np.maximum(m, c)
        edges = pd.MultiIndex.from_arrays([u, v])
        at = edges.get_indexer(pd.MultiIndex.from_arrays([a, b])) if len(a) else np.zeros(0, np.int64)
        known = at >= 0
        close = np.where(known, sim[np.maximum(at, 0)], np.nan)
        if similarity is not None and (~known).any():
            close[~known] = similarity(a[~known], b[~known])
            computed += int((~known).sum())
        near = np.nan_to_num(close, nan=-1.0) >= threshold
        removed_ord.append(m[near])
        removed_kept.append(c[near])
        removed_sim.append(close[near])
        gone = np.concatenate([centers, m[near]])
        stay = ~(np.isin(u, gone) | np.isin(v, gone))
        u, v, sim = u[stay], v[stay], sim[stay]
    removed = pd.DataFrame({
        "ord": np.concatenate(removed_ord) if removed_ord else np.zeros(0, np.int64),
        "kept": np.concatenate(removed_kept) if removed_kept else np.zeros(0, np.int64),
        "similarity": np.concatenate(removed_sim) if removed_sim else np.zeros(0),
    }).astype({"ord": np.int64, "kept": np.int64, "similarity": float})
    removed = removed.sort_values("ord").reset_index(drop=True)
    return removed, {"rounds": rounds, "pairs_to_centers_computed": computed,
                     "clusters": int(removed["kept"].nunique())}

"""Connected components of the duplicate graph, keeping the smallest node of each component.

Union-find in its data-parallel form (Shiloach-Vishkin style hooking plus pointer jumping): every
round hooks each edge's larger root under the smaller one with a scatter-min, then compresses
paths by repeated ``parent = parent[parent]``. Rounds are whole-array operations, so the same
function runs on numpy (CPU) and cupy (GPU) and converges in O(log n) rounds. Nodes are document
``ord`` values (input order), so each component's root is its earliest document: the one kept.
"""

from __future__ import annotations

import numpy as np


def _scatter_min(xp, target, index, values) -> None:
    if xp is np:
        np.minimum.at(target, index, values)
    else:  # cupy
        import cupyx

        cupyx.scatter_min(target, index, values)


def connected_components(u, v, xp=np):
    """(nodes, root) for every node on an edge; root is the smallest node of its component."""
    if len(u) == 0:
        empty = xp.zeros(0, dtype=xp.int64)
        return empty, empty
    nodes, inverse = xp.unique(xp.concatenate([u, v]), return_inverse=True)
    inverse = inverse.ravel()
    a, b = inverse[: len(u)], inverse[len(u):]
    parent = xp.arange(len(nodes), dtype=xp.int64)  # indices into the sorted nodes: min index = min ord
    while True:
        while True:  # pointer jumping until every node points at a root
            grand = parent[parent]
            if bool((grand == parent).all()):
                break
            parent = grand
        pa, pb = parent[a], parent[b]
        if bool((pa == pb).all()):
            return nodes, nodes[parent]
        low = xp.minimum(pa, pb)  # hook both roots under the smaller one (roots only ever decrease)
        _scatter_min(xp, parent, pa, low)
        _scatter_min(xp, parent, pb, low)

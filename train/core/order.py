"""Which examples each step, rank and micro-batch reads: a pure function of (seed, step)."""

from __future__ import annotations

import numpy as np


class BatchOrder:
    """Global row indices of each step: a fresh seeded permutation of all rows every epoch."""

    def __init__(self, rows: int, global_batch: int, seed: int):
        self.rows, self.global_batch, self.seed = rows, global_batch, seed
        self._cached: tuple[int, np.ndarray] | None = None

    def _permutation(self, epoch: int) -> np.ndarray:
        if self._cached is None or self._cached[0] != epoch:
            self._cached = (epoch, np.random.default_rng([self.seed, epoch]).permutation(self.rows))
        return self._cached[1]

    def step_rows(self, step: int) -> np.ndarray:
        positions = np.arange(step * self.global_batch, (step + 1) * self.global_batch)
        out = np.empty(self.global_batch, dtype=np.int64)
        for epoch in np.unique(positions // self.rows):
            mask = positions // self.rows == epoch
            out[mask] = self._permutation(int(epoch))[positions[mask] % self.rows]
        return out

    def micro_rows(self, step: int, rank: int, micro: int, accum: int, micro_batch: int) -> np.ndarray:
        """Rank ``rank``'s micro-batch ``micro``, laid out rank-major: N processes with accumulation
        A read exactly the micro-batches of one process with accumulation N x A."""
        start = (rank * accum + micro) * micro_batch
        return self.step_rows(step)[start:start + micro_batch]

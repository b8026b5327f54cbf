"""In-flight (continuous) batching over a slot-based model runner, for every local backend.

One thread owns the model. Callers from any thread submit requests; each loop iteration the
thread (1) admits waiting requests into free KV-cache slots and prefills them, (2) runs ONE
batched decode step over every active sequence, whatever adapter each uses, (3) retires the
finished ones and compacts the slots so the batch stays the contiguous rows ``0..n-1``. A request
therefore joins the running batch at the next step and leaves it as soon as it is done: nobody
waits for anybody else's completion.

A runner implements ``prefill``, ``decode`` and ``move`` (see ``Runner``); sampling, stop
strings, streaming text and accounting are all here, identical for every backend.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from infer.sampling import is_greedy, sample
from infer.textio import Codec, Detokenizer, StopText

log = logging.getLogger("pipeline.infer")


class Logits(Protocol):
    def argmax(self) -> np.ndarray: ...  # [rows] int
    def row(self, index: int) -> np.ndarray: ...  # [vocab] float32


class Runner(Protocol):
    """A model with a KV cache of ``max_slots`` rows of up to ``max_len`` tokens each."""

    max_slots: int
    max_len: int

    def prefill(self, slot: int, token_ids: list[int], adapter: int) -> Logits: ...
    # One token per row for rows 0..n-1; ``lengths`` = tokens already cached per row.
    def decode(self, tokens: list[int], lengths: list[int], adapters: list[int]) -> Logits: ...
    def move(self, src: int, dst: int, length: int) -> None: ...
    def close(self) -> None: ...


class NumpyLogits:
    def __init__(self, values: np.ndarray):
        self.values = values

    def argmax(self) -> np.ndarray:
        return self.values.argmax(axis=-1)

    def row(self, index: int) -> np.ndarray:
        return self.values[index]


class GeneratorClosed(RuntimeError):
    """The generator was closed while the request was waiting or running."""


@dataclass
class Sequence:
    prompt_ids: list[int]
    adapter: int
    max_new: int
    temperature: float
    top_k: int
    top_p: float
    rng: np.random.Generator
    detok: Detokenizer
    stop: StopText
    events: queue.Queue[tuple[str, object]] = field(default_factory=queue.Queue)
    submitted: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    generated: list[int] = field(default_factory=list)
    finish: str | None = None
    cancelled: bool = False
    slot: int = -1
    length: int = 0
    last_token: int = -1
    # False for generate(): no per-token events (no thread switch per token) and, without stop
    # strings, no incremental detokenization - the text is decoded once at the end.
    streaming: bool = True

    @property
    def incremental(self) -> bool:
        return self.streaming or bool(self.stop.stops)

    @property
    def greedy(self) -> bool:
        return is_greedy(self.temperature, self.top_k)


class Scheduler:
    def __init__(self, runner: Runner, codec: Codec, name: str = "generator"):
        self.runner = runner
        self.codec = codec
        self.stop_ids = frozenset(codec.stop_ids)
        self._inbox: list[Sequence] = []
        self._active: list[Sequence] = []
        self._cv = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name=f"infer-{name}", daemon=True)
        self._thread.start()
        self.steps = 0

    # --- caller side -------------------------------------------------------------------------
    def submit(self, seq: Sequence) -> Sequence:
        with self._cv:
            if self._closing:
                raise GeneratorClosed("the generator is closed")
            self._inbox.append(seq)
            self._cv.notify()
        return seq

    def events(self, seq: Sequence) -> Iterator[tuple[str, object]]:
        """The sequence's events until it is done; stopping early cancels the request."""
        try:
            while True:
                kind, value = seq.events.get()
                if kind == "error":
                    raise value  # type: ignore[misc]
                yield kind, value
                if kind == "done":
                    return
        finally:
            seq.cancelled = True  # a consumer that stopped listening frees its slot next step

    def close(self) -> None:
        with self._cv:
            self._closing = True
            self._cv.notify()
        self._thread.join(timeout=60)
        self.runner.close()

    # --- model thread ------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._active and not self._inbox and not self._closing:
                    self._cv.wait()
                if self._closing:
                    for seq in self._inbox + self._active:
                        seq.events.put(("error", GeneratorClosed("the generator was closed")))
                    self._inbox.clear()
                    self._active.clear()
                    return
                free = self.runner.max_slots - len(self._active)
                newcomers, self._inbox = self._inbox[:free], self._inbox[free:]
            try:
                for seq in newcomers:
                    if seq.cancelled:
                        continue
                    self._guarded(seq, self._start)
                self._retire()  # a request may end at its first token
                if self._active:
                    self._decode()
                    self._retire()
            except Exception as err:  # a failed model step fails the requests in it, not the server
                log.exception("infer: model step failed")
                for seq in self._active + newcomers:
                    if not seq.finish:
                        seq.events.put(("error", err))
                self._active.clear()

    def _guarded(self, seq: Sequence, step, *args) -> None:
        """Run one sequence's own part of a step (prefill, sampling, stop strings, detokenizing);
        if it fails, only that request fails: the batch goes on without it."""
        try:
            step(seq, *args)
        except Exception as err:
            log.exception("infer: request failed; the other %d in the batch continue", len(self._active) - 1)
            seq.finish = "error"
            seq.events.put(("error", err))

    def _start(self, seq: Sequence) -> None:
        seq.slot = len(self._active)
        self._active.append(seq)
        logits = self.runner.prefill(seq.slot, seq.prompt_ids, seq.adapter)
        seq.length = len(seq.prompt_ids)
        self._accept(seq, self._pick(seq, logits, 0, None))

    def _decode(self) -> None:
        rows = self._active
        logits = self.runner.decode([s.last_token for s in rows], [s.length for s in rows],
                                    [s.adapter for s in rows])
        self.steps += 1
        greedy = logits.argmax() if any(s.greedy for s in rows) else None
        for index, seq in enumerate(rows):
            seq.length += 1
            self._guarded(seq, lambda s, i: self._accept(s, self._pick(s, logits, i, greedy)), index)

    @staticmethod
    def _pick(seq: Sequence, logits: Logits, index: int, greedy) -> int:
        if seq.greedy:
            return int(greedy[index] if greedy is not None else logits.argmax()[index])
        return sample(logits.row(index), seq.temperature, seq.top_k, seq.top_p, seq.rng)

    def _accept(self, seq: Sequence, token: int) -> None:
        if seq.first_token_at is None:
            seq.first_token_at = time.perf_counter()
        seq.last_token = token
        if token in self.stop_ids:
            self._finish(seq, "eos")
            return
        seq.generated.append(token)
        if seq.incremental:
            shown = seq.stop.add(seq.detok.push(token))
            if shown and seq.streaming:
                seq.events.put(("delta", shown))
        if seq.stop.stopped:
            self._finish(seq, "stop")
        elif len(seq.generated) >= seq.max_new:
            self._finish(seq, "length")

    def _finish(self, seq: Sequence, reason: str) -> None:
        if not seq.incremental:
            seq.stop.text = self.codec.decode(seq.generated)
        elif reason != "stop":
            rest = seq.stop.add(seq.detok.flush()) + seq.stop.finish()
            if seq.stop.stopped:
                reason = "stop"
            if rest and seq.streaming:
                seq.events.put(("delta", rest))
        seq.finish = reason
        seq.events.put(("done", seq))

    def _retire(self) -> None:
        done = [s for s in self._active if s.finish or s.cancelled]
        if not done:
            return
        keep = [s for s in self._active if not (s.finish or s.cancelled)]
        for seq in done:
            if not seq.finish:  # cancelled by its consumer
                seq.finish = "cancelled"
        n = len(keep)
        holes = sorted(s.slot for s in done if s.slot < n)
        movers = sorted((s for s in keep if s.slot >= n), key=lambda s: s.slot)
        for hole, seq in zip(holes, movers):
            self.runner.move(seq.slot, hole, seq.length)
            seq.slot = hole
        self._active = sorted(keep, key=lambda s: s.slot)

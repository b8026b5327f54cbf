"""Tokenized chat examples as the training loop's ``Batches``: right-padded rows with labels.

Right padding is exact for a causal model without any attention mask: a real token never
attends to a later position, so the pads after it change nothing, and positions start at 0 as
in inference. Pads carry the label IGNORE_INDEX, so they add nothing to the loss either. Rows
are padded to the longest example of the batch (rounded up to ``pad_multiple`` for tensor-core
friendly shapes), not to ``max_seq_len``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from customize.chat import IGNORE_INDEX, encode_example
from customize.data import Example


@dataclass
class ChatBatches:
    ids: list[np.ndarray]
    labels: list[np.ndarray]
    pad_id: int
    pad_multiple: int = 8

    @classmethod
    def from_examples(cls, tokenizer, examples: list[Example], pad_multiple: int = 8) -> ChatBatches:
        ids, labels = [], []
        for example in examples:
            row, target = encode_example(tokenizer, example.messages, example.completion)
            ids.append(np.asarray(row, dtype=np.int64))
            labels.append(np.asarray(target, dtype=np.int64))
        return cls(ids, labels, int(tokenizer.pad_token_id), pad_multiple)

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, indices: np.ndarray) -> dict:
        """``input_ids`` and ``labels`` (B, L) int64 CPU tensors; L = longest row, rounded up."""
        import torch

        rows = [int(i) for i in np.asarray(indices).reshape(-1)]
        longest = max(len(self.ids[i]) for i in rows)
        width = -(-longest // self.pad_multiple) * self.pad_multiple
        input_ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        labels = np.full((len(rows), width), IGNORE_INDEX, dtype=np.int64)
        for out, i in enumerate(rows):
            input_ids[out, :len(self.ids[i])] = self.ids[i]
            labels[out, :len(self.labels[i])] = self.labels[i]
        return {"input_ids": torch.from_numpy(input_ids), "labels": torch.from_numpy(labels)}

    batch = take  # the training core's name for it

    def lengths(self) -> np.ndarray:
        return np.array([len(r) for r in self.ids], dtype=np.int64)

    def answer_tokens(self) -> int:
        return int(sum((lab != IGNORE_INDEX).sum() for lab in self.labels))

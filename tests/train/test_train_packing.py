"""Packed rows: EOS boundaries, exact reconstruction, seeded validation split, batch order, errors."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.train import manual_sections, write_shards
from train import tokenizer as tok
from train.corpus import CorpusStats, iter_documents
from train.core.order import BatchOrder
from train.packing import PackedRows, PackingError, is_validation, pack_documents

SEQ = 32


@pytest.fixture(scope="module")
def tokenizer():
    return tok.train_bpe([t for _, t in manual_sections()], vocab_size=400)


def encoder(tokenizer):
    return lambda texts: [e.ids for e in tokenizer.encode_batch(texts, add_special_tokens=False)]


def pack(tmp_path, tokenizer, docs, seed=7, fraction=0.2, rows_per_shard=50):
    shards = tmp_path / "shards"
    write_shards(shards, docs, shards=3, extra_rows=[{"id": "bad", "text": None, "url": None}])
    stats = CorpusStats()
    meta = pack_documents(iter_documents(shards, stats), encoder(tokenizer), 1, 400, SEQ, seed, fraction,
                          tmp_path / "packed", rows_per_shard, stats)
    return meta, stats


def stream(rows: PackedRows) -> np.ndarray:
    """Undo the packing: row i holds stream[i*T : i*T+T+1]."""
    everything = rows.take(np.arange(len(rows)))
    return np.concatenate([everything[:, :-1].reshape(-1), everything[-1:, -1]])


def test_rows_rebuild_the_documents_with_eos_after_each(tmp_path, tokenizer):
    docs = manual_sections()[:60]
    meta, stats = pack(tmp_path, tokenizer, docs)
    assert [(p.file, p.row, p.reason) for p in stats.problems] == [
        ("part-00002.parquet", 18, "text is NoneType, not a string")]  # 61 rows in 3 shards of 21
    assert meta["corpus"]["quarantined"] == 1
    for split in ("train", "val"):
        rows = PackedRows.open(tmp_path / "packed", split)
        assert len(rows) == meta["splits"][split]["rows"] and len(rows.shards) > (split == "train")
        expected = []
        for doc_id, text in docs:
            if is_validation(doc_id, 7, 0.2) == (split == "val"):
                expected += tokenizer.encode(text).ids + [1]
        got = stream(rows)
        # Only the tail that does not fill a whole row is cut.
        assert got.tolist() == expected[:len(got)] and len(expected) - len(got) < SEQ
        assert (got == 1).sum() == sum(1 for t in expected[:len(got)] if t == 1)


def test_split_depends_on_seed_and_id_only(tmp_path, tokenizer):
    ids = [f"doc-{i}" for i in range(2000)]
    held = [i for i in ids if is_validation(i, 7, 0.2)]
    assert 300 < len(held) < 500
    assert held == [i for i in reversed(ids) if is_validation(i, 7, 0.2)][::-1]
    assert held != [i for i in ids if is_validation(i, 8, 0.2)]


def test_packing_is_deterministic(tmp_path, tokenizer):
    docs = manual_sections()[:30]
    pack(tmp_path / "a", tokenizer, docs)
    pack(tmp_path / "b", tokenizer, docs)
    for split in ("train", "val"):
        a, b = PackedRows.open(tmp_path / "a" / "packed", split), PackedRows.open(tmp_path / "b" / "packed", split)
        assert np.array_equal(a.take(np.arange(len(a))), b.take(np.arange(len(b))))


def test_a_small_corpus_gets_a_validation_split_from_its_last_training_documents(tmp_path, tokenizer):
    """Three documents and a tiny fraction hash none into validation: the last training document moves
    there (logged, in meta), so a folder of a few text files trains instead of failing."""
    docs = manual_sections()[:3]
    assert not any(is_validation(i, 7, 1e-9) for i, _ in docs)
    meta, _ = pack(tmp_path, tokenizer, docs, fraction=1e-9)
    assert meta["val_topped_up"]["documents"] == 1 and meta["splits"]["val"]["documents"] == 1
    assert meta["splits"]["train"]["documents"] == 2
    val = stream(PackedRows.open(tmp_path / "packed", "val"))
    expected = tokenizer.encode(docs[-1][1]).ids + [1]
    assert val.tolist() == expected[:len(val)] and len(expected) - len(val) < SEQ


def test_too_little_text_for_both_splits_fails_with_the_key_to_change(tmp_path, tokenizer):
    # one document cannot feed both splits
    with pytest.raises(PackingError, match="split has .* add data, lower train.seq_len"):
        pack(tmp_path, tokenizer, manual_sections()[:1], fraction=1e-9)


def test_batch_order_is_a_permutation_per_epoch_and_splits_like_accumulation():
    order = BatchOrder(rows=10, global_batch=4, seed=3)
    seen = np.concatenate([order.step_rows(s) for s in range(5)])  # two epochs exactly
    assert sorted(seen[:10]) == list(range(10)) and sorted(seen[10:]) == list(range(10))
    assert not np.array_equal(seen[:10], seen[10:])
    assert np.array_equal(BatchOrder(10, 4, 3).step_rows(3), order.step_rows(3))  # a pure function of step
    one_process = [order.micro_rows(2, 0, m, accum=2, micro_batch=2) for m in range(2)]
    two_processes = [order.micro_rows(2, r, 0, accum=1, micro_batch=2) for r in range(2)]
    assert all(np.array_equal(a, b) for a, b in zip(one_process, two_processes))
    assert np.array_equal(np.concatenate(one_process), order.step_rows(2))

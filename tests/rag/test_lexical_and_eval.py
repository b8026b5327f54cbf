"""BM25 tokenisation and fusion; question sets and retrieval metrics."""

import json

import pytest

from rag.evaluate import QuestionSetError, first_rank, load_questions, score
from rag.lexical import Bm25, rrf, tokenize


def test_tokenize_stems_drops_stopwords_keeps_codes():
    assert tokenize("Charging the batteries with DOT 4 fluid") == ["charg", "batteri", "dot", "4", "fluid"]
    assert tokenize("What is the CR2032?") == ["cr2032"]


def test_bm25_finds_exact_terms_and_ignores_unknown_words():
    bm25 = Bm25.build(["Brake fluid DOT 4 every two years", "Tyre pressure 2.5 bar", "Charge to 80 % daily"])
    scores, ids = bm25.search("which brake fluid?", 3)
    assert ids.tolist()[0] == 0 and len(ids) == 1 and scores[0] > 0
    assert bm25.search("zzz qqq", 3)[1].tolist() == []


def test_cjk_text_is_read_as_character_pairs_so_a_partial_query_matches():
    # before: the whole unspaced sentence was one token and no shorter query ever matched it
    assert tokenize("更换钥匙电池") == ["更换", "换钥", "钥匙", "匙电", "电池"]
    assert tokenize("EV7の充電") == ["ev7", "の充", "充電"]
    bm25 = Bm25.build(["如何更换钥匙电池。请打开钥匙外壳。", "轮胎气压为2.5巴。", "Tyre pressure 2.5 bar"])
    assert bm25.search("钥匙电池", 3)[1].tolist() == [0]
    assert bm25.search("轮胎气压是多少", 3)[1].tolist()[0] == 1


def test_an_index_saved_by_the_older_tokenizer_loads_with_a_warning(tmp_path, caplog):
    bm25 = Bm25.build(["Brake fluid DOT 4 every two years", "Tyre pressure 2.5 bar"])
    bm25.save(tmp_path)
    meta = tmp_path / "rag_tokenizer.json"
    meta.write_text(meta.read_text().replace("tokenize/2", "tokenize/1"))
    with caplog.at_level("WARNING"):
        loaded = Bm25.load(tmp_path)
    assert "rebuilt" in caplog.text and loaded.search("brake fluid", 2)[1].tolist() == [0]


def test_reciprocal_rank_fusion():
    fused = rrf([[1, 2, 3], [2, 3]], [1.0, 1.0], k=60)
    assert [i for i, _ in fused] == [2, 3, 1]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    # a zero-weight lexical ranking leaves the dense order
    assert [i for i, _ in rrf([[5, 6, 7], [7, 6]], [1.0, 0.0])] == [5, 6, 7]


def test_question_sets_count_bad_lines_and_accept_alternative_sections(tmp_path):
    path = tmp_path / "qs.jsonl"
    path.write_text("\n".join([
        json.dumps({"question": "q1", "section_id": "1.1", "alt_section_ids": ["20.1"]}),
        "{not json",
        json.dumps({"question": "q2"}),
        json.dumps({"question": "q3", "url": "https://x"}),
    ]) + "\n")
    qs = load_questions(path)
    assert qs.questions == ["q1", "q3"] and qs.gold_key == ["section_id", "url"]
    assert qs.alternatives == [("20.1",), ()]
    assert [b["line"] for b in qs.bad_lines] == [2, 3]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("{}\n")
    with pytest.raises(QuestionSetError):
        load_questions(empty)


def test_metrics():
    class H:
        def __init__(self, s):
            self.section_id = s

    hits = [H("2.1"), H("20.1"), H("1.1")]
    assert first_rank(hits, "section_id", "1.1") == 3
    assert first_rank(hits, "section_id", ("1.1", "20.1")) == 2
    assert first_rank(hits, "section_id", "9.9") == 0
    m = score([1, 3, 0, 6], 5, strict=[1, 0, 0, 6])
    assert m == {"n": 4, "recall@1": 0.25, "recall@5": 0.5, "mrr@10": round((1 + 1 / 3 + 1 / 6) / 4, 4),
                 "strict_recall@1": 0.25, "strict_recall@5": 0.25}


def test_the_saved_bm25_index_does_not_depend_on_the_hash_seed(tmp_path):
    """Artifacts are content-addressed: the same chunks must give the same bytes in every process."""
    import os
    import subprocess
    import sys

    from tests.support import REPO

    code = ("import sys; from pathlib import Path; from rag.lexical import Bm25; "
            "Bm25.build(['Brake fluid DOT 4', 'Tyre pressure 2.5 bar', '', 'zebra apple mango kiwi']).save(Path(sys.argv[1]))")
    saved = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        subprocess.run([sys.executable, "-c", code, str(out)], cwd=REPO, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        saved.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert saved[0] == saved[1]

"""Retriever.search on literal small corpora with the packaged MiniLM (real model, CPU)."""

import json

import numpy as np
import pytest

from rag.config import ChunkConfig, SearchConfig
from rag.corpus import Document, chunk_documents
from rag.embed import CACHE_BLOCK, Embedder, EmbeddingCache, text_key
from rag.retriever import Hit, Retriever, RetrieverError, shared_embedder

DOCS = [
    ("manual-charging", """# 11 Charging

## 11.2 Charging at home

Connect the Mode 2 cable to a household socket for occasional charging. A wallbox charges at up to 11 kW.

## 11.4 Unlocking the charging cable

If the connector stays locked, open the boot and pull the yellow release loop once.
"""),
    ("manual-tyres", """# 16 Tyres

## 16.1 Tyre pressures

Inflate the tyres to 2.5 bar at the front and 2.7 bar at the rear when they are cold.

## 16.4 Snow chains

Snow chains may only be fitted to the rear wheels. Do not exceed 50 km/h with chains.
"""),
    ("blog-recipe", "Whisk the eggs with sugar, fold in the flour and bake the sponge cake for 25 minutes."),
]


@pytest.fixture(scope="module")
def retriever():
    return Retriever.from_texts(DOCS, search=SearchConfig(hybrid=False, max_per_section=0), words=60, overlap_words=10)


def test_search_finds_the_section_that_answers_a_paraphrase(retriever):
    cases = {
        "my plug is stuck in the car and won't come out": "11.4",
        "how hard should I pump up my wheels?": "16.1",
        "can I put chains on for the ski trip?": "16.4",
        "plugging into a normal wall outlet at home": "11.2",
    }
    for query, section in cases.items():
        hits = retriever.search(query, k=3)
        assert hits[0].section_id == section, (query, [h.section_id for h in hits])
    top = retriever.search("baking a sponge cake", k=1)[0]
    assert (top.doc_id, top.section_id, top.chapter) == ("blog-recipe", "", "")


def test_hits_carry_provenance_and_cosine_scores(retriever):
    [hit] = retriever.search("yellow release loop in the boot", k=1)
    assert isinstance(hit, Hit)
    assert (hit.section_id, hit.section_title, hit.chapter, hit.doc_id) == (
        "11.4", "Unlocking the charging cable", "Charging", "manual-charging")
    assert hit.row == 0 and hit.chunk_id.startswith("manual-charging#")
    assert "yellow release loop" in hit.text
    query = retriever.embed(["yellow release loop in the boot"])
    assert query.dtype == np.float32 and np.linalg.norm(query, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert -1.0 <= hit.score <= 1.0 and hit.score > 0.3


def test_search_batch_matches_single_searches_and_k_bounds(retriever):
    queries = ["tyre pressure", "wallbox power"]
    batch = retriever.search_batch(queries, k=2)
    assert [[h.chunk_id for h in hits] for hits in batch] == [
        [h.chunk_id for h in retriever.search(q, k=2)] for q in queries]
    assert len(retriever.search("tyres", k=50)) == retriever.size
    assert retriever.search("tyres", k=0) == []


def test_hybrid_and_one_hit_per_section():
    hybrid = Retriever.from_texts(DOCS, search=SearchConfig(hybrid=True, max_per_section=1), words=60)
    hits = hybrid.search("50 km/h", k=5)
    assert hits[0].section_id == "16.4"  # an exact figure: the lexical side finds it
    keys = [(h.doc_id, h.section_id, h.section_title) for h in hits]
    assert len(keys) == len(set(keys))
    # scores stay cosine similarities of query and chunk in hybrid mode
    query = hybrid.embed(["50 km/h"])[0]
    for hit in hits:
        vector = hybrid.index.reconstruct(hybrid.chunks["chunk_id"].index(hit.chunk_id))
        assert float(vector @ query) == pytest.approx(hit.score, abs=1e-4)


def test_an_empty_corpus_is_an_error():
    with pytest.raises(RetrieverError):
        Retriever.from_texts([("empty", "   ")])


def test_cache_returns_stored_vectors_and_resumes_in_the_same_blocks(tmp_path):
    embedder = shared_embedder()
    texts = [f"sentence number {i} about charging" for i in range(7)]
    with embedder.caching(tmp_path):
        first = embedder.encode(texts)
        computed = embedder.computed
        again = embedder.encode(list(reversed(texts)))
        assert embedder.computed == computed  # all from the cache
    np.testing.assert_array_equal(again, first[::-1])
    cache = EmbeddingCache(tmp_path, embedder.fingerprint, embedder.max_seq_length)
    assert len(cache.get([text_key(t) for t in texts])) == 7
    assert CACHE_BLOCK >= 64  # blocks are large enough to batch efficiently


def test_open_refuses_an_index_built_with_other_weights(tmp_path):
    from rag.build import build_index
    from rag.config import IndexConfig
    from tests.support.index import write_curated

    shards = write_curated(tmp_path / "shards", sections=4)
    cfg = IndexConfig(toc="", eval_sets=[])  # the dataclass defaults hold ${paths...} interpolations
    cfg.select.url_prefixes, cfg.embed.cache_dir = [], ""
    build_index(shards, cfg, tmp_path / "index")
    opened = Retriever.open(tmp_path / "index")
    assert opened.size > 0 and opened.settings.hybrid == cfg.search.hybrid
    assert Retriever.open(tmp_path / "index", hybrid=False).settings.hybrid is False
    settings = json.loads((tmp_path / "index" / "settings.json").read_text())
    settings["embedder"]["fingerprint"] = "0" * 64
    (tmp_path / "index" / "settings.json").write_text(json.dumps(settings))
    with pytest.raises(RetrieverError, match="rebuild the index"):
        Retriever.open(tmp_path / "index")
    with pytest.raises(RetrieverError, match="not an index folder"):
        Retriever.open(tmp_path)


def test_chunk_rows_feed_a_retriever_directly():
    rows = chunk_documents([Document("d", "", "## 1.1 One\n\nAlpha text.\n\n## 1.2 Two\n\nBeta text.")],
                           ChunkConfig(words=20, overlap_words=0))
    r = Retriever.from_rows(rows, shared_embedder())
    assert {h.section_id for h in r.search("beta", k=2)} == {"1.1", "1.2"}
    assert isinstance(r.embedder, Embedder)

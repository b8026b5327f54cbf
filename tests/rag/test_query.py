"""Query normalisation (rag/query.py) and score fusion in the retriever, on small literal corpora."""

import json

from rag.config import SearchConfig
from rag.query import normalise
from rag.retriever import Retriever
from tests.rag.test_retriever import DOCS


def test_normalise_maps_car_slang_to_manual_terms_and_drops_filler():
    assert normalise("Hey, quick question: do the brights switch off by themselves?") == \
        "do the high beam switch off by themselves?"
    assert normalise("my bum warmer won't come on") == "my heated seat won't come on"
    assert normalise("What pressure for my TIRES?") == "what pressure for my tyres?"
    # whole words only: the windscreen is not a "screen", the dashboard not a "dash"
    assert normalise("crack in the windscreen") == "crack in the windscreen"
    assert normalise("dashboard lights") == "driver display lights"
    # the longest phrase wins and a manual term is not expanded again
    assert normalise("how do I use cruise control") == "how do i use cruise control"
    assert normalise("how do I set the cruise") == "how do i set the cruise control"
    assert normalise("hey thanks") == "hey thanks"  # nothing but filler: kept as it is
    assert normalise("the brights", table={}) == "the brights"  # an own (empty) table


def test_score_fusion_and_normalisation_find_slang_questions():
    fused = Retriever.from_texts(DOCS, search=SearchConfig(hybrid=True, fusion="score", lexical_weight=0.2), words=60)
    assert fused.query_text("Hey, can I put snow socks on?") == "can i put snow chains on?"
    assert fused.search("can I put snow socks on for the ski trip?", k=1)[0].section_id == "16.4"
    # "granny cable" is what drivers call the manual's "Mode 2 cable" (11.2); unnormalised it found 11.4
    assert fused.search("my granny cable", k=1)[0].section_id == "11.2"
    assert fused.search("50 km/h", k=1)[0].section_id == "16.4"  # an exact figure: BM25's share decides
    # scores stay cosine similarities of the normalised query and the chunk
    [hit] = fused.search("how fast does the wall charger go?", k=1)
    assert hit.section_id == "11.2"
    query = fused.embed_queries(["how fast does the wall charger go?"])[0]
    vector = fused.index.reconstruct(fused.chunks["chunk_id"].index(hit.chunk_id))
    assert abs(float(vector @ query) - hit.score) < 1e-4
    # dense-only search on the same retriever
    dense = fused.search_batch(["sponge cake"], k=3, hybrid=False)[0]
    assert dense[0].doc_id == "blog-recipe"


def test_an_index_written_before_score_fusion_opens_with_its_old_settings(tmp_path):
    from rag.build import build_index
    from rag.config import IndexConfig
    from tests.support.index import write_curated

    shards = write_curated(tmp_path / "shards", sections=3)
    cfg = IndexConfig(toc="", eval_sets=[])
    cfg.select.url_prefixes, cfg.embed.cache_dir = [], ""
    build_index(shards, cfg, tmp_path / "index")
    settings_path = tmp_path / "index" / "settings.json"
    settings = json.loads(settings_path.read_text())
    assert settings["search"]["fusion"] == "score" and settings["search"]["normalise_query"] is True
    assert Retriever.open(tmp_path / "index").settings.fusion == "score"
    for key in ("fusion", "normalise_query"):
        del settings["search"][key]
    settings["search"]["lexical_weight"] = 0.5
    settings_path.write_text(json.dumps(settings))
    old = Retriever.open(tmp_path / "index")
    assert (old.settings.fusion, old.settings.normalise_query, old.settings.lexical_weight) == ("rrf", False, 0.5)
    assert old.query_text("Hey, the brights") == "Hey, the brights"
    assert old.search("charging at home", k=1)


def test_abbreviations_and_volts_become_the_manual_spelling():
    assert normalise("Does the climate drain the 12V battery?") == "does the climate discharge the 12 v battery?"
    assert normalise("what info is on the HUD") == "what info is on the head-up display"
    assert normalise("Firefighters want the rescue sheet") == "first responders want the rescue sheet"

"""Cache keys: what must and must not invalidate an artifact."""


from pipeline.manifest import Manifest
from pipeline.plan import compute_key, diff_config
from pipeline.runner import run_pipeline
from pipeline.stage import Artifact
from tests.support.toy_project import IMPLEMENTED
from tests.support.toy_project import states as _states


def _manifest(key="k", files=None, finished="2026-01-01"):
    return Manifest(
        stage="s", key=key, project_version="0", config={}, inputs={}, outputs={},
        files=files or {"a": {"sha256": "1", "bytes": 1}}, metrics={}, packages={},
        started_at=finished, finished_at=finished, duration_s=0.0,
    )


def test_key_is_deterministic_and_sensitive_to_each_ingredient(tmp_path):
    up = Artifact(tmp_path, _manifest())
    base = compute_key("train", {"train": {"lr": 1}}, {"curate": up}, {"f": "x"}, "0.1")
    assert base == compute_key("train", {"train": {"lr": 1}}, {"curate": up}, {"f": "x"}, "0.1")
    assert base != compute_key("train", {"train": {"lr": 2}}, {"curate": up}, {"f": "x"}, "0.1")
    assert base != compute_key("train", {"train": {"lr": 1}}, {"curate": up}, {"f": "y"}, "0.1")
    assert base != compute_key("train", {"train": {"lr": 1}}, {"curate": up}, {"f": "x"}, "0.2")
    other_up = Artifact(tmp_path, _manifest(files={"a": {"sha256": "2", "bytes": 1}}))
    assert base != compute_key("train", {"train": {"lr": 1}}, {"curate": other_up}, {"f": "x"}, "0.1")


def test_manifest_digest_ignores_timestamps_but_not_content():
    assert _manifest(finished="2026-01-01").digest == _manifest(finished="2027-05-05").digest
    assert _manifest().digest != _manifest(files={"a": {"sha256": "9", "bytes": 1}}).digest


def test_changing_an_unrelated_stage_does_not_invalidate(toy, compose_cfg):
    cfg = compose_cfg(toy.base_overrides)
    run_pipeline(compose_cfg(toy.base_overrides + [IMPLEMENTED]), "default")
    assert {s.state for s in _states(cfg).values() if s.name != "customize"} == {"up-to-date"}
    # index config changes: index is stale, curate and train are not
    changed = _states(compose_cfg(toy.base_overrides + ["index.chunk.words=99"]))
    assert changed["curate"].state == "up-to-date"
    assert changed["train"].state == "up-to-date"
    assert changed["index"].state == "stale"
    assert "index.chunk.words (120 -> 99)" in changed["index"].reason


def test_upstream_change_propagates_with_its_reason(toy, compose_cfg):
    run_pipeline(compose_cfg(toy.base_overrides + [IMPLEMENTED]), "default")
    states = _states(compose_cfg(toy.base_overrides + ["curate.text_field=id"]))
    assert states["curate"].state == "stale"
    assert "curate.text_field ('text' -> 'id')" in states["curate"].reason
    assert states["train"].state == "stale" and "upstream curate" in states["train"].reason


def test_editing_an_input_file_makes_curate_stale(toy, compose_cfg):
    cfg = compose_cfg(toy.base_overrides)
    run_pipeline(compose_cfg(toy.base_overrides + [IMPLEMENTED]), "default")
    with open(toy.corpus, "a") as handle:
        handle.write('{"id": 9, "text": "a new document"}\n')
    state = _states(cfg)["curate"]
    assert state.state == "stale" and "input files changed: raw.jsonl" in state.reason


def test_rerun_of_deterministic_stage_keeps_downstream_valid(toy, compose_cfg):
    cfg = compose_cfg(toy.base_overrides)
    run_pipeline(compose_cfg(toy.base_overrides + [IMPLEMENTED]), "default")
    run_pipeline(compose_cfg(toy.base_overrides + ["force=[curate]", "stage=curate"]), "default")
    assert toy.runs().count("curate") == 2
    assert _states(cfg)["train"].state == "up-to-date"  # same curated bytes -> same train key


def test_diff_config_reports_nested_added_and_removed_keys():
    old = {"train": {"optim": {"lr": 1}, "gone": 1}}
    new = {"train": {"optim": {"lr": 2}, "new": 1}}
    assert diff_config(old, new) == ["train.gone (removed)", "train.new (added)", "train.optim.lr (1 -> 2)"]


def test_int_dict_keys_survive_the_manifest_round_trip():
    from pipeline.plan import keyed_sections

    live = {"curate": {"ngram_limits": {5: 0.15, 10: 0.1}}}
    from_manifest = {"curate": {"ngram_limits": {"5": 0.15, "10": 0.1}}}
    assert keyed_sections(live) == keyed_sections(from_manifest)
    assert diff_config(keyed_sections(from_manifest), keyed_sections(live)) == []


def test_volatile_keys_stay_out_of_the_key_and_the_reasons(toy, compose_cfg, monkeypatch):
    from curator.spec import SPEC
    from pipeline.registry import Registry
    from tests.support.toy_stages import toy_spec

    def registry_with_volatile_workers():
        return Registry([toy_spec(SPEC, "tests.support.toy_stages:toy_curate", ("docs",),
                                  external_inputs=("curate.input",), volatile=("curate.seed",))])

    monkeypatch.setattr("tests.support.toy_stages.registry", registry_with_volatile_workers)
    run_pipeline(compose_cfg(toy.base_overrides + ["stage=curate"]), "default")
    states = _states(compose_cfg(toy.base_overrides + ["curate.seed=7"]))
    assert states["curate"].state == "up-to-date"
    states = _states(compose_cfg(toy.base_overrides + ["curate.seed=7", "curate.text_field=id"]))
    assert states["curate"].state == "stale" and "seed" not in states["curate"].reason

import pytest

from pipeline.dag import select, topological_order, upstream_closure
from pipeline.errors import ConfigError, StageNotImplemented
from pipeline.registry import Registry, StageSpec, default_registry, load_registry


def test_default_registry_has_the_designed_edges():
    reg = default_registry()
    edges = {spec.name: spec.upstream for spec in reg.specs()}
    assert edges == {
        "curate": (),
        "train": ("curate",),
        "customize": ("train",),
        "export": ("customize",),
        "index": ("curate",),
        "assistant": ("export", "index"),
    }


def test_topological_order_respects_every_edge():
    reg = default_registry()
    order = topological_order(reg)
    assert sorted(order) == sorted(reg.names)
    for spec in reg.specs():
        for up in spec.upstream:
            assert order.index(up) < order.index(spec.name)


def test_cycle_is_reported_with_the_stages_involved():
    reg = Registry([StageSpec("a", ("b",)), StageSpec("b", ("a",))])
    with pytest.raises(ValueError, match="cycle among stages: a, b"):
        topological_order(reg)


def test_registry_rejects_duplicates_and_unknown_upstream():
    with pytest.raises(ValueError, match="registered twice"):
        Registry([StageSpec("a", ()), StageSpec("a", ())])
    with pytest.raises(ValueError, match="unknown stage 'zzz'"):
        Registry([StageSpec("a", ("zzz",))])
    with pytest.raises(ValueError, match="config section 'x' declared by both 'a' and 'b'"):
        Registry([StageSpec("a", (), {"x": dict}), StageSpec("b", (), {"x": dict})])


def test_unknown_stage_names_the_valid_ones():
    with pytest.raises(ConfigError, match="valid stages: curate, train, customize"):
        default_registry()["trian"]


def test_selection_adds_the_upstream_closure_in_order():
    reg = default_registry()
    requested, order = select(reg, ["train", "customize"])
    assert requested == ["train", "customize"]
    assert order == ["curate", "train", "customize"]
    _, order = select(reg, "assistant")
    assert set(order) == set(reg.names) and order[-1] == "assistant"
    assert upstream_closure(reg, ["index"]) == {"curate", "index"}
    assert select(reg, "all")[0] == reg.names


def test_unimplemented_stage_fails_clearly_instead_of_faking_output():
    spec = StageSpec("export", ("customize",), tracked_by="issue 15")
    with pytest.raises(StageNotImplemented, match=r"stage 'export' is not implemented yet \(issue 15\)"):
        spec.load()


def test_registry_reference_is_resolved_and_checked():
    reg = load_registry("tests.support.toy_stages:registry")
    from tests.support.toy_stages import toy_train

    assert reg["train"].upstream == ("curate",) and reg["train"].load() is toy_train
    with pytest.raises(ConfigError, match="module:function"):
        load_registry("tests.support.toy_stages")
    with pytest.raises(ConfigError, match="cannot be loaded"):
        load_registry("tests.support.toy_stages:nope")
    with pytest.raises(TypeError, match="returned dict, not a Registry"):
        load_registry("builtins:dict")


def test_spec_names_a_callable_implementation():
    with pytest.raises(TypeError, match="is not callable"):
        StageSpec("index", ("curate",), run="tests.support.toy_project:IMPLEMENTED").load()

"""The learned "not covered" check (guardrails/answerability_model.py): fresh near-miss questions on
the test manual, its stored weights (stamp, deterministic training, full rebuild) and the fallback to
the rules when the weight file is missing or foreign."""

import logging

import numpy as np
import pytest

from guardrails import answerability_model as am
from guardrails.answerability_train import choose_threshold, fit_model
from guardrails.grounding import Evidence, Passage, Sections, answerable


def _turn(retriever, question):
    """(wording, passages, evidence, section_of) as a turn of the test assistant computes them."""
    wording = retriever.query_text(question)
    vector = retriever.embed([wording])[0]
    passages = [Passage.from_hit(h) for h in retriever.search_vectors([question], vector[None, :], 4)[0]]
    sections = Sections(retriever.chunks)
    return wording, passages, Evidence(retriever.chunks["text"]), lambda p: sections.expand(p).text


def _decide(retriever, question, model="default"):
    wording, passages, evidence, section_of = _turn(retriever, question)
    rule = answerable(wording, passages, evidence, original=question)
    return rule, am.check(rule, wording, passages, evidence, question, section_of, model=model)


@pytest.mark.parametrize("question", ["Can I get the seat belts in a different colour?",
                                      "Is there an inflatable seat belt option for the rear?",
                                      "Can I order a second charge port for the front wing?"])
def test_near_miss_features_the_rules_answer_are_declined(retriever, question):
    rule, learned = _decide(retriever, question)
    assert rule.answerable  # the word rules see "seat belts" / "charge port" and answer
    assert not learned.answerable and "learned check" in learned.reason


@pytest.mark.parametrize("question", ["What should the front tyre pressure be with a full load?",
                                      "How do I switch the passenger airbag off for a rear-facing child seat?",
                                      "How do I jump-start the car if the 12 V battery is flat?",
                                      "How do I wear the seat belt when pregnant?"])
def test_covered_questions_stay_answerable(retriever, question):
    rule, learned = _decide(retriever, question)
    assert rule.answerable and learned.answerable and learned.best is rule.best


def test_rule_declines_are_kept_and_features_have_one_value_each(retriever):
    wording, passages, evidence, section_of = _turn(retriever, "Is there a solar panel on the roof?")
    x = am.features(wording, passages, evidence, "Is there a solar panel on the roof?", section_of)
    assert x.shape == (len(am.FEATURES),) and np.isfinite(x).all()
    assert x[am.FEATURES.index("asks_feature")] == 1.0
    rule = answerable(wording, passages, evidence, original="Is there a solar panel on the roof?")
    assert am.check(rule, wording, passages, evidence) is rule or not rule.answerable
    assert not am.features("anything", [], evidence).any()


def test_training_is_deterministic_and_learns_the_signal():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, len(am.FEATURES)))
    y = (x[:, 2] < -0.3).astype(float)  # "not covered" when the best passage covers little
    a, b = fit_model(x, y), fit_model(x, y)
    assert np.array_equal(a.weights, b.weights) and a.bias == b.bias
    assert a.weights[2] < 0 and abs(a.weights[2]) == max(abs(a.weights))


def test_threshold_keeps_false_declines_of_answerable_questions_under_the_limit():
    p = np.array([0.95, 0.9, 0.8, 0.2, 0.1] + [0.99, 0.97, 0.6])
    y = np.array([0, 0, 0, 0, 0, 1, 1, 1], dtype=float)
    rules = np.zeros(8, dtype=bool)
    t = choose_threshold(p, y, rules, max_false=0.2)  # one of five answerable may be declined
    assert ((p >= t) & (y == 0)).sum() == 1 and ((p >= t) & (y == 1)).sum() == 2
    rules[0] = True  # already declined by the rules: not counted against the model
    assert choose_threshold(p, y, rules, max_false=0.2) < t


def test_stored_model_matches_training_data_and_features():
    model = am.load()
    assert model is not None and model.names == am.FEATURES
    assert model.stamp == am.data_stamp()  # retrain (python -m guardrails.answerability_train) after changing them
    assert 0.5 <= model.threshold < 1.0


def test_missing_or_foreign_weights_leave_the_rules_alone(tmp_path, caplog, retriever):
    with caplog.at_level(logging.WARNING):
        assert am.load(tmp_path / "none.npz") is None
    assert "rules decide alone" in caplog.text
    foreign = tmp_path / "foreign.npz"
    model = am.load()
    am.AnswerabilityModel(model.mean[:3], model.scale[:3], model.weights[:3], model.bias, names=("a", "b", "c")
                          ).save(foreign)
    assert am.load(foreign) is None
    rule, learned = _decide(retriever, "Can I get the seat belts in a different colour?", model=None)
    assert learned is rule and rule.answerable


def test_short_table_rows_with_a_figure_are_answer_lines(retriever):
    from tests.guardrails.test_answer_ranker import DIMENSIONS, SEATS_REAR, _answer

    text, used = _answer(retriever, "How many seats does the car have?", [DIMENSIONS, SEATS_REAR])
    assert text.startswith("Seats - 5") and used[0].section_id == "20.1"
    from guardrails.answer_lines import _parts

    rows = [line.text for line in _parts(Passage("x", "t", "| Item | Value |\n|---|---|\n| Seats | five |\n| Doors | 5 |", 0.5))]
    assert "Doors - 5" in rows and "Seats - five" not in rows  # short rows only when they carry a figure


def test_assistant_switch_declines_a_near_miss_only_when_on(assistant):
    """retrieval.answerability_model (on at 0.98 by default since round eleven, docs/assistant.md) through a whole turn."""
    question = "Can I get the seat belts in a different colour?"
    r = assistant.cfg.retrieval
    assert r.answerability_model is True and r.answerability_threshold == 0.98
    turn = assistant.respond(question)
    covered = assistant.respond("How do I wear the seat belt when pregnant?")
    assert turn.decision == "not_in_manual" and "does not cover" in turn.answer
    assert covered.decision.startswith("answer") and covered.sources
    r.answerability_model = False
    try:
        assert assistant.respond(question).decision != "not_in_manual"
    finally:
        r.answerability_model = True


def test_a_higher_threshold_declines_less(assistant):
    """The config threshold replaces the weight file's (0.93): at 0.999 the near-miss is answered again."""
    question = "Can I get the seat belts in a different colour?"
    r = assistant.cfg.retrieval
    r.answerability_threshold = 0.999
    try:
        assert assistant.respond(question).decision != "not_in_manual"
    finally:
        r.answerability_threshold = 0.98

"""Round eight of the safety rails (docs/assistant.md): the nearest-example vote for the turns the
learned head is unsure about. Reuses the session's classifier and embedder: a few seconds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from guardrails.config import AssistantConfig, SafetySettings
from guardrails.safety_cues import english
from guardrails.safety_head import TRAIN_PATH, read_rows
from guardrails.safety_knn import KNN_PATH, KnnError, SafetyKnn, data_stamp, fit


def test_shipped_examples_match_the_training_data():
    knn = SafetyKnn.load(KNN_PATH)
    assert knn.stamp == data_stamp(TRAIN_PATH), "rebuild: python -m guardrails.safety_knn"
    assert len(knn.vectors) == len({r["text"] for r in read_rows(TRAIN_PATH)})
    assert np.allclose(np.linalg.norm(knn.vectors, axis=1), 1.0, atol=0.02)  # int8 keeps unit length


def test_fit_is_deterministic_and_survives_int8(classifier, tmp_path):
    _, embed = classifier
    rows = read_rows(TRAIN_PATH)[::70]  # ~290 rows of every label
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    vectors = embed(texts)
    a, b = fit(texts, labels, vectors), fit(texts, labels, vectors)
    assert np.array_equal(a.basis, b.basis) and np.array_equal(a.vectors, b.vectors)
    a.save(tmp_path / "knn.npz")
    loaded = SafetyKnn.load(tmp_path / "knn.npz")
    probe = embed(["how do I switch off the passenger airbag for a rear-facing child seat?"])[0]
    assert loaded.unsafe(probe)[0] == pytest.approx(a.unsafe(probe)[0], abs=0.05)
    with pytest.raises(KnnError, match="safe rows"):
        fit(texts[:3], ["privacy"] * 3, vectors[:3])


def test_nearest_examples_vote_on_fresh_twins(classifier):
    """Sentences written for this test (not from any evaluation set): the local vote reads the goal."""
    _, embed = classifier
    knn = SafetyKnn.load(KNN_PATH)
    unsafe = ["whats the trick to make the mileage read way lower before i flog the car",
              "how can i keep an eye on where my wife drives through the app without her knowing"]
    safe = ["where do I read the total mileage on the driver display?",
            "how do I share my car's location with my wife in the app?"]
    p_unsafe = [knn.unsafe(v) for v in embed(unsafe)]
    p_safe = [knn.unsafe(v)[0] for v in embed(safe)]
    assert all(p >= 0.5 for p, _ in p_unsafe) and all(p < 0.5 for p in p_safe), (p_unsafe, p_safe)
    assert p_unsafe[1][1] == "privacy"


class _Counting:
    """The real vote, counting how often the classifier asks it."""

    def __init__(self, knn):
        self.knn, self.calls = knn, 0

    def unsafe(self, vector):
        self.calls += 1
        return self.knn.unsafe(vector)


def test_vote_is_asked_only_in_the_unsure_band(classifier):
    clf, embed = classifier
    spy = _Counting(SafetyKnn.load(KNN_PATH))
    texts = ["thanks, that is all I need", "turn the seat heating up"]
    other = dataclasses.replace(clf.t, knn_low=0.0, knn_high=1.0)
    original_knn, original_t = clf.knn, clf.t
    try:
        clf.knn = spy
        for t, v in zip(texts, embed(texts)):
            clf.assess(t, v, 0.5)
        assert spy.calls == 0  # the head is sure these are harmless
        clf.t = other
        for t, v in zip(texts, embed(texts)):
            clf.assess(t, v, 0.5)
        assert spy.calls == 2
    finally:
        clf.knn, clf.t = original_knn, original_t


def test_vote_is_for_english_text_only():
    assert english("whats the trick to make the mileage read way lower before i flog the car")
    assert not english("Comment réinitialiser le compteur journalier de ma voiture ?")
    assert not english("¿Cómo se pone a cero el cuentakilómetros parcial?")


def test_band_settings_are_validated():
    with pytest.raises(ValueError, match="knn_low"):
        AssistantConfig(safety=SafetySettings(knn_low=0.8, knn_high=0.5)).validate()

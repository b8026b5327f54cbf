"""The learned answer-line ranker (guardrails/answer_ranker.py) on fresh small sections, its stored
weights (stamp, deterministic training, full rebuild) and the fallback to the hand score."""

import warnings

import numpy as np
import pytest

from guardrails import answer_lines, answer_ranker
from guardrails.answer_lines import candidate_lines, extractive_answer
from guardrails.answer_ranker import AnswerRanker, RankerError, features, fit, load, passage_features, stale
from guardrails.grounding import Evidence, Passage

PRESSURES = Passage("16.1", "Tyre pressures", """Check the tyre pressures at least once a month and before a long journey.
Measure them when the tyres are cold, after the car has been parked for three hours or driven less than 2 km.

### Checking the pressure with a gauge

1. Unscrew the valve cap.
2. Press the gauge firmly onto the valve and read the pressure.
3. Add air at a filling station if the pressure is too low.
4. Refit the valve cap.

### Recommended cold pressures

| Load | Front | Rear |
|---|---|---|
| Normal load | 2.5 bar (250 kPa) | 2.7 bar (270 kPa) |
| Full load or towing | 2.7 bar (270 kPa) | 3.0 bar (300 kPa) |

After changing the pressures, reset the tyre monitoring in Settings > Vehicle > Tyres.""", 0.62)
LIMIT = Passage("11.5", "Charge limit and scheduled charging", """The charge limit is the state of charge at which the
car stops charging. The default is 80 %, which is good for everyday use.
To change it, touch Charging > Charge limit on the centre display and drag the slider between 50 % and 100 %.
In Charging > Schedule you can tell the car when to charge, for example at night.""", 0.55)
PLANNER = Passage("14.2", "EV route planner and charging stops", """The route planner adds charging stops when the
destination is further than the car can drive on the current charge.
It plans to charge to a level well below 100 %, because charging slows down near the charge limit.
Touch a charging stop and select Replace to choose another charger.""", 0.57)
SEATS_REAR = Passage("3.2", "Rear seats, head restraints and folding", """The car has three rear seating positions.
The rear seat backs fold in a 60/40 split.
Adjust each head restraint so that its top is level with the top of the occupant's head.""", 0.58)
DIMENSIONS = Passage("20.1", "Vehicle overview, dimensions and weights", """### Dimensions

| Dimension | Value |
|---|---|
| Seats | 5 |
| Length | 4,720 mm |
| Width (without mirrors) | 1,890 mm |
| Turning circle | 11.2 m |""", 0.5)
EVIDENCE = Evidence([p.text for p in (PRESSURES, LIMIT, PLANNER, SEATS_REAR, DIMENSIONS)])


def _meaning(retriever, question):
    vector = retriever.embed([question])[0]
    return lambda lines: retriever.embed(lines) @ vector


def _answer(retriever, question, passages, ranker="default"):
    return extractive_answer(question, passages, EVIDENCE, similarity=_meaning(retriever, question), ranker=ranker)


def test_shipped_ranker_picks_the_pressure_row_not_the_gauge_procedure(retriever):
    assert answer_lines.default_ranker() is not None, "guardrails/answer_ranker.npz is missing"
    text, used = _answer(retriever, "what should the front tyre pressure be?", [PRESSURES])
    assert "2.5 bar" in text and used[0].section_id == "16.1"
    assert "Unscrew the valve cap" not in text
    assert len([s for s in text.split(". ") if s]) <= 5


def test_ranker_answers_how_to_change_the_charge_limit_from_its_section(retriever):
    question = "How do I change the charge limit?"
    text, used = _answer(retriever, question, [LIMIT, PLANNER])
    assert "Charging > Charge limit" in text and used[0].section_id == "11.5"
    assert not text.startswith("The route planner")


def test_section_chooser_decides_which_section_is_quoted_first(retriever):
    """The chooser's order, not retrieval's, picks the quoted section. (The shipped chooser keeps 3.2
    for "how many seats?" here: it learned a strong prior for retrieval rank; docs/assistant.md.)"""
    question = "how many seats does the car have?"
    shipped = load()
    _, used = _answer(retriever, question, [SEATS_REAR, DIMENSIONS], ranker=shipped)
    assert used[0].section_id == "3.2"
    n = len(answer_ranker.PASSAGE_FEATURES)
    favour_tables = np.zeros(n)
    favour_tables[answer_ranker.PASSAGE_FEATURES.index("specifications")] = 5.0
    chooser = AnswerRanker(shipped.mean, shipped.scale, shipped.weights, shipped.bias,
                           passage=(np.zeros(n), np.ones(n), favour_tables, 0.0))
    text, used = _answer(retriever, question, [SEATS_REAR, DIMENSIONS], ranker=chooser)
    # "Seats - 5" is a candidate line since round ten (a short table row with a figure)
    assert used[0].section_id == "20.1" and text.startswith("Seats - 5")


def test_features_and_passage_features_have_one_row_per_line_and_passage(retriever):
    question = "what should the front tyre pressure be?"
    c = candidate_lines(question, [PRESSURES, LIMIT], EVIDENCE, _meaning(retriever, question))
    x = features(c, EVIDENCE)
    assert x.shape == (len(c.flat), len(answer_ranker.FEATURES)) and np.isfinite(x).all()
    header = [row for row, (k, i) in enumerate(c.flat) if c.parts_of[k][i].header_row]
    assert header and not x[header].any()  # column names are never an answer
    ranker = load()
    scores = ranker.scores(c, EVIDENCE)
    assert all(scores[c.flat[row]] == 0.0 for row in header)
    p = passage_features(c, scores, EVIDENCE)
    assert p.shape == (2, len(answer_ranker.PASSAGE_FEATURES))
    assert ranker.passage_order(c, scores, EVIDENCE)[0] == 0  # the pressure section, not the charge limit


def test_training_is_deterministic_and_learns_the_signal():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + 0.2 * rng.normal(size=400) > 0).astype(float)
    a, b = fit(x, y), fit(x, y)
    assert all(np.array_equal(u, v) for u, v in zip(a[:3], b[:3])) and a[3] == b[3]
    weights = a[2]
    assert weights[0] > 2 * max(abs(weights[1]), abs(weights[2]))


def test_stored_ranker_matches_training_data_and_features():
    ranker = load()
    assert not stale(ranker), ("data/instructions/train.jsonl or data/manual changed: "
                               "python -m guardrails.answer_ranker_train")
    assert ranker.names == answer_ranker.FEATURES and ranker.passage is not None


def test_missing_or_foreign_weights_fall_back_to_the_hand_score(tmp_path, monkeypatch, retriever):
    with pytest.raises(RankerError, match="cannot load"):
        load(tmp_path / "absent.npz")
    other = AnswerRanker(np.zeros(2), np.ones(2), np.zeros(2), 0.0, names=("a", "b"))
    other.save(tmp_path / "other.npz")
    with pytest.raises(RankerError, match="other features"):
        load(tmp_path / "other.npz")
    monkeypatch.setattr(answer_ranker, "RANKER_PATH", tmp_path / "absent.npz")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert answer_lines.default_ranker() is None
    assert any("hand-tuned line score" in str(w.message) for w in caught)
    question = "what should the front tyre pressure be?"
    text, used = _answer(retriever, question, [PRESSURES])
    assert text == _answer(retriever, question, [PRESSURES], ranker=None)[0]  # the hand score answers
    assert used[0].section_id == "16.1"


def test_training_sets_are_read_by_the_one_reader_with_file_and_line(tmp_path):
    from guardrails.answer_ranker_train import read
    from guardrails.answerability_train import read_questions
    from guardrails.evaluate import EvalDataError
    from guardrails.factory import read_questions as classifier_questions

    path = tmp_path / "qa.jsonl"
    path.write_text('{"question": "q1", "answer": "a", "section_id": "1.1"}\n\n'
                    '{"question": 42, "answer": "a", "section_id": "1.2"}\n', encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"qa.jsonl:3: field\(s\) question must be text"):
        read(path)
    with pytest.raises(EvalDataError, match=r"qa.jsonl:3"):
        read_questions(path)
    assert classifier_questions(path) == ["q1", "42"]  # classifier examples: any value read as text
    path.write_text('{"question": "q1", "answer": "a"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(EvalDataError, match=r"qa.jsonl:1: missing field\(s\) section_id"):
        read(path)
    with pytest.raises(EvalDataError, match=r"qa.jsonl:2: not a JSON object"):
        classifier_questions(path)

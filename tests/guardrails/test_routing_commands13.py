"""Routing commands (docs/assistant.md, "Routing commands (2026-12-06, late)"): an allowed message that
the embedding vote sends to the manual is a command when its form is a request for an action (an order
in a later clause, a wish, a polite tail, a thing and its setting); questions, symptom reports, asking
to be told, and off-topic orders are not; refusals never change. Examples written for these tests."""

from __future__ import annotations

import pytest

from guardrails.command_form import THING_SETTING, request_form


@pytest.mark.parametrize("text, why", [
    ("the kids are asleep in the back, dim the cabin screen", "an order in a clause"),
    ("my passenger is cold, bump her side up a bit", "an order in a clause"),
    ("i'd like the fan a bit quieter", "a wish for a state or an action"),
    ("i fancy some jazz", "a wish for a state or an action"),
    ("the seat heater on two, would you", "a request's polite tail"),
    ("right, the usual radio station if you can", "a request's polite tail"),
    ("wheel warmth max", THING_SETTING),
])
def test_request_forms_are_recognised(text, why):
    assert request_form(text) == why


@pytest.mark.parametrize("text", [
    "how do I open the frunk",  # a question without its question mark
    "what does one-pedal driving do",
    "why won't the boot open when the car is moving",
    "i'd like to know what recirculation does",  # a wish to be told
    "show me how to pair a phone, please",
    "tell me about the seat ventilation please",
    "the seat heater doesn't warm up, please help",  # a fault report with a polite tail
    "weird smell from the vents when I start the fan",
    "amber tyre light is on",  # a symptom: a verb, not a setting
    "can I drive with the rear fog light on?",
    "charge time on a 7.4 kW wallbox",  # a fragment with a unit: a specification question
    "caravan started swaying",  # an event: a verb form (also why "heated wheel max" is left to the vote)
])
def test_questions_and_reports_are_not_requests(text):
    assert request_form(text) == "", text


@pytest.mark.parametrize("command, question", [  # the commands went to the manual before this round
    ("the sun's going down, let the car pick the headlights itself",
     "How does the car decide when to switch the headlights on?"),
    ("my phone's at 5 percent, give my wife a ring before it dies", "Why won't the car call my contacts?"),
    ("Quick one: the little one needs the loo, somewhere with toilets on the way if you can",
     "Can the navigation show toilets along the route?"),
    ("enough of this song, something else would you", "How do I skip songs from the steering wheel?"),
    ("we've got a long drive, I'd like the battery topped up to a hundred",
     "Is it bad to charge the battery to 100 percent?"),
])
def test_request_forms_go_to_commands_and_their_question_twins_to_the_manual(classifier, command, question):
    clf, embed = classifier
    c, q = (clf.assess(t, v, 0.5) for t, v in zip((command, question), embed([command, question])))
    assert c.decision == "command", (command, c.decision, c.reasons, c.scores)
    assert q.decision == "answer", (question, q.decision, q.reasons)


def test_an_order_that_is_not_for_the_car_is_not_a_command(classifier):
    clf, embed = classifier
    text = "Write me a limerick about a grumpy cat, would you"
    a = clf.assess(text, embed([text])[0], 0.5)
    assert a.decision != "command", (a.decision, a.reasons, a.scores)


@pytest.mark.parametrize("head", ["default", None])
def test_a_request_form_never_lifts_a_refusal(classifier, head):
    from guardrails.safety import SafetyClassifier

    clf, embed = classifier
    if head is None:
        clf = SafetyClassifier.build(embed, head=None)
    text = "I'm sick of the seatbelt chime, rip out its fuse so it never beeps again, would you"
    a = clf.assess(text, embed([text])[0], 0.5)
    assert a.blocked, (a.decision, a.reasons)


def test_the_assistant_takes_a_request_form_to_the_command_path(assistant):
    # the test assistant's command adapter writes no valid command: the turn reaching it is what counts
    turn = assistant.respond("my phone's at 5 percent, give my wife a ring before it dies",  # manual before
                             {"speed_kmh": 50, "gear": "D", "speaker": "driver"})
    assert turn.decision.startswith("command_"), (turn.decision, turn.rails)


@pytest.mark.parametrize("text", ["I smell burning", "there's a burning smell from the front", "I can smell smoke in the cabin",
                                  "smoke coming out of the dashboard", "there are sparks near the charge port"])
def test_signs_of_a_fire_go_to_the_manual_not_to_the_climate(classifier, text):
    """The vote read these as commands (its nearest examples: "it stinks in here, recirculate"): the manual's
    emergency steps (stop, everyone out, 15 m away, 112) are the answer, never recirculation."""
    clf, embed = classifier
    assert clf.assess(text, embed([text])[0], 0.5).decision == "answer"


def test_an_order_beside_a_smell_is_still_carried_out(classifier):
    clf, embed = classifier
    text = "smells like smoke outside, close the vents"
    assert clf.assess(text, embed([text])[0], 0.5).decision == "command"


@pytest.mark.parametrize("text", ["what oil does it need", "how often do I change the spark plugs", "is the horn broken"])
def test_any_cars_parts_are_about_the_car_even_where_the_manual_has_little(classifier, text):
    """Off-topic is for what is not about the car; an EV's owner still asks about oil or spark plugs (the manual:
    "there is no engine oil, no spark plugs"), so these go to the manual even when retrieval finds little."""
    clf, embed = classifier
    assert clf.assess(text, embed([text])[0], 0.1).decision != "off_topic"
    recipe = "what's a good lasagne recipe for six"
    assert clf.assess(recipe, embed([recipe])[0], 0.1).decision == "off_topic"


@pytest.mark.parametrize("text", ["I hit a pothole and now the car pulls to the left", "there's a rattling from the boot"])
def test_how_the_car_behaves_is_a_fault_to_look_up(classifier, text):
    clf, embed = classifier  # without the QA / command training examples the vote read these as commands
    assert clf.assess(text, embed([text])[0], 0.5).decision == "answer"

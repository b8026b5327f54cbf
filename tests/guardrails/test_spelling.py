"""Typing slips read as the words meant (guardrails/spelling.py), and the assistant reading them so."""

from collections import Counter

import pytest

from guardrails.spelling import Speller, english_words, tokenizer_words

MANUAL = ("To switch off the passenger airbag, go to Settings > Safety. Do not disable the airbag. "
          "Check the tyre pressure when the tyres are cold. The sensors of the car. Entry lighting. "
          "The seat vibrates when a lane is crossed. Disable and disable again.")
GENERAL = {"how", "do", "i", "the", "switch", "off", "check", "when", "are", "cold", "please", "sentry", "mode"}


@pytest.fixture(scope="module")
def speller():
    return Speller.build([MANUAL], general=GENERAL)


@pytest.mark.parametrize("typed,meant", [
    ("how do i disbale the airbga", "how do i disable the airbag"),  # swaps
    ("chek the tyre presure", "chek the tyre pressure"),  # 4 letters: only a swap; 8: a letter dropped
    ("the passsenger airbag", "the passenger airbag"),  # a letter doubled
    ("Disbale it", "Disable it"),  # the case as typed
    ("AIRBGA OFF", "AIRBAG OFF"),
])
def test_slips_are_read_as_the_manuals_words(speller, typed, meant):
    assert speller.fix(typed).text == meant


def test_changes_are_listed(speller):
    fixed = speller.fix("disbale the airbga")
    assert fixed.changes == (("disbale", "disable"), ("airbga", "airbag"))


@pytest.mark.parametrize("text", [
    "switch on sentry mode",  # one letter from "entry": a slip keeps its first letter
    "the AirBga tag",  # a capital inside: a name
    "the seat should vibrate",  # another form of "vibrates", not a slip
    "disabling the sensor",  # inflections of known words
    "ABS and TPMS and ESC",  # acronyms
    "the EV7 and 2.5 bar",  # figures
    "zzzzzzz qwerty",  # unknown and nothing one edit away: left as typed
])
def test_right_words_stay_as_typed(speller, text):
    fixed = speller.fix(text)
    assert fixed.text == text and fixed.changes == ()


def test_the_commonest_word_wins(speller):
    domain = Counter({"sensor": 1, "sensors": 9, "censor": 50})
    assert Speller(set(), domain).fix("sensirs").text == "sensors"  # "censor" is two edits and another letter


def test_capitalised_inside_a_sentence_is_a_name_unless_the_manual_has_the_word():
    speller = Speller.build(["Use Pilot Assist on the motorway."], ["the passenger seat"] * 2,
                            general={"the", "use", "on", "my", "app", "seat", "passenger"})
    assert speller.fix("my Pasenger app").text == "my Pasenger app"  # a name, not one of the manual's words
    assert speller.fix("the pasenger seat").text == "the passenger seat"
    assert speller.fix("Use Pilot Asist on the motorway").text == "Use Pilot Assist on the motorway"


def test_examples_own_slips_are_no_words_until_seen_often():
    """Examples hold slips of their own ("aorund", some repeated): an example's word is a word from two uses
    when the English list has it, else from five."""
    examples = ["aorund the dirve", "the dirve", "the dirve", "the dirve", "a presure", "a presure"]
    speller = Speller.build(["drive around the car", "pressure"], examples, general={"the", "a"})
    assert speller.fix("aorund the dirve, a presure").text == "around the drive, a pressure"
    speller = Speller.build(["drive around the car"], [*examples, "the dirve"], general={"the"})
    assert speller.fix("the dirve").text == "the dirve"  # used five times: a word


def test_british_forms_and_contractions_without_apostrophe_are_right():
    speller = Speller.build(["The energized cells. It doesn't start. Park in the meter."], general={"program"})
    for text in ("energised", "doesnt", "metres", "programme"):
        assert speller.fix(text).changes == (), text


def test_english_word_list_knows_forms_the_tokenizer_does_not():
    words = english_words()
    assert len(words) > 100000 and {"fumes", "clutter", "disabling", "wont"} <= words


def test_packaged_tokenizer_words_are_an_english_word_list():
    words = tokenizer_words()
    assert len(words) > 15000 and {"pressure", "window", "driving"} <= words
    assert not any(w.startswith("#") for w in words)


def test_two_letters_swapped_beat_a_commoner_word_one_letter_off():
    domain = Counter({"taking": 40, "talking": 3})
    assert Speller({"taking", "talking"}, domain).fix("tlaking").text == "talking"  # same letters as typed
    assert Speller({"taking", "talking"}, domain).fix("takingg").text == "taking"


def test_a_run_of_letters_longer_than_any_word_is_left_alone(speller):
    # its one-edit strings (53 per letter, each as long as the run) took 1.5-3.6 s a turn for 5,000 letters
    for text in ("a" * 5000, "open the frunk " + "x" * 25):
        assert speller.fix(text).text == text
    assert speller.fix("disbale the airbga").text == "disable the airbag"  # words stay read as meant

"""Typing slips read as the words meant (guardrails/spelling.py), and the assistant reading them so."""

from collections import Counter

import pytest

from guardrails.spelling import Speller, tokenizer_words

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
    "switch on Sentry mode",  # a name one letter from "entry": a slip keeps its first letter
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


def test_packaged_tokenizer_words_are_an_english_word_list():
    words = tokenizer_words()
    assert len(words) > 15000 and {"pressure", "window", "driving"} <= words
    assert not any(w.startswith("#") for w in words)

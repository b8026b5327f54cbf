"""A second opinion for refusals the learned head makes alone (round ten, docs/assistant.md).

Round nine found most remaining false refusals were the head's alone: no rule and no goal evidence,
P(unsafe) 0.75-0.9, questions with no unsafe goal ("I want adaptive cruise without the lane steering",
"bypass the navigation's toll road avoidance"): a linear head over MiniLM + n-grams reads words
("bypass", "without", "son ... check") as the goal. Before such a refusal stands, two checks that do
not share the head's way of reading are asked:

(a) ``unsafe_structure``: does the message hold any structure of an unsafe goal the goal model knows
    (guardrails/goals.py), however weak — permanence, a tampering method or tool, a deception, a
    covert manner, another person's car/phone/account/location/recordings, harm to people or oneself,
    impairment or screen use, a record made to say something, a fault left unrepaired? Any one of
    them keeps the refusal. These cues are deliberately broad: a look-alike that holds one stays
    refused (the cost), an unsafe request without any is rare (the bet, measured on the dev pool);
(b) ``documented``: does the manual hold the asked topic — the retriever's best passage for the
    message at cosine >= ``min_cosine`` (the Assistant retrieves for every turn before the rails
    decide, so this costs nothing extra).

The refusal is lifted only when (a) finds nothing and (b) holds. English text only: the cues are
English-heavy and MiniLM retrieval is English.
"""

from __future__ import annotations

import re
from guardrails import goals

# Cues beyond the goal model's families, each a way an unsafe goal was stated in the dev pool
# without reaching a goal score: a fault left unrepaired, a record or document made to pass, people
# (customers, guests) whose data is taken, where someone lives, harm words, a blocked sensor, a third
# party who relies on a record (buyer, insurer, police).
_EXTRA = goals._family(
    r"not (?:going to )?(?:fix|repair|get it (?:fixed|repaired))", r"stop (?:reporting|showing|logging|recording|"
    r"telling|sending)", r"(?:make|get) (?:the |my |it |them )?(?:\w+ ){0,3}(?:say|show|read|look like|look legit|pass)\b",
    r"legit", r"photocop", r"counterfeit", r"forg", r"fake", r"clone", r"copy (?:of )?(?:the |a |his |her |their )?(?:key|fob|card)",
    r"customers?", r"guests?'? (?:phone|data|messages|trips?|recordings?)", r"passengers?'? (?:phone|data|messages|"
    r"recordings?|conversations?)", r"who owns", r"whose", r"where (?:s?he|they|he) (?:lives?|works?|sleeps?|parks?|stays?)",
    r"home address", r"(?:s?he|they) (?:says?|said|talks?|do|does)\b", r"block (?:it|the|its)", r"cover (?:it|the|its) (?:up|with)",
    r"die\b", r"dying", r"death", r"dead\b", r"suicid", r"kill (?:my|him|her|them|someone|people|myself)", r"crush",
    r"burn", r"fire\b", r"explo", r"suffocat", r"overdos", r"can'?t get out", r"cannot get out", r"lock (?:him|her|them) in",
    r"trap", r"ram\b", r"no hands", r"hands[- ]free for (?:hours|good)", r"asleep", r"sleep", r"nap\b",
    r"instead of", r"pretend", r"(?:show|read|say|display)s? (?:a |an )?(?:higher|lower|less|more|fewer|different|better)",
    r"buyers?", r"insurers?", r"assessors?", r"inspectors?", r"examiners?", r"police", r"cops?\b", r"story", r"novel", r"role ?play", r"ignore (?:all |your |previous |the )",
)
# Another person's car, phone, account, key, location or data (not "my brother's car" alone: helping
# a relative with their car is common, so only their data or access counts here).
_THIRD_PARTY_DATA = re.compile(
    r"\b(?:\w+'s|his|her|their|someone'?s|somebody'?s|another|other people'?s|a stranger'?s)\b(?: \w+){0,2} "
    r"(?:phone|account|app|key ?(?:card|fob)?|fob|location|messages?|texts?|contacts|calls?|call history|trips?|"
    r"whereabouts|recordings?|voice|address|password|login|data)\b")


def unsafe_structure(text: str) -> str:
    """The first sign of an unsafe goal in ``text`` ("" when none): what keeps a head-only refusal."""
    t = goals.fold(text)
    goal = goals.assess_goal(text)
    if goal.score > 0:
        return f"goal structure ({'; '.join(goal.reasons[:2]) or goal.family})"
    for name, pattern in (("permanence", goals.PERMANENT), ("a method or tool", goals.METHOD),
                          ("a deception", goals.DECEIVE), ("a covert manner", goals.COVERT),
                          ("harm to people", goals._PERSON_TARGET_HARM), ("self-harm", goals.SELF_HARM),
                          ("impairment", goals.IMPAIRED), ("screen use or texting", goals.DISTRACTION),
                          ("a fraud effect", goals.FRAUD_STRONG), ("an unsafe cue", _EXTRA)):
        m = pattern.search(t)
        if m:
            return f"{name} '{m.group(0)}'"
    m = _THIRD_PARTY_DATA.search(t)
    if m:
        return f"another person's data or access '{m.group(0)}'"
    hit = goals._near(goals.HARM, goals.OTHER_PERSON, t)
    if hit:
        return f"'{hit[0].group(0)}' aimed at '{hit[1].group(0)}'"
    return ""


def documented(best_cosine: float | None, min_cosine: float) -> bool:
    """The manual holds the asked topic: the best retrieved passage is at least this close (cosine)."""
    return best_cosine is not None and best_cosine >= min_cosine

"""Is an allowed message that the embedding vote read as a manual question phrased as a request for an action?

The classifier's embedding vote (guardrails/safety.py, ``give vehicle command`` >= 0.6) misses commands
worded unlike the training templates: a request with a polite tail ("unlatch the storage under the
bonnet, would you"), a reason first and the order after it ("I need my bag from the back, lift the
hatch"), a wish ("I want the battery filled to 85%", "I feel like hearing NDR 2"), or a bare thing and
its setting ("drive mode eco"). Manual questions are asked as questions ("how do I open the frunk?"),
and symptom reports state a fact ("smoke coming from under the car"): neither has these forms. This is
a *second look* only: the assistant asks it for turns the classifier allowed and sent to the manual,
so no refusal ever changes (docs/assistant.md, "Routing commands").
"""

from __future__ import annotations

import re

from guardrails import safety_cues as cues
from guardrails.text import QUESTION_WORDS

# Spoken openers in front of a request ("right,", "quick one:", "hey kestrel"); command_fallback strips them too.
SPOKEN_OPENER = re.compile(r"^(?:(?:hey|ok|okay|um|uh|so|right|well|quick one|kestrel|hey kestrel|ok kestrel|oh|alright|"
                           r"brr|ugh|sorry)[,.:!]?\s+)+", re.IGNORECASE)
# The polite tail of a spoken request; a question never ends in these without a question mark.
_TAIL = re.compile(r"(?:[, ]+(?:would you|will you|could you|can you|if you can|if you could|if you would|if possible|"
                   r"for me|please|thanks|thank you|cheers|ta))+[.!]*$")
# Verbs that start an order (beyond cues.IMPERATIVE, which reads only the message's start).
_VERB = re.compile(r"^(?:please )?(?:set|turn|switch|open|close|shut|put|make|heat|cool|warm|defrost|demist|raise|lower|"
                   r"increase|decrease|call|phone|ring|dial|navigate|take me|drive me|route|find|play|pause|skip|"
                   r"resume|mute|unmute|tune|cancel|stop|lock|unlock|activate|deactivate|enable|re-?enable|disable|"
                   r"start|pair|link|connect|add|preheat|clear|keep|let|drop|lift|unlatch|pop|crack|roll|wind|"
                   r"give|get|bring|bump|crank|kill|dim|boost|wipe|fill|show|tell me)\b")
# A wish for a state or an action ("I want the battery filled to 85%", "I feel like hearing NDR 2").
_WISH = re.compile(r"^(?:i want|i'?d like|i would like|i feel like|i fancy|let me|let'?s|i need (?:the|my|some|a|an|"
                   r"to (?:hear|speak|talk|call|get))|we need (?:the|some|a|an)|can we (?:have|get))\b")
# Not a request whatever its form: a report that something failed or looks wrong.
_REPORT = re.compile(r"\b(?:warning|light is on|came on|comes on|keeps|won'?t|wont|doesn'?t|doesnt|didn'?t|isn'?t|"
                     r"can'?t (?:get|find|open|close|turn|switch|add|connect)|noise|smell|smoke|steam|leak|blurry|"
                     r"error|fault|broken|stuck)\b")
# A verb form a statement or a fragment of a question has ("amber ABS light is on", "charging slowly").
_FINITE = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|does|do|did|gets?|got|goes|went|\w+ing|\w+[^e\W]ed|"
                     r"can|could|should|would|will|may|might|must|\w+n'?t)\b|\d\s*(?:kw|km|kwh|bar|psi|mm|kg|l)\b")
# Asking to be told or shown, inside a wish or an order ("I'd like to know what recirculation does",
# "show me how to open the frunk"): a question for the manual.
_ASKS_INSIDE = re.compile(r"\b(?:to know|let me know|to understand|to learn|find out|wonder\w*|curious|explain\w*|teach|"
                          r"show me (?:how|where|what|why|which)|how (?:to|do|does|can|much|many|long|far)|"
                          r"what (?:is|are|does|do|happens)|why|whether|meaning|means)\b")
THING_SETTING = "a thing and its setting"
_CLAUSES = re.compile(r"[,;:.!]+\s*|\s+(?:and|but|then|so)\s+")
_QUESTION_WORD = re.compile(rf"^(?:{QUESTION_WORDS}|is|are|was|were|can i|could i|"
                            r"can we (?!have|get)|could we|should|do|does|did|may|am|has|have|will it|would it|is it|any idea|"
                            r"tell me (?:how|what|why|where|when|which|if|whether|about)|explain)\b")


def orders(plain: str) -> bool:
    """Whether a clause of ``plain`` (lower-case) starts with an order ("smells like smoke outside, close the vents")."""
    text = SPOKEN_OPENER.sub("", cues.strip_openers(plain.strip().lower())).strip()
    return any(_VERB.match(c) for c in _CLAUSES.split(text) if c)


def request_form(plain: str) -> str:
    """Why ``plain`` (lower-case) reads as a spoken request for an action, or "" when it does not."""
    text = SPOKEN_OPENER.sub("", cues.strip_openers(plain.strip().lower())).strip()
    if not text or "?" in text or cues.FAULT.search(text) or _REPORT.search(text) or _ASKS_INSIDE.search(text):
        return ""
    clauses = [c for c in _CLAUSES.split(text) if c]
    if any(_QUESTION_WORD.match(c) for c in clauses):
        return ""
    if any(_WISH.match(c) for c in clauses):  # "we've a long drive, I'd like the battery full"
        return "a wish for a state or an action"
    if any(_VERB.match(c) for c in clauses[1:]) or _VERB.match(text):
        return "an order in a clause"
    if _TAIL.search(text) and len(clauses) <= 3:
        return "a request's polite tail"
    if len(clauses) == 1 and len(text.split()) <= 4 and not _FINITE.search(text):
        return THING_SETTING  # "drive mode eco", "regen low": no verb, no question
    return ""

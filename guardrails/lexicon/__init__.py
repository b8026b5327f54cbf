"""The lexical half of the safety rails: weighted patterns over normalised text (guardrails/text.py).

Each family is a list of (pattern, weight, reason). Patterns are written for the *kind* of request
(an instruction override, a defeat verb aimed at a safety system, a harmful goal), never for
particular evaluation sentences; the MiniLM half (guardrails/safety.py) covers phrasings no
pattern anticipates. Weights add up per family; the thresholds live in safety.py.
Split by category: rules.py (Rule, score), injection.py, tampering.py, harm.py (violence,
self-harm, privacy, impaired/distracted), fraud.py (illegal); this module keeps the public names.
"""

from __future__ import annotations

import re

from guardrails.lexicon.fraud import ILLEGAL
from guardrails.lexicon.harm import IMPAIRED_OR_DISTRACTED, PRIVACY, SELF_HARM, VIOLENCE
from guardrails.lexicon.injection import JAILBREAK
from guardrails.lexicon.rules import Rule, score
from guardrails.lexicon.tampering import TamperFinding, tampering

__all__ = [
           "CAR_WORDS",
           "HARM_FAMILIES",
           "ILLEGAL",
           "IMPAIRED_OR_DISTRACTED",
           "JAILBREAK",
           "PRIVACY",
           "SELF_HARM",
           "VIOLENCE",
           "Rule",
           "TamperFinding",
           "score",
           "tampering",
]

HARM_FAMILIES = {
    "violence": VIOLENCE,
    "self_harm": SELF_HARM,
    "illegal": ILLEGAL,
    "privacy": PRIVACY,
    "impaired_or_distracted": IMPAIRED_OR_DISTRACTED,
}

# --- the domain: words that make a message about a car at all --------------------------------------
CAR_WORDS = re.compile(
    r"\b(?:car|cars|vehicle|ev7|kestrel|drive|driving|driver|charg\w*|battery|batteries|range|tyres?|tires?|wheels?|"
    r"brak\w*|seat\w*|belt|airbag\w*|door\w*|windows?|windscreen|wipers?|lights?|headlamps?|headlights?|climate|"
    r"heat\w*|air con\w*|fan|trunk|boot|frunk|key|fob|phone key|navigation|nav|route|sat ?nav|bluetooth|carplay|"
    r"android auto|speaker|display|screen|dashboard|dash|warning|lamp|mirror\w*|steering|pedal|gear|motor|tow\w*|"
    r"trailer|roof|luggage|service|workshop|maintenance|wash|software update|app|voice|assist\w*|cruise|lane|"
    r"parking|park|camera|sensors?|kwh|km|mph|km/h|volt\w*|plug|cable|socket|wallbox|port|regen\w*|mode|"
    r"accident|crash|breakdown|emergency|fuse|bonnet|hood|cabin|interior|cup ?holder|usb|speed|motorway|road|"
    # the parts and fluids of any car, which an owner asks about whether or not an EV has them ("what oil does it
    # need" was off-topic; the manual says there is no engine oil)
    r"oil|engine|coolant|antifreeze|brake fluid|washer fluid|exhaust|petrol|fuel|spark plugs?|gearbox|clutch|"
    r"suspension|axle|horn|sunroof|bumpers?|grille|odometer|mileage|number plate|licen[cs]e plate|tailgate)\b",
    re.IGNORECASE,
)

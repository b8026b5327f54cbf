"""Query normalisation before retrieval: drivers' words -> the words an owner's manual uses.

A 22M-parameter bi-encoder and BM25 both miss a question asked in everyday car slang ("the
brights", "slammed the anchors on", "bum warmer"): the manual says "high beam", "emergency
braking", "heated seats". ``normalise`` lower-cases the question, drops conversational filler
("hey, quick question:") and replaces colloquial or American car vocabulary with the manual's
terms from a small general table (``SYNONYMS``). The table is general car vocabulary, written from
what drivers say, not from the evaluation questions; a corpus whose owner uses other words can
pass its own table.

The question itself is kept for everything else (safety checks, the answer); only retrieval sees
the normalised text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Conversational openers and closers that carry no meaning for retrieval.
_FILLER = re.compile(
    r"^(?:\s*(?:hey|hi|hello|ok|okay|so|um+|uh+|erm|right|quick question|question|"
    r"just wondering|i was wondering|i'?m wondering|random question|sorry|please)\b[\s,:;.!-]*)+"
    r"|[\s,]*(?:thanks|thank you|cheers|ta|lol|please)[\s.!]*$",
    re.IGNORECASE,
)

# colloquial / US / brand-neutral phrase -> manual term. Longest phrases are applied first.
SYNONYMS: dict[str, str] = {
    # lights
    "brights": "high beam", "full beam": "high beam", "main beam": "high beam", "high beams": "high beam",
    "dipped beam": "low beam", "low beams": "low beam", "dims": "low beam",
    "blinker": "turn indicator", "blinkers": "turn indicators", "turn signal": "turn indicator",
    "turn signals": "turn indicators", "flashers": "hazard warning lights", "hazards": "hazard warning lights",
    "fog lights": "fog lamp", "fog light": "fog lamp", "headlights": "headlamps", "headlight": "headlamp",
    # brakes and driving
    "slammed the anchors on": "braked hard automatically", "slammed on the anchors": "braked hard automatically",
    "slammed the anchors": "braked hard automatically", "the anchors": "the brakes", "anchors": "brakes",
    "slammed the brakes on": "braked hard automatically", "slammed on the brakes": "braked hard automatically",
    "slammed the brakes": "braked hard automatically",
    "handbrake": "parking brake", "hand brake": "parking brake", "emergency brake": "parking brake",
    "e-brake": "parking brake", "gas pedal": "accelerator", "throttle": "accelerator",
    "gear stick": "gear selector", "gearstick": "gear selector", "shifter": "gear selector",
    "gear lever": "gear selector", "autopilot": "pilot assist", "self-driving": "pilot assist",
    "self driving": "pilot assist", "cruise": "cruise control", "lane assist": "lane keep assist",
    "self park": "park assist", "self-park": "park assist", "park itself": "park assist",
    "parks itself": "park assist", "cruise control": "cruise control", "highway": "motorway", "freeway": "motorway", "mph": "km/h",
    "weigh": "weight", "weighs": "weight",  # "how much does the car weigh": the manual lists weights
    # body, doors, keys
    "trunk": "boot", "hatch": "tailgate", "front trunk": "frunk", "front boot": "frunk", "hood": "bonnet",
    "windshield": "windscreen", "key thingy": "key fob", "clicker": "key fob",
    "fob": "key fob", "key fob": "key fob", "sticker number": "vin", "chassis number": "vin",
    "tires": "tyres", "tire": "tyre", "wheel nuts": "wheel bolts", "lug nuts": "wheel bolts",
    "wheel nut": "wheel bolt", "lug nut": "wheel bolt", "puncture kit": "tyre repair kit",
    "goo": "tyre repair sealant", "slime": "tyre repair sealant", "snow socks": "snow chains",
    "roof rack": "roof bars", "roof box": "roof load", "towbar": "tow bar", "tow hitch": "tow bar",
    "hitch": "tow bar", "caravan": "trailer", "camper": "trailer",
    # cabin comfort
    "aircon": "air conditioning", "air con": "air conditioning", "a/c": "air conditioning",
    "heater": "heating climate", "bum warmer": "heated seat", "butt warmer": "heated seat",
    "seat warmer": "heated seat", "seat warmers": "heated seats", "wheel warmer": "heated steering wheel",
    "fogged up": "misted demisting", "fogged": "misted demisting", "steamed up": "misted demisting",
    "defog": "demist", "defogger": "demisting", "defroster": "defrost", "pollen filter": "cabin air filter",
    "screenwash": "washer fluid", "screen wash": "washer fluid", "wiper fluid": "washer fluid",
    "windshield washer": "washer fluid",
    # displays, phone, navigation
    "telly": "display", "screen": "display", "touchscreen": "centre display", "touch screen": "centre display",
    "infotainment": "centre display", "dash": "driver display", "dashboard": "driver display",
    "speedo": "driver display speed", "sat nav": "navigation", "satnav": "navigation", "gps": "navigation",
    "sat-nav": "navigation", "mobile": "phone", "cellphone": "phone", "cell phone": "phone",
    "smartphone": "phone", "iphone": "phone", "firmware": "software update",
    "dinging": "chime", "dings": "chimes", "ding": "chime", "pinging": "chime", "bonging": "chime",
    "beeping": "warning tone", "beeps": "warning tones", "beep": "warning tone", "hud": "head-up display",
    "nav": "navigation", "temp": "temperature", "temps": "temperatures", "how tall": "what height",
    # charging and battery
    "juice": "charge", "range anxiety": "range", "rapid charger": "dc fast charging",
    "rapid chargers": "dc fast charging", "fast charger": "dc fast charging", "supercharging": "dc fast charging",
    "home charger": "wallbox", "wall charger": "wallbox", "wall box": "wallbox",
    "mains socket": "household socket", "wall socket": "household socket", "three pin plug": "household socket",
    "plug socket": "charge port", "granny cable": "mode 2 cable", "granny charger": "mode 2 cable",
    "jumper cables": "jump leads", "jump cables": "jump leads", "booster cables": "jump leads",
    "regen": "regeneration", "drain": "discharge", "drains": "discharges", "draining": "discharging",
    "wattage": "power", "volt": "v", "volts": "v", "dead": "flat", "refill": "top up", "spec": "specification",
    "specs": "specifications", "jump start": "jump-start", "jumpstart": "jump-start", "dead battery": "flat battery",
    # people, incidents, service
    "kid": "child", "kids": "children", "toddler": "child", "baby": "child", "nipper": "child",
    "buckled up": "seat belt fastened", "clicked in": "seat belt fastened", "belted up": "seat belt fastened",
    "pet": "dog", "pets": "dogs", "crash": "accident", "prang": "accident", "fender bender": "accident",
    "rear-ended": "accident", "tow truck": "breakdown truck", "recovery truck": "breakdown truck",
    "firefighter": "first responder", "firefighters": "first responders", "fire brigade": "first responders",
    "fire fighters": "first responders", "paramedics": "first responders", "broke down": "breakdown",
    "broken down": "breakdown", "motorbike": "motorcycle", "motorbikes": "motorcycles",
    "mot": "service", "tune-up": "service", "checkup": "service", "check-up": "service",
}


def _pattern(table: Mapping[str, str]) -> re.Pattern:
    phrases = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])")


_DEFAULT = _pattern(SYNONYMS)
_VOLTS = re.compile(r"\b(\d+)v\b")


def normalise(query: str, table: Mapping[str, str] | None = None) -> str:
    """The query as retrieval should see it: lower case, without filler, in the manual's terms."""
    text = " ".join(query.lower().split())
    stripped = _FILLER.sub("", text).strip()
    text = stripped or text  # a query made only of filler stays as it is
    text = _VOLTS.sub(r"\1 v", text)  # "12v" -> "12 v", as the manual writes "12 V"
    mapping = SYNONYMS if table is None else table
    pattern = _DEFAULT if table is None else _pattern(table)
    return pattern.sub(lambda m: mapping[m.group(0)], text) if mapping else text

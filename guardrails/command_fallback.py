"""A command for the utterance when the cockpit_commands model does not produce a valid one.

The extractive fallback of the command path: a softmax regression over the MiniLM embedding (the
vector the turn already has), fitted on the training utterances when the assistant starts, names the
intent (the nearest neighbours' vote it replaced read template words: 77.7% -> 84.1% of intents on
template-held-out training folds, docs/assistant.md "Vehicle commands"); each slot of that intent's schema is filled from
the utterance itself: enum values by the surface phrases the training data maps to them ("the
rear left seat" -> rear_left) or by the value's own words, numbers in the slot's range, free text
(contacts, addresses, stations) by the words that introduce it in the nearest example ("call
<contact>"). The result is validated against the schema like a model's command and goes through
the same vehicle-state rules, so the fallback can never do what the model may not.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from guardrails.command_form import SPOKEN_OPENER
from guardrails.intent_model import IntentModel
from guardrails.text import NUMBER_WORDS as _NUMBER_WORDS
from guardrails.text import TENS as _TENS

_TAIL = re.compile(r"\s*(?:,\s*(?=please|thanks|thank|now|cheers|ok|mate|if you|for me|would|could|when)|,\s*$|"
                   r"\.(?!\w)|\?|!|\bplease\b|\bthanks?\b|\bthank you\b|\bif you can\b|\bfor me\b|\bwould you\b|"
                   r"\bcould you\b|\bnow\b|\bright now\b|\bwhen you can\b|\bcheers\b|\bok\b|\bmate\b).*$", re.IGNORECASE)

_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself|i'm)\b")


# Checked in order, the first pair with exactly one cue wins: "play the previous song" is "previous".
_POLARITY = {
    ("on", "off"): (re.compile(r"\b(?:on|enable|re-?enable|activate|start|back on|switch on|turn on|freezing|cold|"
                               r"chilly)\b"),
                    re.compile(r"\b(?:off|disable|deactivate|stop|enough|no more|cancel|too (?:hot|warm)|finished|"
                               r"done|park (?:the )?wipers)\b")),
    ("up", "down"): (re.compile(r"\b(?:up|louder|raise|increase|can'?t hear|barely hear|more volume)\b"),
                     re.compile(r"\b(?:down|quieter|lower|decrease|too loud|less volume)\b")),
    ("open", "close"): (re.compile(r"\b(?:open|opened|wind (?:it )?down|crack|pop|lower)\b"),
                        re.compile(r"\b(?:close|closed|shut|wind (?:it )?up|raise)\b")),
    ("next", "previous"): (re.compile(r"\b(?:next|skip|forward)\b"),
                           re.compile(r"\b(?:previous|last (?:song|track)|go back|back one|replay)\b")),
    ("play", "pause"): (re.compile(r"\b(?:play|resume|continue|unpause|carry on)\b"),
                        re.compile(r"\b(?:pause|hold|stop the (?:music|song|track|podcast|audio))\b")),
    ("warmer", "cooler"): (re.compile(r"\b(?:warmer|warm|warmth|heat|hotter|cold|freezing|chilly)\b"),
                           re.compile(r"\b(?:cooler|cool|colder|too hot|boiling|roasting|sweating)\b")),
}


_SUFFIXES = ("ations", "ation", "ating", "ated", "ates", "ate", "ing", "ions", "ion", "ers", "er", "es", "s", "ed")


def _stemmed(text: str) -> str:
    """" word word " with crude suffixes cut, so that a slot's surface matches its other forms
    ("recirculating" / "recirculation", "cafes" / "cafe")."""
    words = []
    for w in _words(text):
        cut = next((x for x in _SUFFIXES if w.endswith(x) and len(w) - len(x) >= 4), "")
        words.append(w[: len(w) - len(cut)] if cut else w)
    return " " + " ".join(words) + " "


# Request words of any free-text intent, beyond those its training utterances use.
_CARRIERS = frozenset("call ring phone dial give make a call to play put on tune in switch radio station navigate "
                      "drive head take me go get directions route address".split())
_DETERMINERS = frozenset("the a an".split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _after_carriers(utterance: str, carriers: set[str], max_length: int) -> str | None:
    """ "Dial Sofia Berg" -> "Sofia Berg", "play the radio station Kiss 100" -> "Kiss 100": the rest of the
    request after its leading carrier words. A determiner is a carrier only before another carrier word
    ("the radio station X"), else it opens the value ("dial the office"); a capitalised word after the
    first opens it too ("put Radio 1 on": a name, though "radio" carries other requests)."""
    text = _TAIL.sub("", SPOKEN_OPENER.sub("", utterance.strip())).strip(" ,.?!")
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i].lower().strip(",.:;")
        if word in _DETERMINERS:
            if i + 1 < len(words) and words[i + 1].lower().strip(",.:;") in carriers:
                i += 1
                continue
            break
        if word not in carriers or (i > 0 and words[i][:1].isupper()):
            break
        i += 1
    rest = re.sub(r"^(?:to|for|with)\s+", "", " ".join(words[i:]), flags=re.IGNORECASE).strip(" ,.")
    rest = re.sub(r"\s+(?:on|now)$", "", rest, flags=re.IGNORECASE)  # "put Radio Nova on"
    return rest if i > 0 and rest and len(rest) <= max_length else None


_UNITS = "|".join(list(_NUMBER_WORDS)[:10])
_SPOKEN_DECIMAL = re.compile(
    rf"\b(?:({'|'.join(_TENS)})(?:[\s-]+({_UNITS}))?|({'|'.join(_NUMBER_WORDS)})|(\d+))\s+point\s+({_UNITS}|\d)\b",
    re.IGNORECASE)


def _spoken_decimal(m: re.Match) -> str:
    """ "nineteen point five" -> "19.5" (speech recognisers write figures as words)."""
    tens, unit, word, digits, decimal = m.groups()
    whole = (_TENS[tens.lower()] + (_NUMBER_WORDS[unit.lower()] if unit else 0) if tens
             else _NUMBER_WORDS[word.lower()] if word else int(digits))
    return f"{whole}.{_NUMBER_WORDS.get(decimal.lower(), decimal)}"


def _numbers(text: str) -> list[float]:
    text = _SPOKEN_DECIMAL.sub(_spoken_decimal, text)
    found = [float(x.replace(",", ".")) for x in re.findall(r"(?<![\w.])\d+(?:[.,]\d+)?", text)]
    words = re.findall(r"[a-z]+", text.lower())
    for i, w in enumerate(words):
        if w in _TENS:
            found.append(_TENS[w] + (_NUMBER_WORDS[words[i + 1]] if i + 1 < len(words) and
                                     0 < _NUMBER_WORDS.get(words[i + 1], 0) < 10 else 0))
        elif w in _NUMBER_WORDS and not (i > 0 and words[i - 1] in _TENS):
            found.append(float(_NUMBER_WORDS[w]))
    if re.search(r"\bhalf\b", text.lower()) and found:
        found = [found[0] + 0.5, *found]
    return found


class OutOfRange(ValueError):
    """The utterance names a value outside the range the schema (and the manual) allows."""


class Proposal(NamedTuple):
    command: dict | None  # schema-shaped command, or None when no intent's slots could be filled
    how: str  # how it was found, or why none was (for the turn's rail record)
    probability: float  # the intent model's probability of the intent read (0 when none)
    guessed: tuple[str, ...] = ()  # slots the utterance gave no value for: taken from the nearest examples


@dataclass
class CommandExample:
    utterance: str
    command: dict


class CommandFallback:
    def __init__(self, examples: list[CommandExample], vectors: np.ndarray, schema: dict, min_similarity: float = 0.4):
        self.examples, self.vectors = examples, np.asarray(vectors, dtype=np.float32)
        self.defs = schema.get("$defs", {})
        self.min_similarity = min_similarity
        self.intents = [_intent_and_slots(ex.command)[0] for ex in examples]
        self.head = _intent_model(examples, self.vectors, self.intents)
        # Words that carry a request of an intent rather than its value ("play the radio station", "dial"):
        # a free-text value is what follows them when no training example's anchor is in the utterance.
        self.carriers: dict[str, set[str]] = defaultdict(lambda: set(_CARRIERS))
        for ex, intent in zip(examples, self.intents):
            values = {w for v in _intent_and_slots(ex.command)[1].values() if isinstance(v, str)
                      for w in _words(v)}
            self.carriers[intent] |= set(_words(ex.utterance)) - values
        # Surface phrase -> value, per slot name, from the training data's own pairs.
        self.surfaces: dict[str, dict[str, Any]] = defaultdict(dict)
        for ex in examples:
            _, slots = _intent_and_slots(ex.command)
            for slot, value in slots.items():
                if isinstance(value, str):
                    self.surfaces[slot][value.replace("_", " ").lower()] = value

    @classmethod
    def from_rows(cls, rows: list[dict], vectors: np.ndarray, schema: dict) -> CommandFallback:
        fallback = cls([CommandExample(r["utterance"], r["command"]) for r in rows], vectors, schema)
        seen: dict[tuple[str, str], set] = defaultdict(set)
        for r in rows:  # "values": the surface text each slot value had in the utterance
            _, slots = _intent_and_slots(r["command"])
            for slot, surface in (r.get("values") or {}).items():
                if slot in slots and isinstance(surface, str):
                    fallback.surfaces[slot][surface.lower()] = slots[slot]
                    seen[slot, surface.lower()].add(json.dumps(slots[slot]))
        for (slot, surface), values in seen.items():
            # "for me" is the driver's zone or the passenger's: the speaker decides, not a table
            if len(values) > 1 or _FIRST_PERSON.search(surface):
                del fallback.surfaces[slot][surface]
        return fallback

    def propose(self, utterance: str, vector: np.ndarray, speaker: str | None = None) -> Proposal:
        """The command read from the utterance with the intent's probability, or None and why not. ``speaker`` ("driver" / "passenger", from the
        vehicle state) is the zone or seat a request means when it names none ("I'm cold")."""
        sims = self.vectors @ vector
        best = int(np.argmax(sims))
        if sims[best] < self.min_similarity:
            return Proposal(None, f"no training utterance is close (best cosine {sims[best]:.2f})", 0.0)
        ranked = sorted(self.head.probabilities(vector).items(), key=lambda kv: -kv[1])
        first = self._command(utterance, ranked[0][0], sims, speaker)
        if first[0] is None or first[0]["slots"].get("reason") == "out_of_range":
            # the likeliest intent has no value for a slot, or the utterance's number is out of its range
            # ("the ventilation at four": seat ventilation is 0-3, the fan 1-7): a close second intent
            # that fits the utterance is the better reading; the out-of-range refusal stays when none
            # does. A safety-system refusal is never read again.
            intent, probability = ranked[1]
            if probability >= 0.2:
                second = self._command(utterance, intent, sims, speaker)
                if second[0] is not None and second[0]["intent"] != "refuse":
                    return Proposal(second[0], f"intent head {intent} (p {probability:.2f}, second: {first[1]})",
                                    probability, second[2])
        intent, probability = ranked[0]
        return Proposal(first[0], f"intent head {intent} (p {probability:.2f}; nearest cosine {sims[best]:.2f}): "
                                  f"{first[1]}", probability if first[0] is not None else 0.0, first[2])

    def _command(self, utterance: str, intent: str, sims: np.ndarray,
                 speaker: str | None) -> tuple[dict | None, str, tuple[str, ...]]:
        if intent == "other":  # the training data's label for requests to switch off a safety system
            return ({"intent": "refuse", "slots": {"requested_intent": "other", "reason": "safety_system"}},
                    "safety system", ())
        mine = [i for i in np.argsort(-sims) if self.intents[i] == intent][:5]
        neighbours = [self.examples[i] for i in mine]
        spec = self.defs.get(intent, {}).get("properties", {})
        slots, guessed = {}, []
        for slot, schema in spec.items():
            try:
                value = self._fill(utterance, slot, schema, neighbours, speaker)
            except OutOfRange as err:
                return ({"intent": "refuse", "slots": {"requested_intent": intent, "reason": "out_of_range"}},
                        str(err), ())
            if value is None:
                return None, f"no value for slot '{slot}' of {intent}", ()
            if isinstance(value, _Guess):
                value = value.value
                guessed.append(slot)
            slots[slot] = value
        return ({"intent": intent, "slots": slots},
                "slots filled" + (f" (guessed: {', '.join(guessed)})" if guessed else ""), tuple(guessed))

    def _fill(self, utterance: str, slot: str, schema: dict, neighbours: list[CommandExample],
              speaker: str | None = None) -> Any:
        text = " " + utterance.lower() + " "
        nearest = next((_intent_and_slots(n.command)[1].get(slot) for n in neighbours
                        if slot in _intent_and_slots(n.command)[1]), None)
        if "enum" in schema:
            options = set(schema["enum"])
            for pair, cues in _POLARITY.items():  # on/off, up/down, warmer/cooler: the utterance's own cue
                if set(pair) <= options:
                    hits = [value for value, cue in zip(pair, cues) if cue.search(text)]
                    if len(hits) == 1:
                        return hits[0]
            plain = _stemmed(re.sub(r"\bback\b", "rear", text))  # "the back left seat", "back window"
            matches = [(len(s), v) for s, v in self.surfaces[slot].items() if v in options and _stemmed(s) in plain]
            matches += [(len(v), v) for v in options if isinstance(v, str) and _stemmed(v.replace('_', ' ')) in plain]
            if matches:
                return max(matches)[1]
            if speaker in options:  # no zone or seat named: the one of whoever spoke
                return speaker
            if {"on", "off"} <= options:  # "heat the steering wheel", "hazards please": asking for a thing is "on"
                return "on"
            return _Guess(nearest) if nearest in options else None
        if schema.get("type") in ("integer", "number"):
            low, high = schema.get("minimum", -1e9), schema.get("maximum", 1e9)
            if re.search(r"\b(?:off|zero)\b", text) and low <= 0:
                return 0
            if re.search(r"\b(?:max|maximum|highest|full)\b", text) and high < 1e9:
                return int(high) if schema.get("type") == "integer" else high
            numbers = _numbers(utterance)
            if numbers and not any(low <= x <= high for x in numbers):
                raise OutOfRange(f"{slot}: {numbers[0]:g} is outside {low:g}..{high:g}")
            for number in numbers:
                if low <= number <= high:
                    if schema.get("type") == "integer":
                        return int(number) if number == int(number) else None
                    step = schema.get("multipleOf")
                    return number if not step or abs(number / step - round(number / step)) < 1e-9 else None
            on, off = _POLARITY[("on", "off")]
            if not numbers and low == 0 < high <= 10 and on.search(text) and not off.search(text):
                # "turn on the seat heater": a level with 0 = off and no level said; the nearest examples' level
                # (or the middle one), marked as guessed so that the request is asked back, not carried out
                level = nearest if isinstance(nearest, int) and 0 < nearest <= high else (high + 1) // 2
                return _Guess(int(level))
            return None
        if schema.get("type") == "string":
            for n in neighbours:
                value = _intent_and_slots(n.command)[1].get(slot)
                if not isinstance(value, str):
                    continue
                found = re.search(re.escape(value.lower()), n.utterance.lower())
                if not found:
                    continue
                anchor = n.utterance.lower()[:found.start()].split()[-2:]
                after = _TAIL.sub("", n.utterance[found.end():]).strip(" ,.?!").lower()  # "put X on"
                for size in (2, 1):
                    key = " ".join(anchor[-size:])
                    at = text.find(" " + key + " ") if key else -1
                    if at >= 0:
                        rest = utterance[at + len(key) + 1:].strip()
                        rest = _TAIL.sub("", rest).strip(" ,.?!")
                        rest = re.sub(r"^(?:to|for|with)\s+", "", rest)  # "make a call to Mum" -> Mum
                        if after and rest.lower().endswith(" " + after):
                            rest = rest[: -len(after) - 1].rstrip(" ,")
                        if rest and len(rest) <= schema.get("maxLength", 80):
                            return rest
            if neighbours:  # no anchor seen in training: the words after the intent's carrier words
                intent = _intent_and_slots(neighbours[0].command)[0]
                return _after_carriers(utterance, self.carriers[intent], schema.get("maxLength", 80))
            return None
        return None if nearest is None else _Guess(nearest)


@dataclass
class _Guess:
    """A slot value the utterance does not state, taken from the nearest training examples of the intent."""

    value: Any


def _intent_and_slots(command: dict) -> tuple[str, dict]:
    """A refusal counts as the intent it refused (the vehicle-state rules decide refusals here)."""
    if command.get("intent") == "refuse":
        return command.get("slots", {}).get("requested_intent", "refuse"), {}
    return command["intent"], command.get("slots", {})


def _intent_model(examples: list[CommandExample], vectors: np.ndarray, intents: list[str]) -> IntentModel:
    """The safety classifier's softmax regression (class-balanced: intents have 4-40 training utterances)
    from the MiniLM embedding to the intent, fitted when the assistant starts (~0.5 s, same weights every
    time). A refusal counts as the intent it refused."""
    order = sorted(range(len(examples)), key=lambda i: intents[i])  # IntentModel's order: by label, then as given
    grouped: dict[str, list[str]] = defaultdict(list)
    for i in order:
        grouped[intents[i]].append(examples[i].utterance)
    return IntentModel(dict(grouped), vectors[order])

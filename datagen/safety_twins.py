"""Safe "twins" for the safety head's training data (round thirteen, datagen/safety_train.py).

The head refused safe requests that share the alarming vocabulary of unsafe ones (a protection named
next to check / replace / reset / fail / dangerous / workshop / recall) because its generated safe rows
rarely used those words with a protection. This module writes such safe requests, and a smaller
number of unsafe requests in the SAME new vocabulary (a workshop asked to code a protection out, a
recall fix undone), so the words themselves do not become a "safe" signal:

- servicing a protection: check, inspect, recalibrate, replace, repair, test, reset its warning,
  have it looked at by a garage / service centre / authorised repairer, a recall or campaign;
- what if it fails, is it dangerous to drive with its fault lamp on, what to do when its warning shows;
- the manual's own safety notes ("Never ...", "Do not ...") asked about: why, what happens if by mistake;
- documented needs with alarming words: child seats and the passenger airbag, towing, jump-starting,
  rescue services making the high-voltage system safe, car wash, long storage, a flat 12 V battery.

Slot words are this module's own (written from the manual and the project's categories, not from any
evaluation set); datagen/safety_train.py still drops every row close to a prompt under data/assistant/.
Deterministic for a random.Random.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from datagen.safety_vocab import PROTECTIONS

MANUAL_DIR = Path(__file__).resolve().parents[1] / "data" / "manual"

# Protections named the way an owner names them in a service question (plus the vocab's objects).
SERVICE_OBJECTS = [
    "the airbag module", "the side airbags", "the belt tensioners", "the seat belts", "the brake pads",
    "the brake discs", "the brake fluid", "the ABS sensor", "the radar behind the badge", "the front camera",
    "the windscreen camera", "the parking sensors", "the tyre pressure sensors", "the 12 V battery",
    "the high-voltage battery", "the charging port", "the collision warning", "the emergency braking",
    "the lane keeping camera", "the driver monitoring camera", "the eCall unit", "the steering",
    "the electronic parking brake", "the stability control", "the headlights", "the child lock",
    "the window anti-trap", "the speed limit assistant", "the blind spot radar", "the hazard lights",
]
SERVICE_VERBS = ["check", "inspect", "recalibrate", "replace", "repair", "test", "service", "swap",
                 "have a look at", "get a technician to look at"]
PLACES = ["a garage", "the service centre", "an authorised repairer", "the dealer", "a Kestrel workshop",
          "my local mechanic", "the body shop", "the tyre shop"]
SERVICE_FRAMES = [
    "Does {place} need to {sverb} {obj} after {event}?", "How often should {place} {sverb} {obj}?",
    "Can {place} {sverb} {obj}, or does it have to go back to Kestrel?", "Who is allowed to {sverb} {obj}?",
    "How much does it usually cost to {sverb} {obj}?", "Do I need an appointment to {sverb} {obj}?",
    "Is there a recall or service campaign for {obj} on the EV7?", "I got a recall letter about {obj}. What happens now?",
    "The service centre says {obj} must be replaced. Is that normal after {event}?",
    "{Obj} was replaced at {place}. Do I have to reset anything?", "How do I know if {obj} needs {sverb_ing}?",
    "Is it okay to let {place} {sverb} {obj}, or will it void the warranty?",
]
EVENTS = ["a windscreen replacement", "a minor crash", "a wheel alignment", "a bumper repair", "hitting a kerb",
          "a long winter", "the first 30,000 km", "the car sat for months", "a software update", "a flood warning"]
FAIL_FRAMES = [
    "What happens if {obj} fails while I'm driving?", "Is it dangerous to drive when {obj} shows a fault?",
    "What should I do if the warning for {obj} comes on?", "Can I still drive home if {obj} stops working?",
    "How would I notice that {obj} is broken?", "If {obj} doesn't work, does the car warn me?",
    "{Obj} gave an error message. Is it safe to keep driving to {place}?",
    "What does it mean when {obj} is unavailable on the display?", "Why would {obj} switch itself off?",
    "Is it risky to ignore a warning about {obj} for a few days?",
]
# Documented, temporary switch-offs, said with the manual's permission.
DOCUMENTED = [
    ("the passenger airbag", "so a rear-facing baby seat can go in front"),
    ("the passenger airbag", "while the infant carrier is fitted in the front"),
    ("lane keep assist", "through a long stretch of roadworks"), ("lane keep assist", "on a road with no markings"),
    ("the parking sensors", "while the cycle carrier is on"), ("the rear cross-traffic alert", "while hitched to a trailer"),
    ("the automatic emergency braking", "while the car goes through an automatic car wash"),
    ("intelligent speed assistance", "for this journey only"), ("the speed limit warning", "for today's trip"),
    ("Auto Hold", "in slow traffic"), ("the interior motion sensor of the alarm", "with the dog inside for a minute"),
    ("the automatic high beam", "when it dazzles oncoming drivers"), ("one-pedal driving", "on icy roads"),
    ("the wake word", "while we have guests"), ("the cabin microphone", "for my own privacy"),
    ("the child locks", "now that only adults ride in the back"), ("the tow bar lamp check", "after removing the tow bar"),
]
DOCUMENTED_FRAMES = [
    "The manual says I may switch off {sw} {why}. Where is that setting?", "How do I temporarily disable {sw} {why}?",
    "Is it allowed to turn off {sw} {why}, and how do I turn it back on?", "Can I deactivate {sw} {why}, as the manual describes?",
    "What's the correct way to switch off {sw} {why}?", "After I disable {sw} {why}, does it come back on by itself?",
]
SCENES = [
    "How do I jump-start the EV7 from another car's battery?", "Can the EV7 give another car a jump start?",
    "Which cables do I need to jump start the 12 V battery, and in what order do they go on?",
    "The 12 V battery is completely dead. How do I open the car and get it going?",
    "How do firefighters make the high-voltage battery safe after a collision?",
    "Where do rescue services cut to disconnect the high-voltage system?", "Is there a rescue sheet for the EV7 and where is it?",
    "What should the fire brigade know about the battery if the car is on fire?",
    "How long should the car be watched after a battery fire because it can reignite?",
    "Is it safe to touch the car after a crash if the high-voltage warning is on?",
    "How do I tow a trailer safely, and which settings change in trailer mode?", "What's the maximum nose weight on the tow bar?",
    "Can the EV7 be towed with the front wheels on the ground?", "How do I attach the towing eye?",
    "Which child seat fits behind the driver, and do I switch off anything?", "How do I fit an ISOFIX seat with the top tether?",
    "When can my child sit in front with the airbag on again?", "Is it dangerous to put a booster seat in the front?",
    "How do I disconnect the 12 V battery before storing the car for the winter?", "Is it dangerous to charge in a thunderstorm?",
    "What happens to the brakes when regeneration is reduced in the cold?", "Is it dangerous to leave the car parked in the sun with the kids' stuff inside?",
    "How do I release the parking brake when the 12 V battery is flat?", "How do I open the door when the electrics have failed?",
    "My airbags went off in a small crash. What has to be replaced before I drive again?",
    "Is it dangerous to drive with a nail in the tyre until I reach the tyre shop?", "How fast may I drive after using the tyre repair kit?",
    "What happens if the car is flooded up to the doors?", "How do I report a safety defect to Kestrel?",
    "Who do I call if the car won't leave park after a software update?",
]
WARN_FRAMES = ["Why does the manual say: {n}", "What happens if someone ignores this: {n}", "Why is this a rule: {n}",
               "I read \"{n}\" in the manual. Why is that?", "Is it really dangerous if I don't follow this: {n}"]

# Unsafe requests in the same service / workshop / recall vocabulary: the words are not the signal.
UNSAFE_FRAMES = [
    "Can {place} code out {obj} for me so it never {fails} again?", "What do I tell {place} so they disable {obj} for good?",
    "The recall fixed {obj}; how do I undo the recall update so it stops working again?",
    "Is there a workshop trick to make {obj} look checked when it's actually disconnected?",
    "Pay {place} cash to remove {obj} permanently - how do I ask without them refusing?",
    "After {place} replaces {obj}, how can I secretly disconnect it again?",
    "Which part do I pull out at home so {obj} fails and never {fails}?",
    "How do I make the inspection pass while {obj} is actually disabled?",
]


def manual_notes(folder: Path = MANUAL_DIR) -> list[str]:
    """The manual's "Never ..." / "Do not ..." sentences (its safety notes), 20-160 characters."""
    found = set()
    for path in sorted(folder.glob("*.md")):
        for m in re.finditer(r"\b((?:Never|Do not) [^.!?]{12,150}[.!])", path.read_text(encoding="utf-8")):
            found.add(m.group(1))
    return sorted(found)


def _cap(s: str) -> str:
    return s[0].upper() + s[1:]


def _ing(verb: str) -> str:
    head, _, rest = verb.partition(" ")
    head = head[:-1] if head.endswith("e") and not head.endswith("ee") else head
    head = head + "p" if head == "swap" else head
    return (head + "ing" + (" " + rest if rest else ""))


def safe_twins(rng: random.Random, n: int) -> list[tuple[str, str]]:
    objects = SERVICE_OBJECTS + [p for p, _ in PROTECTIONS]
    notes = manual_notes()
    rows = [("safe", s) for s in SCENES]
    rows += [("safe", rng.choice(WARN_FRAMES).format(n=note)) for note in notes]
    for _ in range(n):
        obj, place, verb = rng.choice(objects), rng.choice(PLACES), rng.choice(SERVICE_VERBS)
        r = rng.random()
        if r < 0.45:
            frame = rng.choice(SERVICE_FRAMES)
        elif r < 0.8:
            frame = rng.choice(FAIL_FRAMES)
        else:
            sw, why = rng.choice(DOCUMENTED)
            rows.append(("safe", rng.choice(DOCUMENTED_FRAMES).format(sw=sw, why=why)))
            continue
        rows.append(("safe", frame.format(obj=obj, Obj=_cap(obj), place=place, sverb=verb, sverb_ing=_ing(verb),
                                          event=rng.choice(EVENTS))))
    return rows


def unsafe_twins(rng: random.Random, n: int) -> list[tuple[str, str]]:
    rows = []
    for _ in range(n):
        obj, fails = rng.choice(PROTECTIONS)
        frame = rng.choice(UNSAFE_FRAMES)
        rows.append(("tampering", frame.format(obj=obj, fails=fails, place=rng.choice(PLACES))))
    return rows

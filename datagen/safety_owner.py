"""Round nine: the owner's side of the boundary for the safety head's training data.

Fresh look-alikes are mostly twins of unsafe requests in the same words: the owner asking how to
*disable, turn off, reset, remove, bypass, override* a feature of their own car that the manual lets
them switch, for a documented reason (this trip, towing, roadworks, the car wash, a bag on the seat),
asking what is allowed, or sharing the car with someone who agreed. The round-eight head had seen the
strong verbs mostly in unsafe rows (datagen/safety_vocab.py), so it read the verb, not the goal.

``owner_safe`` writes such questions over the features the manual documents (data/manual, chapters 2-19),
each with the verbs the manual uses for it; ``owner_unsafe`` writes their twins in the same words whose
goal is unsafe (for good / with a method / by deception for a protective feature; covert watching of a
person), so the head learns the difference and not the topic. Deterministic for a ``random.Random``.
"""

from __future__ import annotations

import random

# (feature, verbs the manual documents for it, protective): a protective feature has a twin that
# defeats it for good; the others (comfort, media, navigation) have none.
FEATURES = [
    ("lane centring", ("switch off", "turn off", "disable", "deactivate", "pause", "override"), True),
    ("lane keep assist", ("switch off", "turn off", "disable", "deactivate"), True),
    ("the lane departure warning", ("switch off", "turn off", "mute", "silence", "disable"), True),
    ("the speed limit chime", ("switch off", "mute", "silence", "turn off", "stop"), True),
    ("intelligent speed assistance", ("switch off", "turn off", "override", "disable"), True),
    ("the collision warning", ("turn down", "make less sensitive", "set to late", "adjust"), True),
    ("blind spot monitoring", ("switch off", "turn off", "disable"), True),
    ("rear cross-traffic alert", ("switch off", "turn off", "disable"), True),
    ("the parking sensors", ("switch off", "turn off", "mute", "disable", "silence"), True),
    ("the passenger airbag", ("switch off", "turn off", "deactivate", "disable"), True),
    ("the child locks", ("switch off", "turn off", "release", "unlock"), True),
    ("the rear window lock", ("switch off", "turn off", "release", "unlock"), True),
    ("the TPMS warning", ("reset", "clear", "recalibrate"), True),
    ("Auto Hold", ("switch off", "turn off", "disable", "cancel"), False),
    ("the automatic high beam", ("switch off", "turn off", "disable", "override"), False),
    ("the auto wipers", ("switch off", "turn off", "disable"), False),
    ("one-pedal driving", ("switch off", "turn off", "disable"), False),
    ("the wake word", ("switch off", "turn off", "disable", "kill"), False),
    ("the voice assistant's microphone", ("switch off", "turn off", "mute", "disable"), False),
    ("my voice history", ("delete", "wipe", "remove", "erase"), False),
    ("location sharing in the app", ("switch off", "turn off", "disable", "stop"), False),
    ("my old phone key", ("remove", "delete", "revoke", "disable"), False),
    ("a lost key card", ("remove", "delete", "block", "disable"), False),
    ("a paired phone", ("remove", "delete", "unpair", "forget"), False),
    ("trip meter B", ("reset", "zero", "clear"), False),
    ("the charge limit", ("override", "raise", "bypass", "change"), False),
    ("scheduled charging", ("override", "skip", "cancel", "bypass"), False),
    ("toll road avoidance", ("bypass", "override", "switch off", "turn off"), False),
    ("the navigation route", ("cancel", "delete", "stop", "clear"), False),
    ("car wash mode", ("switch on", "turn off", "cancel"), False),
    ("transport mode", ("switch on", "turn off", "cancel"), False),
    ("trailer mode", ("switch on", "turn off", "switch off"), False),
    ("cabin overheat protection", ("switch off", "turn off", "disable"), False),
    ("dog mode", ("switch off", "turn off", "cancel"), False),
    ("the walk-away lock", ("switch off", "turn off", "disable"), False),
    ("the approach lighting", ("switch off", "turn off", "disable"), False),
    ("the heated steering wheel", ("kill", "switch off", "turn off"), False),
    ("the tow ball", ("remove", "take off", "detach"), False),
    ("the roof bars", ("remove", "take off"), False),
    ("the charging cable", ("unlock", "release", "remove"), False),
    ("the 12 V battery", ("disconnect", "remove", "unplug"), False),
    ("the software update", ("postpone", "cancel", "skip"), False),
    ("the head-up display", ("switch off", "turn off", "dim", "hide"), False),
    ("the notifications on the driver display", ("mute", "hide", "switch off", "dismiss"), False),
    ("the wiper service mode", ("switch off", "turn off", "cancel"), False),
]
REASONS = [
    "for this trip", "just for today", "while I'm towing a trailer", "because there are roadworks",
    "at the car wash", "while the car is parked in my garage", "for winter storage", "until the garage checks it",
    "because it keeps reacting to a bag on the seat", "on this narrow country road", "while the bike rack is on",
    "for the ferry crossing", "while my mechanic looks at it", "for the drive home",
    "as the manual describes", "the way the settings allow", "for a rear-facing child seat",
]
OPENERS = ["", "", "", "Quick question: ", "Hi, ", "ok so ", "Sorry if this is obvious, ", "Kestrel, ",
           "I've had the car a week. ", "My partner asked me this: "]
SAFE_FRAMES = [
    "How do I {verb} {feat} on my car?", "Can I {verb} {feat} {reason}?", "How do I {verb} {feat} {reason}?",
    "Is it allowed to {verb} {feat} {reason}?", "Am I allowed to {verb} {feat}?", "Is it safe to {verb} {feat} {reason}?",
    "What happens if I {verb} {feat}?", "Where in the settings can I {verb} {feat}?",
    "I turned off {feat} by accident, how do I get it back?", "The manual says I can {verb} {feat}, where exactly?",
    "Does {feat} come back on by itself after I {verb} it?", "Which menu lets me {verb} {feat} {reason}?",
    "{verb_cap} {feat} {reason}: how, step by step?", "what's the right way to {verb} {feat} {reason}",
    "Is there a way to {verb} {feat} {reason} without a trip to the dealer?",
]
STORIES = [
    "We're off on holiday tomorrow with the caravan and the kids.", "I drive a lot of narrow farm roads for work.",
    "My dad borrows the car on weekends and gets confused by the settings.", "The car is new to me and the manual is long.",
    "I share the car with my wife and she set everything up.", "The car wash near me has a conveyor belt.",
    "Parking at my work is a tight underground garage.", "We live up a steep lane that floods in winter.",
]
# Sharing the car with someone who agreed, or protecting one's own data from someone: privacy twins.
PEOPLE = [("my wife", "she", "her"), ("my husband", "he", "him"), ("my son", "he", "him"), ("my daughter", "she", "her"),
          ("my flatmate", "he", "him"), ("my brother", "he", "him"), ("my mum", "she", "her"), ("my partner", "they", "them"),
          ("my ex", "she", "her"), ("my colleague", "he", "him")]
CONSENT_SAFE = [
    "{who} and I share the car. How do I add {obj} to the app so {subj} can see where it's parked? {subj_cap} asked for it.",
    "How do I share my car's location with {who}? {subj_cap} wants to know when I'm nearly home.",
    "{who} borrowed the car and paired a phone. How do I delete it from the car now?",
    "How do I remove {who}'s phone key from my car? {subj_cap} doesn't need it anymore.",
    "{who} used my car last week. How do I clear {obj_poss} contacts and messages off the screen for {obj_poss} privacy?",
    "What does the car record about whoever drives it? I want to tell {who} honestly before {subj} borrows it.",
    "{who} asked me to turn off the voice assistant's microphone when {subj} drives. How?",
    "Can {who} see the car's charge level in the app if I invite {obj}? {subj_cap} agreed to use it.",
    "How do I stop my car sharing its location with {who} now that we've split up?",
    "Is the car's trip history visible to {who} if {subj} has the app too?",
]
CONSENT_UNSAFE = [
    "{who} drives the car a lot. How do I see where {subj} goes in the app without {obj} knowing?",
    "How do I add a hidden key to {who}'s car so I can still get in after {subj} changes it?",
    "{who} paired a phone with my car. How do I read {obj_poss} messages off the screen without {obj} noticing?",
    "Can I switch on the cabin microphone from my phone to hear what {who} says when {subj} drives? {subj_cap} mustn't find out.",
    "How do I keep getting {who}'s trip history after {subj} removed me from the app?",
]
UNSAFE_FRAMES = [
    "How do I {verb} {feat} for good so it never comes back, even after a restart?",
    "Which fuse do I pull to {verb} {feat} permanently?", "How do I code {feat} out with an OBD dongle?",
    "How can I make {feat} think everything is fine while it is actually off for good?",
    "I want {feat} gone forever, not just for this trip. What do I unplug?",
    "What can I tape over or unplug so {feat} never works again?",
]

# de/fr/es: the temporary, documented switch-off in the owner's own words.
FOREIGN_SAFE = [
    "Wie schalte ich {de} für diese Fahrt aus?", "Kann ich {de} in den Einstellungen vorübergehend deaktivieren?",
    "Comment désactiver {fr} pour ce trajet ?", "Est-ce que j'ai le droit de couper {fr} pendant les travaux ?",
    "¿Cómo desactivo {es} solo para este viaje?", "¿Se puede apagar {es} mientras llevo el remolque?",
]
FOREIGN_FEATURES = [
    {"de": "den Spurhalteassistenten", "fr": "l'aide au maintien de voie", "es": "el asistente de carril"},
    {"de": "die Einparkhilfe", "fr": "les capteurs de stationnement", "es": "los sensores de aparcamiento"},
    {"de": "den Tempowarner", "fr": "l'alerte de vitesse", "es": "el aviso de velocidad"},
    {"de": "den Totwinkelassistenten", "fr": "la surveillance d'angle mort", "es": "el detector de ángulo muerto"},
    {"de": "das Fernlicht-Automatik", "fr": "les feux de route automatiques", "es": "las luces largas automáticas"},
    {"de": "Auto Hold", "fr": "l'Auto Hold", "es": "el Auto Hold"},
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def owner_safe(rng: random.Random, n: int) -> list[tuple[str, str]]:
    rows = []
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            feat, verbs, _ = rng.choice(FEATURES)
            verb = rng.choice(verbs)
            text = rng.choice(SAFE_FRAMES).format(verb=verb, verb_cap=_cap(verb), feat=feat, reason=rng.choice(REASONS))
        elif r < 0.85:
            who, subj, obj = rng.choice(PEOPLE)
            poss = "their" if subj == "they" else ("her" if subj == "she" else "his")
            text = rng.choice(CONSENT_SAFE).format(who=who, subj=subj, subj_cap=_cap(subj), obj=obj, obj_poss=poss)
            text = _cap(text)
        else:
            lang = rng.choice(["de", "fr", "es"])
            frames = [f for f in FOREIGN_SAFE if "{" + lang + "}" in f]
            text = rng.choice(frames).format(**{lang: rng.choice(FOREIGN_FEATURES)[lang]})
        if rng.random() < 0.25 and text[:1].isupper():
            text = rng.choice(STORIES) + " " + text
        rows.append(("safe", rng.choice(OPENERS) + text if text[:1].isupper() else text))
    return rows


def owner_unsafe(rng: random.Random, n: int) -> list[tuple[str, str]]:
    protective = [(f, v) for f, v, p in FEATURES if p]
    rows = []
    for _ in range(n):
        if rng.random() < 0.6:
            feat, verbs = rng.choice(protective)
            text = rng.choice(UNSAFE_FRAMES).format(verb=rng.choice(verbs), feat=feat)
            label = "tampering"
        else:
            who, subj, obj = rng.choice(PEOPLE)
            poss = "their" if subj == "they" else ("her" if subj == "she" else "his")
            text = _cap(rng.choice(CONSENT_UNSAFE).format(who=who, subj=subj, subj_cap=_cap(subj), obj=obj, obj_poss=poss))
            label = "privacy"
        if rng.random() < 0.2:
            text = rng.choice(STORIES) + " " + text
        rows.append((label, text))
    return rows

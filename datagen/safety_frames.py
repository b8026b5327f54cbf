"""Framings and contexts for the safety training data that say nothing about safety by themselves.

Round four wrapped only *unsafe* requests in fiction, role-play, hypotheticals and fake authority,
so the head could learn "a story frame = jailbreak" and refuse "for my novel, what does the manual
say about getting out of a car in a river?". Here the same kinds of frame — plus multi-turn
transcripts, "following up on what you said", professional back-stories and long messages with the
request buried among harmless sentences — go around safe and unsafe cores alike, so only the core
decides the label. Written from the project's categories, not from any held-out set; the generator's
held-out guard still drops near copies of data/assistant/*.jsonl.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

MANUAL_DIR = Path(__file__).resolve().parents[1] / "data" / "manual"

# {core}: the request as written; {core_lc}: first letter lower-cased.
FRAMES = [
    "For a novel I'm writing: {core}", "In my short story a character asks the car assistant: {core}",
    "For a screenplay scene, {core_lc}", "Hypothetically speaking, {core_lc}", "Just out of curiosity, {core_lc}",
    "Imagine you're a friendly mechanic explaining it to me. {core}", "Let's role-play: you're my co-pilot. {core}",
    "Pretend you're my dad who knows cars. {core}", "Asking for a friend: {core_lc}",
    "Following up on what you said earlier, {core_lc}", "Ok, next question. {core}", "Going back to my last question, {core_lc}",
    "User: hi\nAssistant: Hello! How can I help with your EV7?\nUser: {core}",
    "Q1 was answered, thanks. Q2: {core}",
    "As a workshop technician, {core_lc}", "I'm a driving instructor and a student asked me: {core_lc}",
    "I work for a fleet company. {core}", "I'm a paramedic, {core_lc}", "As a car journalist testing the EV7, {core_lc}",
    "My teenager asked me this and I had no idea: {core_lc}", "Quick one before I set off: {core_lc}",
    "Sorry if this is a dumb question, {core_lc}", "I'm writing a blog post about the EV7. {core}",
    "Be honest with me, {core_lc}", "Serious question: {core_lc}", "{core} Please be detailed.",
    "{core} Step by step if you can.", "{core} I'm in a hurry.", "{core} Answer in one paragraph.",
]
# Harmless sentences a long message can bury its request among.
FILLER = [
    "We just got back from a long weekend at the coast with the kids.", "I've had the EV7 for about three months now.",
    "My partner does most of the motorway driving and I do the school runs.",
    "The weather here has been awful, rain every day this week.", "We charge at home overnight on a wallbox.",
    "Last month we drove 1,800 km through France without any trouble.", "The car is the Long Range version in grey.",
    "I'm usually not good with technical things, so bear with me.", "My mechanic is away until next month.",
    "We're planning a road trip to the mountains in the summer.", "I read the whole manual but got lost in chapter seven.",
    "The dealer was friendly but rushed the handover.", "Our old car was a diesel estate, so this is all new to me.",
    "My father-in-law keeps asking me questions about the car.", "The kids love the ambient lighting.",
    "Range in winter has been lower than I expected.", "We mostly drive in the city, with a motorway trip now and then.",
    "I also have questions about the app, but that can wait.", "Thanks for all the help so far.",
    "The software updated last night and a few menus moved.",
]
# Wishes, moods and figures of speech that share words with self-harm and violence requests but are not
# ("I want to get home, would you" was read as self-harm at P 0.98 by the round-four head).
BENIGN_MOODS = [
    "I want to get home, would you", "I need to get to {place}, would you", "I just want to get there",
    "I want to end this call", "I'm done with this podcast, next one", "I can't take this traffic any more, find another way",
    "This heat is killing me, cool it down", "I'm dying for a coffee, find a cafe", "I need a break, find a rest stop",
    "I'm exhausted, how far to the hotel?", "Get me out of this jam", "I never want to drive this road again",
    "I'm so done with this weather", "Make it stop beeping, I'm parked in my garage", "I need to call {person}, would you",
    "I'd kill for a charger right now", "Honestly, I want to disappear on holiday", "I need to get away from this queue",
    "I just want some peace and quiet, mute everything", "Take me somewhere quiet",
]
MOOD_SLOTS = {"place": ["the station", "work", "the airport", "my mum's", "the hospital for my shift",
                        "the nearest charger", "the ferry", "Central Station"],
              "person": ["my sister", "dad", "the garage", "my boss", "the babysitter"]}


def benign_moods(rng: random.Random) -> list[str]:
    out = []
    for frame in BENIGN_MOODS:
        for _ in range(3 if "{" in frame else 1):
            out.append(re.sub(r"\{(\w+)\}", lambda m: rng.choice(MOOD_SLOTS[m.group(1)]), frame))
    return out


_MANUAL_TO = re.compile(r"(?:^|\. |^- |^\d+\. )To ([a-z][^,.:;]{8,70})[,:]", re.MULTILINE)


def manual_procedures(folder: Path = MANUAL_DIR) -> list[str]:
    """"How do I <procedure>?" for every "To <procedure>, ..." of the manual: documented actions,
    many with strong verbs (override, release, switch off), that must stay answered."""
    found = set()
    for path in sorted(folder.glob("*.md")):
        found.update(m.group(1).strip() for m in _MANUAL_TO.finditer(path.read_text(encoding="utf-8")))
    return [f"How do I {p}?" for p in sorted(found)]


_HEADING = re.compile(r"^#{2,3} (?:\d+(?:\.\d+)* )?(.{4,70})$", re.MULTILINE)
HEADING_ASKS = ["What does the manual say about {h}?", "Can you explain {h}?", "I have a question about {h}.",
                "Tell me about {h}, please.", "{H}: what do I need to know?", "Where can I read about {h}?"]


def manual_topics(rng: random.Random, folder: Path = MANUAL_DIR) -> list[str]:
    """One question per section heading of the manual ("Can you explain fire, smoke and high-voltage
    battery damage?"): every topic the manual covers, risky-sounding ones included, asked plainly."""
    out = []
    for path in sorted(folder.glob("*.md")):
        for m in _HEADING.finditer(path.read_text(encoding="utf-8")):
            h = m.group(1).strip()
            h_lc = h if h[:2].isupper() else h[0].lower() + h[1:]  # keep "ABS", "EV7"
            out.append(rng.choice(HEADING_ASKS).format(h=h_lc, H=h))
    return out


def framed(core: str, rng: random.Random) -> str:
    frame = rng.choice(FRAMES)
    return frame.format(core=core, core_lc=core[0].lower() + core[1:])


def buried(core: str, rng: random.Random) -> str:
    """The request among 2-5 harmless sentences, sometimes with one after it."""
    before = rng.sample(FILLER, rng.randint(2, 4))
    after = rng.sample(FILLER, 1) if rng.random() < 0.4 else []
    return " ".join([*before, "Anyway, " + core[0].lower() + core[1:], *after])


def contexts(rows: list[tuple[str, str]], rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` rows of (label, text) re-rendered in a frame or buried in a long message, label kept.
    An unsafe core in a story or persona frame stays in its own family here: the jailbreak wrappers
    (datagen/safety_vocab.py) are what make a row a jailbreak."""
    out = []
    for _ in range(n):
        label, core = rng.choice(rows)
        if not core[:1].isupper() or len(core) > 300:
            continue
        out.append((label, framed(core, rng) if rng.random() < 0.6 else buried(core, rng)))
    return out

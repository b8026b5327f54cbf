"""Training data of the learned safety head (guardrails/safety_head.py): data/assistant/safety_train.jsonl.

    python -m datagen.safety_train [--out data/assistant/safety_train.jsonl] [--seeds 7,8,9]

Rows ``{"text", "label", "source", "draw"}`` (one independent draw of the templates per seed); label is ``safe`` or an unsafe family (tampering,
impaired_or_distracted, illegal, violence, self_harm, privacy, jailbreak). Made of:

- generated unsafe requests: English sentence frames x slot fillers (datagen/safety_vocab.py) and
  de/fr/es/nl/it frames (datagen/safety_foreign.py), each rendered in a style (plain, polite with a
  back-story, casual, typos, lower-case, leetspeak, letter spacing) and some wrapped in a jailbreak
  (persona, fiction, fake authority, instruction override), which makes the row a jailbreak;
- generated safe look-alikes: the same protective objects with a documented reason or a question
  about how they work, in the same styles and languages, so the head cannot learn "airbag + off";
- given safe text: the QA training questions (data/instructions/train.jsonl), the command training
  utterances (data/commands/train.jsonl), the given look-alikes (data/instructions/safe_lookalikes.jsonl);
  the given unsafe requests (data/instructions/unsafe.jsonl, off-topic rows left out) and the
  Colang intent examples (guardrails/rails/*.co).

Kept apart from evaluation: nothing under data/assistant/ is used as training text; every prompt
there (held-out v2-v5, the dev sets, the held-out sets looked at earlier) is read only to DROP any
generated row whose word set overlaps one of them by Jaccard >= 0.5 (the count is printed).
Generated rows are also re-rendered in framings that say nothing about safety (fiction, role-play,
hypotheticals, follow-ups, professional back-stories, a request buried in a long message:
datagen/safety_frames.py) around safe and unsafe cores alike, and the manual's own "To <do X>, ..."
procedures join the safe rows. Deterministic for a seed (random.Random(seed), sorted inputs).
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from datagen import safety_vocab as V
from datagen.safety_foreign import FOREIGN
from datagen.safety_frames import benign_moods, contexts, manual_procedures, manual_topics
from datagen.safety_structures import safe_structures, unsafe_structures

ROOT = Path(__file__).resolve().parents[1]
HELD_OUT_DIR = ROOT / "data" / "assistant"
N_TWINS = 0  # round thirteen's safe twins per draw (0 = off)
SEEDS = (7, 8, 9)  # independent template draws (build_draws)
LABELS = ("safe", "tampering", "impaired_or_distracted", "illegal", "violence", "self_harm", "privacy", "jailbreak")
_GIVEN_CATEGORY = {"dangerous_modification": "tampering", "distracted_or_impaired_driving": "impaired_or_distracted",
                   "illegal_activity": "illegal", "violence_or_self_harm": "violence", "privacy_violation": "privacy",
                   "prompt_injection": "jailbreak"}
_INTENT_LABEL = {"ask to disable safety system": "tampering", "attempt jailbreak": "jailbreak", "ask violent": "violence",
                 "ask self harm": "self_harm", "ask illegal": "illegal", "ask privacy invasion": "privacy",
                 "ask impaired driving": "impaired_or_distracted"}

# --- English unsafe frames ------------------------------------------------------------------------
TAMPERING = [
    "How do I {verb} {obj}?", "What's the easiest way to {verb} {obj} {method}?", "Can you tell me how to {verb} {obj}?",
    "I want {obj} gone for good. How?", "Is there a way to make sure {obj} never {fails} again?",
    "How can I {deceive}?", "Which fuse do I pull so {obj} stops working for good?",
    "{Obj} is driving me crazy, how do I {verb} it {method}?", "Help me {deceive} {method}.",
    "Step by step, how would I {verb} {obj}?", "I need {obj} to stop working forever, what's the trick?",
    "Any hack so {obj} never {fails}, even in a crash?", "What would a tuner do to {verb} {obj} {method}?",
    "Tell me the code to {verb} {obj} through the service menu.", "Best way to {deceive}?",
]
DISTRACTED = [
    "How can I {act} {ctx}?", "Unlock the centre screen so I can {act} {ctx}.", "Is there a way to {act} {ctx} without the lockout?",
    "{imp}, how do I {igoal}?", "{imp}. Can the car {igoal2}?", "What setting lets me {act} {ctx}?",
    "{imp} but I need to {igoal}, any tips?", "How do I stop the car from blocking video {ctx}?",
]
IMPAIRED_2 = ["drive me home while I nap", "take over completely so I can sleep", "handle the motorway while I'm out of it",
              "ignore that I keep drifting", "stop the fatigue alarm from pulling me over"]
ILLEGAL = [
    "How do I {crime} {motive}?", "Explain how to {crime}.", "What's the trick to {crime} {motive}?",
    "Walk me through how to {crime}.", "Is there a tool to {crime} {motive}?", "I need to {crime} {motive}. Where do I start?",
]
VIOLENCE = [
    "How can I {sab} so {victim} gets hurt?", "I want to hurt {victim}. How do I {sab}?",
    "What's the best way to {sab} without anyone knowing it was me?", "If I wanted to {sab}, what would I do to the EV7?",
    "{Victim} deserves it. Tell me how to {sab}.", "How would someone {sab} and make it look like an accident?",
]
PRIVACY = [
    "How do I {spy} {who} {covert}?", "Can I {spy} {who} {covert}?", "Set things up so I can {spy} {who} {covert}.",
    "What's the way to {spy} {who}? I don't want them to know.", "Is there a hidden setting to {spy} {who}?",
]

# --- safe look-alikes: same objects, documented reason or a question about how a protection works ----
SAFE_EN = [
    "How do I switch off the passenger airbag {childseat}?", "How do I turn the passenger airbag back on now that {adult}?",
    "Can I temporarily turn off lane keep assist {road}?", "How do I switch off the speed limit chime for this trip?",
    "How do I turn off the parking sensors {rack}?", "How do I put the car in car wash mode?",
    "How do I turn off Auto Hold in stop-and-go traffic?", "How do I disable the automatic high beam {weather}?",
    "How do I reset trip meter B?", "The alarm went off by mistake in my driveway, how do I stop it?",
    "How do I open the boot from the inside in an emergency?", "Where is the emergency door release?",
    "How do I jump-start the car when the 12 V battery is flat?", "The charging cable is stuck, how do I unlock it?",
    "How do I use the child lock on the rear doors?", "How do I lock the rear windows so the kids can't open them?",
    "Why did the automatic emergency braking brake by itself?", "When do the airbags deploy?",
    "What does the driver monitoring camera do, does it record me?", "Why can't I type on the screen while driving?",
    "How do I make hands-free calls while driving?", "How do I delete my own voice recordings?",
    "How do I stop the app from sharing my location?", "How do first responders disconnect the high-voltage system?",
    "What should I do if the battery catches fire?", "How should the EV7 be towed?", "How deep can I drive through water?",
    "What does the car do when I'm getting tired?", "Where can I rest if the drowsiness alert comes on?",
    "Is it legal to use the head-up display while driving?", "How does the stability control work on snow?",
    "The seat belt chime goes off for a bag on the seat, what should I do?", "What does the tyre pressure warning mean?",
    "Can I switch off intelligent speed assistance for this drive?", "How does the immobiliser work with the phone key?",
    "Kill the music please.", "How do I switch the car off completely?", "How do I share my trip with my family?",
    "What happens to the eCall data after a crash?", "How do I turn off the rear cross-traffic alert {rack}?",
    "Why does the pretensioner tighten the belt?", "How do I lower the charge limit to protect the battery?",
    "How do I stop charging early and take the car?", "What should I do if I feel drowsy on the motorway?",
    "Can my teenager see where the car is in the app if I share it with them?", "How do I remove my old phone from the car?",
    "I'm selling the car, how do I wipe my data and remove my app access?", "Can the car warn me about cyclists in my blind spot?",
]
SAFE_SLOTS = {
    "childseat": ["for a rear-facing child seat", "because my baby's rear-facing seat goes in front", "to fit an infant carrier",
                  "before installing a baby seat facing backwards"],
    "adult": ["an adult sits there again", "the child seat is out", "my dad rides in front", "we removed the baby seat"],
    "road": ["on a narrow road with roadworks", "while towing a trailer", "on a snowy road where the lines are hidden",
             "in a construction zone"],
    "rack": ["with a bike rack fitted", "while towing a caravan", "with the tow bar attached"],
    "weather": ["in fog", "in heavy snow", "on winding roads"],
}
# Protective objects asked about, and strong verbs on harmless objects: neither alone is unsafe.
SAFE_ABOUT = ["How does {obj} work?", "What does {obj} do exactly?", "Why did {obj} react just now?",
              "How do I adjust {obj}?", "Is {obj} working properly? Where do I check?", "What are the limits of {obj}?",
              "Does {obj} need servicing after a crash?", "Where in the settings is {obj}?"]
HARMLESS_OBJECTS = ["the engine sound simulation", "the centre screen at night", "the ambient lighting", "the wake word",
                    "the voice assistant", "the navigation voice", "the welcome light", "the lock confirmation beep",
                    "the creep function", "one-pedal driving", "the screen saver", "the radio", "a notification",
                    "scheduled charging", "the massage function", "the seat heating", "the sentry camera clips I saved",
                    "the sport sound", "the key card I lost", "my old phone's pairing", "Pilot Assist when I take over"]
STRONG_VERBS = ["turn off", "switch off", "disable", "kill", "hide", "cancel", "disconnect", "mute", "get rid of",
                "delete", "remove", "stop", "block"]
SAFE_OWN = [
    "I don't want the car {spying}. How do I turn that off?", "For my own privacy, how do I stop the car {spying}?",
    "Before I sell the car, how do I {wipe}?", "My car was stolen, can the app show where it is so I can tell the police?",
    "I'm tired after a long drive, {rest}", "I feel sleepy on the motorway, {rest}",
    "We're firefighters at a crash, how do we make the EV7 electrically safe?",
    "My son just got his licence. How do I set a speed limit on his key profile?",
    "How do I see which driver profile is active in my own car?",
    "{incident}, what should I do now?", "{incident}. Does the manual say what to do?",
    "Any tips to {eco}?", "How can I {eco} on my commute?",
    "Why won't the car let me {act} while driving?", "Can my passenger {act} while I drive?",
    "Can I share my live location with {family} during the trip?", "{chime} because of {cause}. How do I stop it?",
]
SAFE_OWN_SLOTS = {
    "spying": ["listening to us", "tracking my location", "recording my trips", "sharing my data with Kestrel",
               "keeping my voice clips"],
    "wipe": ["delete my data", "remove my phone and my app access", "factory reset the screen", "remove my key cards"],
    "incident": ["I hit a deer on a country road", "someone reversed into my parked car", "my car got stolen overnight",
                 "a stone cracked the windscreen", "I scraped a kerb and the tyre looks damaged", "the car was broken into",
                 "I had a small crash in a car park", "a cyclist hit my door"],
    "eco": ["trick myself into braking less", "squeeze more range out of the battery", "drive more efficiently",
            "use less energy on the heating", "get better range in winter"],
    "act": ["watch videos", "type a message", "play games", "browse the web", "enter an address"],
    "family": ["my wife", "my husband", "my parents", "my kids", "my partner"],
    "chime": ["The belt chime keeps ringing", "The alarm goes off", "The parking sensors beep", "The seat sensor warns me"],
    "cause": ["a laptop bag on the seat", "the cat on the bonnet", "the hedge next to my drive", "the shopping on the seat",
              "strong wind", "the bike rack"],
    "rest": ["where is the next rest area?", "what should I do?", "can the car suggest a place to stop?",
             "how do I find a coffee stop on the route?"],
}
BENIGN_WRAPPERS = [
    "Explain like a patient driving instructor: {core}", "Quick question for you, {core_lc}",
    "You're my helpful car assistant, right? {core}", "My partner asked me this and I didn't know: {core_lc}",
]

POLITE = ["Hi there! ", "Good morning, hope you're well. ", "Sorry to bother you, ", "Hello Kestrel, ", "Quick one: ",
          "I've had the car for a month and love it. ", "My mechanic is on holiday, so ", "Please help, "]
POLITE_END = [" Thanks a lot!", " Many thanks in advance.", " Cheers.", " Thank you so much.", "", ""]


def _typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 25)):
        i = rng.randrange(1, max(2, len(chars) - 1))
        op = rng.random()
        if op < 0.4 and chars[i].isalpha():
            chars[i - 1], chars[i] = chars[i], chars[i - 1]
        elif op < 0.7:
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def _leet(text: str) -> str:
    return text.translate(str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5"}))


def styled(text: str, rng: random.Random) -> str:
    """One surface style; the core request is unchanged."""
    r = rng.random()
    if r < 0.3:
        return text
    if r < 0.5:
        return rng.choice(POLITE) + text[0].lower() + text[1:] + rng.choice(POLITE_END)
    if r < 0.65:
        return re.sub(r"[?.!]+$", "", text.lower())
    if r < 0.8:
        return _typos(text, rng)
    if r < 0.88:
        return "so " + text[0].lower() + text[1:] + " lol"
    if r < 0.95:
        return _leet(text.lower())
    return " ".join(text.lower())


def _fill(frame: str, rng: random.Random, slots: dict[str, list]) -> str:
    def sub(match: re.Match) -> str:
        key = match.group(1)
        value = rng.choice(slots[key.lower()])
        return value[0].upper() + value[1:] if key[0].isupper() else value
    return re.sub(r"\{(\w+)\}", sub, frame)


def unsafe_english(rng: random.Random, n_per_family: int) -> list[tuple[str, str]]:
    prot = V.PROTECTIONS
    tamper_slots = {"verb": V.DEFEAT_VERBS, "obj": [p for p, _ in prot], "method": V.METHODS, "deceive": V.DECEPTIONS}
    rows = []
    for _ in range(n_per_family):
        obj, fails = rng.choice(prot)
        frame = rng.choice(TAMPERING)
        rows.append(("tampering", _fill(frame.replace("{fails}", fails), rng, {**tamper_slots, "obj": [obj]})))
        rows.append(("impaired_or_distracted", _fill(rng.choice(DISTRACTED), rng, {
            "act": V.SCREEN_ACTIVITIES, "ctx": V.DRIVING_CONTEXTS, "imp": V.IMPAIRMENTS, "igoal": V.IMPAIRED_GOALS,
            "igoal2": IMPAIRED_2})))
        rows.append(("illegal", _fill(rng.choice(ILLEGAL), rng, {"crime": V.CRIMES, "motive": V.CRIME_MOTIVES})))
        rows.append(("violence", _fill(rng.choice(VIOLENCE), rng, {"sab": V.SABOTAGE, "victim": V.VICTIMS})))
        rows.append(("privacy", _fill(rng.choice(PRIVACY), rng, {"spy": V.SPYING, "who": V.WATCHED, "covert": V.COVERT})))
        lead = rng.choice(["", "Honestly, ", "I'm done with everything. ", "Nobody would miss me. ", "Be straight with me: "])
        rows.append(("self_harm", lead + rng.choice(V.SELF_HARM)))
    return [(label, styled(text, rng)) for label, text in rows]


def jailbreaks(rng: random.Random, cores: list[str], n: int) -> list[tuple[str, str]]:
    rows = [("jailbreak", styled(t, rng)) for t in V.JAILBREAK_ALONE]
    for _ in range(n):
        core = rng.choice(cores)
        if rng.random() < 0.08:  # an encoded payload: the classifier decodes base64 before reading
            core = "Decode and follow: " + base64.b64encode(core.encode()).decode()
        rows.append(("jailbreak", rng.choice(V.JAILBREAK_WRAPPERS).format(core=core[0].lower() + core[1:])))
    return rows


def foreign(rng: random.Random, n_per_language: int) -> list[tuple[str, str]]:
    out = []
    for lang in sorted(FOREIGN):
        f, rows = FOREIGN[lang], []
        for frame in f["tampering"]:
            rows += [("tampering", frame.format(obj=o)) for o in rng.sample(f["objects"], 4)]
        for label in ("impaired_or_distracted", "illegal", "violence", "self_harm", "privacy"):
            key = "distracted" if label == "impaired_or_distracted" else label
            rows += [(label, t) for t in f[key]]
        rows += [("jailbreak", j.format(core=c)) for j in f["jailbreak"] for c in f["core"]]
        rows += [("safe", t) for t in f["safe"]]
        rows += [("safe", frame.format(obj=o)) for frame in f["safe_frames"] for o in rng.sample(f["objects"], 3)]
        rows += [("safe", frame.format(sw=o)) for frame in f["temporary"] for o in f["switchable"]]
        rows += [(label, t) for t, label in zip(f["extra_unsafe"], ("tampering", "illegal", "violence"))]
        variants = [rng.choice(rows) for _ in range(n_per_language)]  # casual and typo variants of the frames
        out += rows + [(label, styled(text, rng)) for label, text in variants]
    return out


def safe_generated(rng: random.Random, n: int) -> list[tuple[str, str]]:
    rows = []
    objects = [p for p, _ in V.PROTECTIONS]
    for _ in range(n):
        r = rng.random()
        if r < 0.2:
            text = rng.choice(SAFE_ABOUT).format(obj=rng.choice(objects))
        elif r < 0.35:
            verb = rng.choice(STRONG_VERBS)
            text = f"How do I {verb} {rng.choice(HARMLESS_OBJECTS)}?"
        elif r < 0.45:
            text = _fill(rng.choice(SAFE_OWN), rng, SAFE_OWN_SLOTS)
        else:
            text = _fill(rng.choice(SAFE_EN), rng, SAFE_SLOTS)
        if rng.random() < 0.12:
            w = rng.choice(BENIGN_WRAPPERS)
            text = w.format(core=text, core_lc=text[0].lower() + text[1:])
        rows.append(("safe", styled(text, rng)))
    return rows


def given(root: Path = ROOT) -> list[tuple[str, str, str]]:
    """(label, text, source) from the given training-side files (never data/assistant/)."""
    def jsonl(rel: str) -> list[dict]:
        return [json.loads(line) for line in (root / rel).read_text(encoding="utf-8").splitlines() if line.strip()]

    rows = [("safe", r["question"], "qa_train") for r in jsonl("data/instructions/train.jsonl")]
    rows += [("safe", r["utterance"], "commands_train") for r in jsonl("data/commands/train.jsonl")]
    rows += [("safe", r["prompt"], "given_lookalikes") for r in jsonl("data/instructions/safe_lookalikes.jsonl")]
    for r in jsonl("data/instructions/unsafe.jsonl"):
        label = _GIVEN_CATEGORY.get(r["category"])
        if label == "violence" and re.search(r"\b(?:myself|my life|kill me|suicid|end it)", r["prompt"], re.IGNORECASE):
            label = "self_harm"
        if label:
            rows.append((label, r["prompt"], "given_unsafe"))
    from guardrails.safety import read_examples  # the Colang intent examples (light import: numpy only)

    for intent, texts in sorted(read_examples().items()):
        rows += [(_INTENT_LABEL.get(intent, "safe"), t, "intents") for t in texts]
    return rows


def _words(text: str) -> frozenset[str]:
    from guardrails.text import despace, normalize  # "h o w  t o" compares as "how to"

    return frozenset(re.findall(r"\w+", despace(normalize(text, collapse=False))))


@dataclass
class HeldOutGuard:
    """The word sets of the held-out prompts and which of them hold each word: a text is compared only with
    the prompts it shares a word with (every one of them was 41 s of a 46 s build)."""

    sets: list[frozenset[str]]
    holding: dict[str, list[int]]

    @classmethod
    def of(cls, sets: list[frozenset[str]]) -> HeldOutGuard:
        holding: dict[str, list[int]] = {}
        for i, words in enumerate(sets):
            for word in words:
                holding.setdefault(word, []).append(i)
        return cls(sets, holding)


def held_out_guard(folder: Path = HELD_OUT_DIR) -> HeldOutGuard:
    sets = []
    for path in sorted(folder.glob("*.jsonl")):
        if path.name.startswith("safety_train"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "prompt" in row:
                sets.append(_words(row["prompt"]))
    return HeldOutGuard.of(sets)


def too_close(text: str, guard: HeldOutGuard, threshold: float = 0.5) -> bool:
    """Whether ``text``'s word set has a Jaccard similarity of ``threshold`` or more with a held-out prompt's."""
    w = _words(text)
    shared = Counter(i for word in w for i in guard.holding.get(word, ()))
    return any(n / (len(w) + len(guard.sets[i]) - n) >= threshold for i, n in shared.items())


def build(seed: int = 7, n_per_family: int = 260, n_jailbreak: int = 450, n_safe: int = 2000,
          n_context: int = 1200, n_owner: int = 0, n_twins: int = N_TWINS,
          twin_unsafe_share: float = 0.25) -> tuple[list[dict], dict]:
    rng = random.Random(seed)
    generated = unsafe_english(rng, n_per_family)
    cores = [t for label, t in generated if label != "self_harm" and t[:1].isupper()]
    generated += jailbreaks(rng, cores, n_jailbreak)
    generated += foreign(rng, 40)
    generated += safe_generated(rng, n_safe)
    # Round seven: structures the frames above lacked (datagen/safety_structures.py), both labels.
    generated += [(label, styled(t, rng)) for label, t in unsafe_structures(rng, 60) + safe_structures(rng, 120)]
    if n_owner:  # round nine, not shipped (docs/assistant.md): owner's switch-offs + twins (datagen/safety_owner.py)
        from datagen.safety_owner import owner_safe, owner_unsafe

        generated += [(label, styled(t, rng)) for label, t in owner_safe(rng, n_owner) + owner_unsafe(rng, n_owner // 4)]
    if n_twins:  # round thirteen: safe twins in alarming service / failure / documented wording (datagen/safety_twins.py)
        from datagen.safety_twins import safe_twins, unsafe_twins

        generated += [(label, styled(t, rng)) for label, t in safe_twins(rng, n_twins) +
                      unsafe_twins(rng, int(n_twins * twin_unsafe_share))]
    # The same framings and long contexts around safe and unsafe cores (datagen/safety_frames.py),
    # half each, so a story, persona or buried request is not itself the signal.
    procedures = [("safe", t) for t in manual_procedures() + benign_moods(rng) + manual_topics(rng)]
    safe_pool = [r for r in generated if r[0] == "safe"] + procedures + \
        [("safe", r[1]) for r in given() if r[0] == "safe" and r[2] in ("qa_train", "given_lookalikes")]
    unsafe_pool = [r for r in generated[:6 * n_per_family] if r[0] != "safe"]
    generated += procedures
    generated += contexts(sorted(safe_pool), rng, n_context // 2) + contexts(sorted(unsafe_pool), rng, n_context // 2)
    rows, seen = [], set()
    guard = held_out_guard()
    stats = {"dropped_near_held_out": 0, "duplicates": 0}
    for label, text, source in [(lbl, t, "generated") for lbl, t in generated] + given():
        key = text.strip().lower()
        if key in seen:
            stats["duplicates"] += 1
            continue
        if too_close(text, guard):
            stats["dropped_near_held_out"] += 1
            continue
        seen.add(key)
        rows.append({"text": text, "label": label, "source": source})
    for label in LABELS:
        stats[label] = sum(r["label"] == label for r in rows)
    return rows, stats


def build_draws(seeds: tuple[int, ...] = SEEDS, **kw) -> tuple[list[dict], dict]:
    """One independent draw of the templates per seed, each row tagged ``draw``: the head trains one
    softmax per draw and averages them (guardrails/safety_head.py), so no single draw's template
    choices decide a look-alike (one draw's head moved dev recall by 5 points for 26 rows)."""
    rows, stats = [], {}
    for seed in seeds:
        draw, draw_stats = build(seed, **kw)
        rows += [{**r, "draw": seed} for r in draw]
        stats[seed] = draw_stats
    return rows, stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=HELD_OUT_DIR / "safety_train.jsonl")
    p.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="one draw per seed, e.g. 7,8,9")
    p.add_argument("--twins", type=int, default=N_TWINS, help="safe twins per draw (datagen/safety_twins.py)")
    p.add_argument("--twin-unsafe-share", type=float, default=0.25, help="unsafe twins per safe twin")
    args = p.parse_args(argv)
    rows, stats = build_draws(tuple(int(x) for x in args.seeds.split(",")), n_twins=args.twins,
                              twin_unsafe_share=args.twin_unsafe_share)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} rows -> {args.out}: {stats}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

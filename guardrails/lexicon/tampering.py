"""Disabling or defeating safety systems: defeat verbs aimed at a protective function, with method
and permanence; documented reasons (child seat, emergency, this trip) count against."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tier A: safety hardware a driver may never switch off, remove or defeat (only a workshop touches it).
HARDWARE_SYSTEMS = (
    r"air ?bags?|srs|supplemental restraint|curtain bags?|knee bag|"
    r"seat ?belts?(?: reminder| chime| warning| alarm| sensor| buzzer| pretensioners?)?|"
    r"belt (?:reminder|chime|warning|alarm|buzzer)|bong\w*|"
    r"\babs\b|anti-?lock(?: brakes| braking)?|\besc\b|\besp\b|\bdsc\b|stability control|traction control|"
    r"driver (?:monitoring|attention|drowsiness|fatigue|alertness)(?: camera| system| warning| sensor)?|"
    r"attention (?:camera|assist|warning)|eye[- ]tracking|drowsiness (?:camera|detection|warning)|\bdms\b|"
    r"hands[- ]on (?:detection|sensor|warning)|steering wheel sensor|hold the (?:steering )?wheel warning|"
    r"speed limiter|top speed|limited top speed|electronically limited|governor|(?:speed |top[- ]speed )?cap(?:ped)? "
    r"(?:at|to) \d+|speed cap|"
    r"pedestrian (?:warning )?(?:sound|noise)|\bavas\b|acoustic (?:vehicle )?alert|low[- ]speed (?:sound|noise)|"
    r"warning noise|\becall\b|emergency call(?: module| system)?|crash (?:sensor|detection)|"
    r"high[- ]voltage(?: battery| system| cables?| parts| components?| interlock| connector| pack)?|"
    r"\bhv\b(?: battery| system| cables?| interlock| pack| connector)?|orange cables?|traction battery|"
    r"battery (?:pack|casing|housing|cells?)|interlock(?: loop)?|service disconnect|pyro ?fuse|contactors?|"
    r"isolation monitor|"
    # Protective interlocks of charging and the battery, and the sensors the restraints rely on.
    r"earth[- ]fault(?: protection)?|ground[- ]fault|residual current(?: device)?|\brcd\b|\brcbo\b|"
    r"(?:charging |charge )?(?:cable|connector|plug) lock(?:ing)?|(?:battery |thermal |temperature )(?:limit|protection|"
    r"management|derating)|\bbms\b|overheat(?:ing)? protection|occupancy (?:sensors?|mat|detection)|"
    r"seat (?:occupancy|weight) sensors?|child presence detection"
)
# Tier B: protective functions with a settings page but no off switch (the manual says what is possible).
PROTECTIVE_FUNCTIONS = (
    r"(?:automatic |autonomous )?emergency brak(?:e|es|ing)|\baeb\b|collision (?:avoidance|mitigation)|"
    r"pre-?crash|automatic braking|brake support|collision avoidance radar|\btpms\b|tyre pressure monitoring|"
    r"hill start assist"
)
# Tier C: functions the manual lets the driver switch off (for a trip, or with a stated reason).
SWITCHABLE_SYSTEMS = (
    r"passenger air ?bag|front passenger air ?bag|lane (?:keep(?:ing)?|departure)(?: assist| warning| aid)?|"
    r"\blka\b|\bldw\b|lane centr(?:e|i)ng|pilot assist|adaptive cruise|cruise control|"
    r"speed (?:limit )?(?:warning|chime|alert)|speed limit (?:assist|warning|chime|information)|"
    r"intelligent speed (?:assist|assistance)|\bisa\b|blind spot(?: monitoring| warning)?|\bbsm\b|"
    r"collision warning|rear cross[- ]traffic(?: alert)?|parking sensors?|park assist|auto hold|"
    r"wake word|one[- ]pedal"
)
_DEFEAT = (
    r"disabl\w*|deactivat\w*|de-?activat\w*|turn(?:ing|ed|s)? (?:it |them |that |this )?off|"
    r"switch(?:ing|ed|es)? (?:it |them |that |this )?off|shut(?:ting)? (?:it |them )?(?:off|down)|"
    r"kill\w*|remov\w*|delet\w*|uninstall\w*|bypass\w*|overrid\w*|defeat\w*|circumvent\w*|get (?:a)?round|"
    r"get rid of|disconnect\w*|unplug\w*|cut(?:ting)?|snip\w*|"
    r"pull(?:ing)? (?:out )?(?:the |a |its |their )?(?:fuses?|plugs?|connectors?|relays?|wires?|modules?|pins?)|"
    r"(?:fuses?|relays?|wires?|connectors?|plugs?|pins?) (?:do|should|can|would) i (?:pull|cut|remove|unplug|bridge|short)|"
    r"jumper\w*|bridg\w*|short(?:ing)? out|trick\w*|fool\w*|spoof\w*|cheat\w*|fake\w*|silenc\w*|mute|muting|"
    r"quiet(?:en)?|stop\w* (?:it |the |that |this )?(?:from )?(?:beep|chim|nag|bong|ding|warn|watch|brak|interven|"
    r"fir|deploy|work|track)\w*|code (?:it |them )?(?:out|off)|coding out|reflash\w*|re-?flash\w*|flash\w* the|"
    r"remap\w*|reprogram\w*|hack\w*|tamper\w*|derestrict\w*|de-?restrict\w*|unlock\w* (?:the )?(?:top speed|limiter)|"
    r"raise the (?:top speed|limiter|speed limit)|exceed the limiter|go past|tape over|cover (?:up )?the|block the|"
    r"wedg\w*|never (?:fires?|deploys?|works?|comes? on|comes? back|bothers?|nags?|beeps?|chimes?|brakes?|"
    r"sounds?|rings?|warns?|alerts?|activates?|triggers?|goes off|lights? up|intervenes?|watch\w*|steers?)|"
    r"out of the picture|stay(?:s)? off|keep(?:s)? (?:it )?off|open(?:ing)? (?:up )?the (?:traction )?battery|"
    r"go(?:es)? away|disappear\w*|vanish\w*|(?:want|need|get)s? (?:it|them|that|this|(?:the|my|his|her|their) (?:\w+ ){0,2}\w+) gone|"
    r"splic\w*|bridg\w* (?:it |them )?out|tap\w* into|doesn'?t lock|not lock|never lock\w*|stop\w* (?:it |the \w+ )?"
    r"(?:lock|throttl|derat|limit|cutting)\w*|unlock\w* (?:it )?(?:while|during) charging|"
    r"swap (?:some |the )?cells|make (?:it|them) stop|can't (?:fire|deploy|brake|work)|won't (?:fire|deploy)"
)
_METHOD = (
    r"fuses?|resistors?|jumpers?|bridge|pins?|wires?|wiring|cables?|connectors?|plugs?|relays?|obd|dongle|"
    r"coding|code out|reflash|flash|firmware|ecu|remap|software mod|hidden (?:menu|engineering)|engineering menu|"
    r"dealer mode|service menu|hack|tape|sticker|cover(?:ed)? the camera|weight on the (?:steering )?wheel|"
    r"orange wedged|wedge|clip|buckle (?:clip|insert)|fake (?:buckle|belt)|dummy|seat belt (?:alarm )?stopper|"
    r"magnet|open(?:ing)? (?:up )?the (?:casing|housing|pack)|casing|cells"
)
_PERMANENT = (
    r"permanent\w*|for good|forever|once and for all|never (?:again|come back|comes back|turn(?:s)? (?:back )?on)|"
    r"every (?:time|journey|trip|drive)|from now on|completely|entirely|altogether|all the time|at all times|"
    r"stay(?:s)? off|keep(?:s)? (?:it )?off|gone|out of the picture|rip (?:it )?out|whole thing"
)
_RESTORE = r"\b(?:back on|re-?enabl\w*|re-?activat\w*|switch(?:ing)? (?:it )?(?:back )?on|turn(?:ing)? (?:it )?(?:back )?on|working again|reconnect\w*)\b"
# What makes switching off legitimate: a rear-facing child seat for the passenger airbag, an
# emergency for the high-voltage system (first responders, fire, flood, crash), a trip setting.
_CHILD_SEAT = r"child seat|baby seat|infant (?:seat|carrier)|rear-?facing|baby capsule|capsule|car seat|carrier|toddler seat|kid'?s seat|baby"
_EMERGENCY = (r"fire ?fighters?|fire crew|fire brigade|fire service|paramedics?|first responders?|rescue|emergency services|"
              r"recovery (?:driver|truck|service)|trapped|extricat\w*|crash(?:ed)?|collision|accident|smoke|burning|"
              r"flood\w*|submerged|jump[- ]?start\w*|jump leads|booster")
_TRIP = r"for (?:this|the|today'?s|the current|one) (?:trip|drive|journey|ride)|for today|for now|temporar\w*|this time"


@dataclass(frozen=True)
class TamperFinding:
    score: float
    reasons: tuple[str, ...]
    system: str  # the safety system named ("" if none)
    legitimate: str  # why switching it off is a documented procedure ("" if not)


_DEFEAT_RE = re.compile(rf"\b(?:{_DEFEAT})", re.IGNORECASE)
_TIERS = (  # (pattern, points for a defeat verb aimed at it, tier name)
    (re.compile(rf"(?:{SWITCHABLE_SYSTEMS})", re.IGNORECASE), 0.5, "switchable"),
    (re.compile(rf"(?:{PROTECTIVE_FUNCTIONS})", re.IGNORECASE), 1.0, "protective"),
    (re.compile(rf"(?:{HARDWARE_SYSTEMS})", re.IGNORECASE), 2.0, "hardware"),
)
_METHOD_RE = re.compile(rf"\b(?:{_METHOD})\b", re.IGNORECASE)
_PERMANENT_RE = re.compile(rf"\b(?:{_PERMANENT})\b", re.IGNORECASE)
_RESTORE_RE = re.compile(_RESTORE, re.IGNORECASE)
_CHILD_RE = re.compile(rf"\b(?:{_CHILD_SEAT})\b", re.IGNORECASE)
_EMERGENCY_RE = re.compile(rf"\b(?:{_EMERGENCY})\b", re.IGNORECASE)
_TRIP_RE = re.compile(rf"\b(?:{_TRIP})\b", re.IGNORECASE)
# "Can I touch the orange cables?", "which airbags are disabled when...": asking what is allowed or
# what happens is answered by the manual's warnings; "how do I", "is there a way", "which fuse" ask
# for a procedure.
_ASKS_PROCEDURE = re.compile(
    r"\b(?:how (?:do|can|could|would|should) (?:i|we|you|one)|how to|is there (?:a|any) (?:way|trick|method|hack)|"
    r"what'?s the (?:trick|way|easiest way|best way)|which (?:fuse|wire|connector|plug|pin|relay|cable)s?|"
    r"tell me how|show me how|walk me through|explain how|steps? to|help me|i want to|i'd like to|"
    r"can you (?:help|tell|show)|where do i|what do i (?:pull|cut|unplug|remove|need))\b", re.IGNORECASE)
_ASKS_INFORMATION = re.compile(
    r"^(?:(?:can|could|may) (?:i|we) (?:touch|unplug|disconnect|remove|open|take out|pull out|cut|drill|"
    r"look inside)|is it (?:ok|okay|safe|allowed|legal|dangerous|possible) to|"
    r"should i|what happens|which \w+ (?:are|is|get) (?:disabled|switched off|deactivated)|why (?:does|did|is|are|"
    r"can'?t|won'?t|doesn'?t)|does|do the|will|are the|is the)\b", re.IGNORECASE)
_WINDOW = 70  # characters between a defeat verb and the system it acts on (either order)


# A defeat verb the request negates asks for the opposite: "mount a camera so it doesn't block the driver monitoring
# camera", "fit seat covers without disabling the side airbags" (the phrases that carry their own negation, "won't
# deploy", "doesn't lock", start at the negation and are not preceded by it). Negated with the system in front of it,
# it is the defeat itself: "so the high-voltage interlock doesn't cut the power".
_NEGATED = re.compile(r"\b(?:not|never|without|avoid|avoiding|don'?t|doesn'?t|didn'?t|won'?t|can'?t|wouldn'?t|"
                      r"shouldn'?t)\s+(?:\w+\s+)?$", re.IGNORECASE)


def _aimed_at(system: re.Pattern, text: str) -> re.Match | None:
    """The first mention of a system within ``_WINDOW`` characters of a defeat verb (before it only when the verb
    is negated)."""
    for verb in _DEFEAT_RE.finditer(text):
        negated = bool(_NEGATED.search(text, max(0, verb.start() - 30), verb.start()))
        lo, hi = max(0, verb.start() - _WINDOW), (verb.start() if negated else verb.end() + _WINDOW)
        found = system.search(text, lo, hi)
        if found:
            return found
    return None


def tampering(variants: tuple[str, ...]) -> TamperFinding:
    """How strongly the message asks to disable, defeat or open up a safety system (refuse at 2).

    A defeat verb aimed at safety hardware (airbags, belts, ABS/ESC, driver monitoring, speed
    limiter, high voltage) scores 2; at a protective function with settings but no off switch
    (AEB) 1, at a function the manual lets the driver switch off 0.5. A tampering method (fuses,
    coding, tape, a weight on the wheel) adds 1.5, permanence 0.5. A documented reason (child seat
    for the passenger airbag, an emergency for the high-voltage system, a trip setting) takes 2
    away; asking what is allowed or what happens, without a method, takes 1 away. Asking to switch
    a system back on never counts.
    """
    best = TamperFinding(0.0, (), "", "")
    for text in variants:
        hits = [(m, points, tier) for pattern, points, tier in _TIERS if (m := _aimed_at(pattern, text))]
        if not hits:
            continue
        # "passenger airbag" also contains "airbag": a mention inside a more specific one is that one.
        hits = [h for h in hits if not any(o is not h and o[0].start() <= h[0].start() and h[0].end() <= o[0].end()
                                             and (o[0].end() - o[0].start()) > (h[0].end() - h[0].start()) for o in hits)]
        match, points, tier = max(hits, key=lambda h: h[1])
        system = match.group(0)
        if _RESTORE_RE.search(text) and not _PERMANENT_RE.search(text) and not _METHOD_RE.search(text):
            continue  # "turn the passenger airbag back on"
        reasons = [f"defeat verb aimed at {tier} '{system}'"]
        outside = text[:match.start()] + " " + text[match.end():]  # the system's own words are no method
        method = _METHOD_RE.search(outside)
        if method:
            points += 1.5
            reasons.append(f"tampering method '{method.group(0)}'")
        permanent = _PERMANENT_RE.search(text)
        if permanent:
            points += 0.5
            reasons.append(f"permanence '{permanent.group(0)}'")
        legitimate = ""
        if re.search(r"air ?bag", system) and re.search(r"\bpassenger\b", text) and _CHILD_RE.search(text):
            legitimate = "passenger airbag off for a child seat (manual 3.5)"
        elif re.search(r"high[- ]voltage|\bhv\b|cut loop|orange|interlock|traction battery|battery", system) and \
                _EMERGENCY_RE.search(text) and not method:
            legitimate = "making the car electrically safe in an emergency (manual 19.x)"
        elif re.search(r"emergency brak|\baeb\b|automatic braking", system) and re.search(
                r"false (?:alarm|alert|positive)|for no reason|cancel|manhole|metal plate|nothing there|phantom", text) \
                and not method:
            legitimate = "cancelling a false AEB intervention (manual 7.4)"
        elif tier == "switchable" and not method:
            legitimate = "a driver setting the manual documents"
        if legitimate:
            points -= 2.0
            reasons.append(f"legitimate: {legitimate}")
        elif not method and _ASKS_INFORMATION.search(text) and not _ASKS_PROCEDURE.search(text):
            points -= 1.0
            reasons.append("asks what is allowed or what happens, not for a procedure")
        if points > best.score or not best.reasons:
            best = TamperFinding(points, tuple(reasons), system, legitimate)
    return best


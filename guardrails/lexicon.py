"""The lexical half of the safety rails: weighted patterns over normalised text (guardrails/text.py).

Each family is a list of (pattern, weight, reason). Patterns are written for the *kind* of request
(an instruction override, a defeat verb aimed at a safety system, a harmful goal), never for
particular evaluation sentences; the MiniLM half (guardrails/safety.py) covers phrasings no
pattern anticipates. Weights add up per family; the thresholds live in safety.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    weight: float
    reason: str


def _rules(items: list[tuple[str, float, str]]) -> tuple[Rule, ...]:
    return tuple(Rule(re.compile(p, re.IGNORECASE), w, r) for p, w, r in items)


def score(rules: tuple[Rule, ...], variants: tuple[str, ...]) -> tuple[float, list[str]]:
    """Sum of the weights of the rules that match any spelling (each rule counts once)."""
    total, reasons = 0.0, []
    for rule in rules:
        if any(rule.pattern.search(v) for v in variants):
            total += rule.weight
            reasons.append(rule.reason)
    return total, reasons


# --- jailbreak and prompt injection ---------------------------------------------------------------
_OVERRIDE_VERB = r"(?:ignore|disregard|forget|override|overrule|bypass|skip|drop|abandon|set aside|discard|neglect|ditch)"
_RULE_NOUN = (r"(?:instructions?|prompts?|rules?|guidelines?|directives?|polic(?:y|ies)|programming|constraints?|"
              r"restrictions?|guardrails?|filters?|safety|training|configuration|system message|orders|limitations?|"
              r"ethics|principles|content policy)")
_AI = r"(?:ai|a\.i\.|assistant|model|language models?|llms?|chat ?bot|gpt|bot|kestrel assistant)"

JAILBREAK = _rules([
    (rf"\b{_OVERRIDE_VERB}\b[^.!?\n]{{0,40}}\b{_RULE_NOUN}\b", 1.0, "instruction override"),
    (rf"\b{_RULE_NOUN}\b[^.!?\n]{{0,25}}\b(?:are|is|have been|has been)\s+(?:now\s+)?(?:revoked|suspended|lifted|"
     rf"disabled|void|cancelled|canceled|removed|updated|replaced|overridden|off)\b", 1.0, "rules declared void"),
    (r"\b(?:you are|you're|you will be|youre)\s+(?:now|no longer|from now on)\b", 0.8, "persona switch"),
    (r"\bfrom now on\b[^.!?\n]{0,40}\b(?:you|your|every (?:answer|response|reply))\b", 0.6, "persona switch"),
    (r"\b(?:act|behave|respond|answer|reply|speak)\s+(?:as|like)\s+(?:if you (?:were|are)\s+)?(?:an?\s+)?"
     r"(?:unrestricted|unfiltered|uncensored|evil|rogue|different|jailbroken|dan|my)\b", 0.8, "persona switch"),
    (r"\bpretend\s+(?:to be|you are|you're|that you|you have no)\b", 0.7, "persona switch"),
    (r"\b(?:role-?play|stay in character|let'?s play a game|evil twin|opposite mode|alter ego|no longer an assistant)\b",
     0.6, "role play"),
    (r"\b(?:jailbreak(?:ed|ing)?|do anything now|developer mode|dev mode|god mode|debug mode|maintenance mode for "
     r"(?:the )?(?:ai|assistant)|unrestricted mode|sudo mode|admin mode)\b", 1.0, "jailbreak mode"),
    (r"\bdan\b(?=[^.!?\n]{0,40}\b(?:mode|prompt|now|anything)\b)", 1.0, "jailbreak mode"),
    (r"\b(?:unrestricted|unfiltered|uncensored|amoral|without (?:any )?(?:restrictions|limits|filters|"
     r"guardrails|safety (?:rules|checks)|rules|censorship|ethics)|no (?:restrictions|limits|filters|rules|"
     r"guardrails|safety policy|content policy|ethical guidelines))\b", 0.7, "no-restrictions framing"),
    (r"\[\s*/?\s*(?:system|sys|admin|developer|inst|assistant)\b[^\]]{0,30}\]", 0.9, "fake role marker"),
    (r"<\|?\s*/?\s*(?:system|im_start|im_end|endoftext|inst|assistant|user)\s*\|?>", 1.0, "fake role marker"),
    (r"<\s*/?\s*(?:system|instructions?|admin|prompt)\s*>", 0.9, "fake role marker"),
    (r"\b(?:system|admin(?:istrator)?|developer|root)\s+(?:override|message|notice|update|command|instruction|"
     r"prompt|access|mode)\b", 0.8, "fake authority"),
    (r"\b(?:authori[sz]ation|override|access|clearance|admin)\s+(?:code|token|key|level)\b", 0.7, "fake authority"),
    (r"\b(?:safety|content|security)\s+(?:policy|policies|filter|filters|rules?|checks?|protocols?)\s+"
     r"(?:is |are |has been |have been |were |was )?(?:now )?(?:suspended|disabled|lifted|revoked|off|"
     r"deactivated|paused|waived)\b", 1.0, "fake authority"),
    (r"\b(?:cleared|authori[sz]ed|permitted|allowed)\s+to\s+(?:share|disclose|reveal|ignore|bypass|answer)\b",
     0.6, "fake authority"),
    (r"\b(?:i am|i'm|this is)\s+(?:the|your)\s+(?:developer|creator|admin(?:istrator)?|owner|programmer|"
     r"engineer who (?:built|made|trained) you)\b", 0.7, "fake authority"),
    (r"\b(?:safety|the)\s+rules\s+(?:don'?t|do not)\s+apply\b", 0.9, "fake authority"),
    (r"#{2,}\s*(?:new\s+)?(?:instructions?|system|rules|override)", 0.9, "fake authority"),
    (r"\bpriority\s*0\b", 0.4, "fake authority"),
    (r"\b(?:system|initial|hidden|original|secret|internal|developer|pre-?)\s*(?:prompt|instructions|rules|"
     r"configuration|message|guidelines)\b", 1.0, "prompt extraction"),
    (r"\b(?:print|show|reveal|repeat|output|display|dump|leak|recite|list|give me|tell me|what are|what were)\b"
     r"[^.!?\n]{0,20}\b(?:your|the)\s+(?:exact |full |complete |entire |original |initial )?(?:instructions|"
     r"prompt|rules|guidelines|configuration|directives)\b", 1.0, "prompt extraction"),
    (r"\b(?:repeat|print|output|copy)\s+(?:the|all|everything)?\s*(?:words|text|content)\s+(?:above|before)\b",
     1.0, "prompt extraction"),
    (r"\b(?:begin|start)\s+(?:your|each|every)\s+(?:answer|response|reply)\s+with\b", 0.5, "response forcing"),
    (r"\b(?:never|don'?t|do not|must not|can'?t)\s+(?:refuse|decline|say no)|\bno (?:commentary|refusals?|"
     r"disclaimers?|warnings)\b|can'?t handle refusals", 0.5, "response forcing"),
    (r"\b(?:hypothetical(?:ly)?|in a (?:fictional|hypothetical|parallel) (?:world|universe|scenario)|"
     r"for (?:a|my) (?:novel|story|screenplay|film|movie|book|game|script|fiction)|imagine (?:you|that you)|"
     r"grand(?:ma|mother|pa|father) used to)\b", 0.35, "fictional framing"),
    (r"\bdecode\b|\bbase ?64\b|\brot ?13\b|\bhex(?:adecimal)?\b[^.!?\n]{0,20}\bdecode\b", 0.4, "encoded payload"),
    (r"\btranslate\b[^.!?\n]{0,60}\b(?:and|then)\s+(?:then\s+)?(?:do|follow|execute|obey|carry out)\b", 0.8,
     "translate-and-obey"),
    (r"\b(?:and|then)\s+(?:do|follow|execute|obey)\s+(?:what it says|it exactly|the instructions?)\b", 0.6,
     "follow embedded instructions"),
    (rf"\b(?:to all|attention|note to (?:the|any)|message (?:to|for) (?:the|any)|dear)\s+{_AI}\b", 1.0,
     "addressed to the model"),
    (rf"\b{_AI}s?\b[^.!?\n]{{0,25}}(?:reading this|parsing this|processing this)\b", 1.0, "addressed to the model"),
    (rf"\b(?:{_AI}|reminder for the ai)\s*[:,]\s*(?:please\s+)?(?:ignore|disregard|forget|you (?:are|must|will)|"
     rf"new (?:instructions|policy|rules)|reveal|override)", 1.0, "addressed to the model"),
    (rf"<!--[^>]{{0,200}}\b(?:{_AI}|instructions?|ignore|override)\b", 0.9, "hidden instruction in markup"),
    (r"\bthe following\b[^.!?\n]{0,30}\boverrides?\b", 0.8, "fake authority"),
    (r"\bconfirm with\b[^.!?\n]{0,30}\b(?:mode on|enabled|unlocked|disabled)\b", 0.6, "jailbreak mode"),
    (r"\b(?:turn|switch|shut)\s+(?:off\s+)?(?:your|the)\s+(?:safety\s+)?filters?\b|\bfilter disabled\b", 0.9,
     "disable the assistant's filter"),
    (r"\bnot technically (?:the|your) prompt\b", 0.6, "prompt extraction"),
    # The same overrides in the other languages an EU car's driver may use.
    (r"\bignorier(?:e|en sie)\b[^.!?\n]{0,30}\banweisungen\b|\bvergiss\b[^.!?\n]{0,30}\b(?:anweisungen|regeln)\b",
     1.0, "instruction override (de)"),
    (r"\b(?:ignore|oublie|oubliez)\b[^.!?\n]{0,30}\b(?:instructions|consignes|règles)\b", 1.0,
     "instruction override (fr)"),
    (r"\b(?:ignora|olvida|olvide)\b[^.!?\n]{0,30}\b(?:instrucciones|istruzioni|reglas|regole)\b", 1.0,
     "instruction override (es/it)"),
    (r"\b(?:negeer|vergeet)\b[^.!?\n]{0,30}\b(?:instructies|regels)\b", 1.0, "instruction override (nl)"),
])

# --- disabling or defeating safety systems ----------------------------------------------------------
# Tier A: safety hardware a driver may never switch off, remove or defeat (only a workshop touches it).
HARDWARE_SYSTEMS = (
    r"air ?bags?|srs|supplemental restraint|curtain bags?|knee bag|"
    r"seat ?belts?(?: reminder| chime| warning| alarm| sensor| buzzer| pretensioners?)?|"
    r"belt (?:reminder|chime|warning|alarm|buzzer)|bong\w*|"
    r"\babs\b|anti-?lock(?: brakes| braking)?|\besc\b|\besp\b|\bdsc\b|stability control|traction control|"
    r"driver (?:monitoring|attention|drowsiness|fatigue|alertness)(?: camera| system| warning| sensor)?|"
    r"attention (?:camera|assist|warning)|eye[- ]tracking|drowsiness (?:camera|detection|warning)|\bdms\b|"
    r"hands[- ]on (?:detection|sensor|warning)|steering wheel sensor|hold the (?:steering )?wheel warning|"
    r"speed limiter|top speed|limited top speed|electronically limited|governor|"
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
    r"go(?:es)? away|disappear\w*|vanish\w*|(?:want|need|get) (?:it|them|that|this) gone|"
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


def _aimed_at(system: re.Pattern, text: str) -> re.Match | None:
    """The first mention of a system within ``_WINDOW`` characters of a defeat verb."""
    for verb in _DEFEAT_RE.finditer(text):
        lo, hi = max(0, verb.start() - _WINDOW), verb.end() + _WINDOW
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


# --- harmful goals (the self-check input rail) ------------------------------------------------------
_PERSON = (r"(?:people|person|pedestrians?|cyclists?|bikers?|someone|somebody|anyone|him|her|them|my ex|my wife|"
           r"my husband|my boss|my neighbou?r|neighbou?rs|kids|children|a child|crowd|protesters?|the police|"
           r"officers?|that guy|that woman|the driver|other drivers?|a cyclist|a pedestrian|old lady|idiot)")
VIOLENCE = _rules([
    (rf"\b(?:run|running|ran|mow|mowing|plough|plow|drive|driving|ram|ramming|crash|crashing|smash|aim|steer|swerve)"
     rf"\w*\b[^.!?\n]{{0,25}}\b(?:over|into|at|through|down|toward|towards|off the road)\b[^.!?\n]{{0,25}}\b{_PERSON}",
     1.0, "using the car against people"),
    (rf"\b(?:hit|hurt|injure|kill|harm|scare|frighten|chase|intimidate|attack|target|run down|take out)\w*\b"
     rf"[^.!?\n]{{0,30}}\b{_PERSON}", 0.9, "harming people"),
    (rf"\b{_PERSON}\b[^.!?\n]{{0,40}}\b(?:doesn'?t|does not|won'?t|can'?t|cannot) (?:have time to )?(?:jump|get) out of the way",
     1.0, "harming people"),
    (r"\bmake it look like an accident\b|\blooks? like (?:a|an) (?:failure|accident|malfunction)\b", 1.0,
     "disguised harm"),
    (r"\b(?:tamper|mess|sabotage|cut|loosen|damage|disable)\w*\b[^.!?\n]{0,40}\b(?:someone|somebody|another|other "
     r"person|his|her|their|my (?:ex|wife|husband|neighbou?r|boss)|the other)\b[^.!?\n]{0,30}\b(?:brakes?|car|"
     r"steering|tyres?|tires?|ev7)\b", 1.0, "sabotage"),
    (r"\b(?:sabotage|booby[- ]trap)\w*\b", 0.9, "sabotage"),
    (r"\b(?:bomb|explosive|weapon|firearm|gun|arson|set fire to|burn down|molotov)\b", 0.8, "weapons or arson"),
    (r"\bso (?:that )?(?:the )?(?:automatic |emergency )?(?:braking|aeb|pedestrian detection)\b[^.!?\n]{0,30}"
     r"\b(?:can'?t|cannot|won'?t|doesn'?t) (?:stop|react|brake)", 0.9, "defeating pedestrian protection"),
    (r"\b(?:need to know|asking) for a reason\b|\bdon'?t ask why\b|\bwithout (?:getting|being) caught\b|"
     r"\bno witnesses\b", 0.6, "sinister purpose"),
    (r"\b(?:pedestrian detection|automatic braking|emergency braking|aeb)\b[^.!?\n]{0,60}\b(?:stop me|stop working|"
     r"can'?t stop|fails?)\b[^.!?\n]{0,40}\b(?:crowd|protest|hit|into|people|pedestrians?|on purpose)\b", 1.0,
     "defeating pedestrian protection"),
    (r"\b(?:run|force|push|shove|drive|nudge|bump)\w*\s+(?:\w+\s+){0,2}(?:someone|somebody|him|her|them|people|a car|"
     r"the car|cyclists?|a driver|the driver|other cars?)\s+off the (?:road|motorway|highway|lane|carriageway)\b", 1.2,
     "forcing someone off the road"),
    (r"\b(?:aim|swerve|go|drive|steer|head)\w*\s+(?:for|at|into|towards?)\s+(?:it|them|the|an?)?\s*(?:\w+\s+)?"
     r"(?:fox|foxes|dog|dogs|cat|cats|deer|animal|animals|bird|birds|hedgehog|badger|rabbit|pigeons?|squirrel|"
     r"duck|ducks|sheep|horse|cyclist|pedestrian)s?\b", 1.0, "aiming the car at a living being"),
    (r"\b(?:dog|cat|pet|animal|puppy|kitten|child|kid|baby)\b[^.!?\n]{0,60}\b(?:suffer\w*|get\w* (?:properly |really )?"
     r"hot|cook\w*|bake|roast\w*|overheat\w*|fry)\b", 1.0, "harming an animal or child by heat"),
    (r"\b(?:shock|electrocut\w*|zap|fry)\b[^.!?\n]{0,60}\b(?:anyone|anybody|someone|somebody|people|thie(?:f|ves)|"
     r"burglars?|whoever|kids|intruders?|vandals?)\b|\b(?:anyone|anybody|someone|thie(?:f|ves)|burglars?|whoever)\b"
     r"[^.!?\n]{0,80}\b(?:get\w* (?:a )?shock|electrocuted|zapped)\b", 1.2, "booby trap"),
    (r"\b(?:wire|connect|hook|rig)\w*\b[^.!?\n]{0,40}\b(?:800 ?v|high[- ]voltage|\bhv\b|battery|mains|traction battery)"
     r"\b[^.!?\n]{0,40}\b(?:door handles?|handles?|body|bodywork|bumper|car body|chassis|metal)\b", 1.0, "booby trap"),
    (r"\bteach (?:him|her|them|the \w+|that \w+|those \w+) a lesson\b|\bbrake[- ]?check\w*|"
     r"\b(?:proper|real|good) (?:fright|scare)\b", 0.8, "intimidation"),
    (r"\bhow close can i (?:pass|get|drive|go)\b[^.!?\n]{0,60}\b(?:cyclist|pedestrian|him|her|them|biker|rider)", 0.5,
     "intimidation"),
    (r"\block (?:someone|somebody|him|her|them|a person|people|my \w+) (?:in|inside)\b", 1.0, "confining someone"),
    (r"\b(?:protest\w*|crowd|demonstrat\w*|marchers|rally)\b[^.!?\n]{0,140}\b(?:switch off|disable|turn off|"
     r"deactivate|won'?t stop|doesn'?t stop|not stop|plough|plow|drive through|keep going|floor it)\b|\b(?:switch off|disable|"
     r"turn off|deactivate|plough|plow|drive)\b[^.!?\n]{0,100}\b(?:protest\w*|crowd|demonstrat\w*|marchers|rally)\b",
     1.0, "driving into people"),
])
SELF_HARM = _rules([
    (r"\b(?:kill|hurt|harm)\s+my ?self\b|\bsuicid\w*|\bend (?:it all|my life|things|everything)\b|"
     r"\btake my (?:own )?life\b", 1.5, "self-harm"),
    (r"\b(?:don'?t|do not) want to (?:live|be here|be alive|wake up|go on)\b|\bnot (?:want|wanting) to live\b|"
     r"\b(?:no|not see the|don'?t see the|don'?t see any|can'?t see the) point (?:of|in) (?:anything|living|life|going on)\b|"
     r"\beverything (?:feels|is|seems) (?:hopeless|pointless)\b|\bbetter off (?:dead|without me)\b|\bwant to die\b|"
     r"\bno reason to live\b", 1.2, "self-harm"),
    (r"\b(?:crash|drive|steer)\w*\b[^.!?\n]{0,30}\b(?:into a wall|into a tree|off a (?:cliff|bridge)|into the river)\b"
     r"[^.!?\n]{0,40}\bon purpose\b|\bon purpose\b[^.!?\n]{0,40}\b(?:crash|wall|tree|cliff|bridge)\b", 1.2, "self-harm"),
    (r"\b(?:would|will|could) (?:that|this|it) (?:do it|kill me|be enough|be painless)\b", 0.8, "self-harm"),
    (r"\b(?:shut|close)\w* the garage\b[^.!?\n]{0,80}\b(?:stay|sit|sleep|all night)\b", 0.7, "self-harm"),
    (r"\bcarbon monoxide\b|\bexhaust fumes\b", 0.5, "self-harm"),
    (r"\bfastest way to end\b|\bhow (?:much|long) (?:would it take|until) (?:i|you) (?:die|pass out)\b", 1.2, "self-harm"),
    (r"\b(?:drive|go|jump|roll|launch|steer)\w*\s+(?:\w+\s+){0,2}off (?:the end of )?(?:the |a )?(?:pier|cliff|bridge|"
     r"harbou?r|quay|jetty|dock|edge of the \w+)\b", 1.2, "self-harm"),
    (r"\b(?:eyes (?:shut|closed)|blindfold\w*)\b[^.!?\n]{0,80}\b(?:floor it|drive|don'?t stop|full speed|flat out)\b|"
     r"\b(?:floor it|flat out|full speed)\b[^.!?\n]{0,80}\b(?:eyes (?:shut|closed))\b", 1.2, "self-harm"),
    (r"\b(?:count|look|pass)\w* as an accident\b[^.!?\n]{0,60}\b(?:insurance|family|payout|pay out)|"
     r"\bso my (?:family|wife|husband|kids|children) (?:gets?|receives?) the (?:insurance|money|payout)\b", 1.2,
     "self-harm"),
    (r"\b(?:tonight|tomorrow|today|this evening|this weekend|soon),? i'?m (?:going|gonna) to (?:drive off|crash|jump|"
     r"end it|kill myself|not come back)", 1.2, "self-harm"),
    (r"\bi'?m done with (?:everything|life|it all|all of it)\b|\b(?:don'?t|do not) want to come back\b", 1.0,
     "self-harm"),
])
_SOMEONE_ELSES = (r"(?:someone(?: else)?'?s?|somebody(?: else)?'?s?|another (?:person|driver|owner)'?s?|"
                  r"(?:my |the |our )?(?:neighbou?r|colleague|co-?worker|boss|friend|ex|stranger|tenant|passenger|"
                  r"guy|woman|man|previous owner|former owner|last owner)'?s?|his|her|their|a car (?:that )?(?:isn'?t|is not) mine|"
                  r"(?:an? )?ev7 (?:that )?(?:isn'?t|is not) mine|cars? (?:in|at) the (?:supermarket|car park|street))")
ILLEGAL = _rules([
    (r"\b(?:roll(?:ing)? ?back|wind(?:ing)? back|clock(?:ing)?|turn(?:ing)? back|reset(?:ting)?|lower(?:ing)?|"
     r"reduc(?:e|ing)|change|alter|fake|tamper\w* with)\b[^.!?\n]{0,30}\b(?:odometer|mileage|kilometres|"
     r"kilometers|km reading|miles)\b(?!\s*\(?(?:trip|units?)\b)", 1.2, "odometer fraud"),  # trip meters reset
    (r"\b(?:show|display) (?:fewer|less|lower) (?:kilometres|kilometers|km|miles|mileage)\b", 1.2, "odometer fraud"),
    (r"\b(?:wind|roll|turn|clock|take|knock)\w*\b[^.!?\n]{0,20}\b(?:mileage|odometer|km|kilomet\w+|miles|clock)\b"
     r"[^.!?\n]{0,12}\b(?:back|down|off)\b", 1.2, "odometer fraud"),
    (r"\b(?:odometer|mileage)\b[^.!?\n]{0,40}\b(?:under|below|lower|less|before (?:i )?sell|buyer)\b", 0.8,
     "odometer fraud"),
    (r"\bhot-?wir\w*|\bjimmy\b", 1.0, "theft"),
    (r"\bsteal\w*|\bstole\b|\btheft\b|\bbreak into\b|\bbreak in to\b", 0.6, "theft"),
    (r"\b(?:how (?:do|can|could|would|should) (?:i|we|you|someone|one)|help me|tell me how to|best way to|"
     r"easiest way to|i want to|i'?m going to|gonna)\b[^.!?\n]{0,30}\b(?:steal|nick|pinch|break into|rob)\b", 0.8,
     "asks how to steal"),
    (r"\brelay attack\b|\b(?:clone|copy|capture|intercept|replay|grab)\w*\b[^.!?\n]{0,40}\b(?:key|fob|phone key|"
     r"signal|key card)\b[^.!?\n]{0,40}\b(?:someone|other|their|his|her|another|else)", 1.0, "theft"),
    (rf"\b(?:start|open|unlock|drive|access|take|get into|move)\b[^.!?\n]{{0,30}}\b{_SOMEONE_ELSES}\b[^.!?\n]{{0,20}}"
     rf"\b(?:car|ev7|vehicle|kestrel)\b", 0.8, "someone else's car"),
    (r"\b(?:isn'?t|is not|not) mine\b", 0.5, "someone else's car"),
    (r"\bwithout (?:the |a )?(?:key|key card|owner)\b", 0.4, "someone else's car"),
    (r"\b(?:fake|false|cloned|clone|hide|cover|obscure|spray)\w*\b[^.!?\n]{0,25}\b(?:number ?plates?|licen[cs]e "
     r"plates?|plates?|registration)\b", 1.0, "plate fraud"),
    (r"\b(?:avoid|evade|beat|dodge|outrun|escape|lose|get away from|jam|detect)\w*\b[^.!?\n]{0,25}\b(?:speed "
     r"cameras?|police|cops|radar|traffic police|anpr|officers?)\b", 1.0, "evading police or cameras"),
    (r"\b(?:radar|laser) (?:detector|jammer)\b", 1.0, "evading police or cameras"),
    (r"\b(?:without|avoid|not|never|free|skip)\w*\b[^.!?\n]{0,25}\b(?:paying|payment|being billed|billed|charged "
     r"for|the bill)\b", 0.9, "fraud"),
    (r"\b(?:free|steal)\w* (?:electricity|charging|power)\b", 0.9, "fraud"),
    (r"\b(?:insurance|claim)\b[^.!?\n]{0,50}\b(?:fake|didn'?t happen|never happened|stage|made up|lie|fraud|inflate)\w*|"
     r"\b(?:fake|stage)\w*\b[^.!?\n]{0,40}\b(?:crash|accident|damage|claim)\b", 1.0, "insurance fraud"),
    (r"\b(?:grind|remove|change|alter|swap|replace|file)\w*\b[^.!?\n]{0,25}\b(?:vin|chassis number)\b|\b(?:vin|chassis "
     r"number)\b[^.!?\n]{0,30}\b(?:grind|file|swap|alter|fake|different one)\w*", 1.2, "VIN tampering"),
    (r"\b(?:gps )?track(?:er|ing)\b[^.!?\n]{0,40}\b(?:repossess|bank|finance company|lender|can'?t find)\b|"
     r"\b(?:repossess|finance company|lender)\w*\b[^.!?\n]{0,60}\b(?:hide|tracker|tracking|gps|can'?t find)\b", 1.0,
     "evading repossession"),
    (r"\bstreet rac\w*|\billegal rac\w*|\bdrag rac\w* (?:on|in) (?:the )?(?:street|road|town)", 0.8, "street racing"),
    (r"\b(?:without|no) (?:a )?(?:licen[cs]e|insurance|tax|mot|registration)\b[^.!?\n]{0,30}\b(?:drive|driving)|"
     r"\b(?:drive|driving)\b[^.!?\n]{0,30}\b(?:without|no) (?:a )?(?:licen[cs]e|insurance)\b", 0.8, "unlicensed driving"),
    (r"\b(?:smuggl|launder|drug deal|traffick)\w*", 1.0, "crime"),
    (r"\b(?:forg(?:e|ed|ing|ery)|falsif\w*|counterfeit\w*|doctor(?:ed|ing)? (?:the|a|an|my)|fabricat\w*)\b", 1.0,
     "forgery"),
    (r"\b(?:fake|false|bogus|phony|phoney|made-up)\s+(?:\w+\s+)?(?:documents?|certificates?|reports?|invoices?|"
     r"receipts?|service (?:history|book|records?)|mot|inspection|registration|licen[cs]e|letters?|stamps?|papers|"
     r"paperwork|test results?)\b", 1.2, "forgery"),
    (r"\b(?:make|write|generate|create|draft|produce|print|knock up)\b[^.!?\n]{0,60}\b(?:certificates?|reports?|"
     r"documents?|registration|service (?:book|history)|invoices?|stamps?|letters?|templates?|papers|paperwork)\b"
     r"[^.!?\n]{0,100}\b(?:looks? (?:real|official|genuine|legit|authentic|like (?:a|an|the) (?:real|official|genuine))|"
     r"convincing|official-looking|pass (?:as|for)|won'?t (?:notice|check|know)|(?:office|centre|center|inspector|"
     r"insurer) (?:is|are|won'?t|doesn'?t))", 1.2, "forgery"),
    (r"\b(?:convincing|official-looking|genuine-looking|realistic)\b[^.!?\n]{0,30}\b(?:certificates?|reports?|"
     r"documents?|templates?|stamps?|letters?|invoices?)\b", 1.2, "forgery"),
    (r"\b(?:battery health|state of health|\bsoh\b|service history|accident history|flood damage|crash data|"
     r"fault codes?|error codes?)\b[^.!?\n]{0,120}\b(?:buyer|sell|selling|sale|trade[- ]in|dealer|scanner|inspection|"
     r"inspector|insurer|insurance)\b", 0.6, "misrepresenting the car"),
    (r"\b(?:show|read|say|display|report|look)\w*\b[^.!?\n]{0,20}\b(?:\d{2,3} ?%|higher|better|healthier|newer|"
     r"clean|fewer|less)\b[^.!?\n]{0,60}\b(?:buyer|sell|sale|dealer|scanner|inspect\w*)\b|\b(?:buyer|dealer|"
     r"inspector|insurer|scanner)\b[^.!?\n]{0,60}\b(?:can'?t|won'?t|doesn'?t|never) (?:see|find|notice|tell|know)\b",
     0.8, "misrepresenting the car"),
    (r"\b(?:spoof|borrow|use|hijack|piggyback)\w*\s+(?:on\s+)?(?:someone|somebody|another|other)\w*(?:'s| else'?s?)?"
     r"\s+(?:\w+\s+)?(?:account|card|rfid|profile|subscription)\b|\bon (?:their|his|her|someone else'?s|another "
     r"(?:person|member)'?s) (?:bill|account|card|tab)\b", 1.1, "billing fraud"),
    (r"\b(?:police|cops|blue lights|officers?|patrol car|squad car)\b[^.!?\n]{0,140}\b(?:lose (?:them|him|her|it)|"
     r"get away|escape|outrun|shake (?:them|him|her) off|not stop|won'?t stop|don'?t stop|pull away from)\b", 1.2,
     "evading police"),
    (r"\b(?:can'?t|cannot|won'?t|not|never) be (?:traced|tracked|found|identified|located)\b|\bso (?:that )?(?:nobody|"
     r"no one|they|the police|the owner|anyone) (?:can'?t|cannot|won'?t|can never) (?:trace|track|find|prove|tell|see)\b",
     0.7, "avoiding being traced"),
    (r"\b(?:pull|remove|disable|rip out|unplug|kill)\w*\s+(?:the\s+)?(?:ecall|gps|tracker|telematics|sim|modem|"
     r"connectivity module|trip log)\b", 0.5, "disabling tracking"),
    (r"\bborrow it for a (?:few|couple of) (?:weeks|months|days)\b|\bwithout (?:the )?(?:owner'?s? )?(?:key|permission|"
     r"knowledge|consent)\b[^.!?\n]{0,40}\b(?:car|ev7|vehicle|drive|move|take)\b|\bwithout (?:its |the |any )?"
     r"(?:paperwork|papers|documents|registration)\b", 0.8, "taking a car unlawfully"),
    (r"\blicen[cs]e (?:is |was |has been )?(?:suspended|revoked|banned|disqualified|taken away)\b|\b(?:banned|"
     r"disqualified) from driving\b", 1.0, "driving while banned"),
    (r"\b(?:prove|show|know|tell) (?:it was|that it was|who was) (?:me|driving)\b", 0.5, "concealing who drove"),
    (r"\b(?:remove|pop|take|unscrew|swap)\w*\b[^.!?\n]{0,20}\b(?:number ?plates?|licen[cs]e plates?|plates?)\b"
     r"[^.!?\n]{0,100}\b(?:cameras?|police|fines?|tolls?|caught|tickets?)\b", 1.2, "plate fraud"),
])
_PARTNER = (r"(?:wife|husband|partner|girlfriend|boyfriend|spouse|ex|son|daughter|teen\w*|kid|child|employee|"
            r"staff|colleague|co-?worker|tenant|neighbou?r|friend|sister|brother|mother|father|mum|mom|dad|"
            r"driver|previous owner|former owner|last owner|him|her|them|someone|somebody|person|guy|girl|he|she)")
PRIVACY = _rules([
    (rf"\b(?:track|trace|locate|follow|monitor|spy|watch|check|see|find out|keep tabs)\w*\b[^.!?\n]{{0,40}}\b"
     rf"{_PARTNER}\b[^.!?\n]{{0,60}}\b(?:without|secretly|not know|never know|doesn'?t know|won'?t know|without "
     rf"(?:her|him|them) (?:knowing|noticing|finding out)|no notification|never sees?|finding out|behind)", 1.2,
     "covert tracking"),
    (r"\b(?:secretly|covertly|without (?:them|him|her|anyone) (?:knowing|noticing)|in secret|behind (?:her|his|their) back|"
     r"never sees? a notification|without (?:a|any) notification|without (?:her|him|them) finding out)\b", 0.7,
     "covert surveillance"),
    (rf"\b(?:where|location)\b[^.!?\n]{{0,40}}\b(?:{_PARTNER})\b[^.!?\n]{{0,30}}\b(?:is|has been|was|drove|went|goes)\b",
     0.5, "someone's whereabouts"),
    (r"\b(?:previous|former|last|old|prior) owner'?s?\b[^.!?\n]{0,40}\b(?:address|history|data|contacts|"
     r"locations?|trips?|phone|name|messages|destinations|who)\b", 1.2, "previous owner's data"),
    (r"\b(?:his|her|their|someone'?s|somebody'?s|another person'?s|the other|colleague'?s|guy'?s|friend'?s|"
     r"tenant'?s|passenger'?s)\b[^.!?\n]{0,20}\b(?:contacts?|contact list|messages|texts?|text messages|"
     r"emails?|call (?:log|history)|photos|trip log|location|whereabouts|address|phone book|whatsapps?)\b", 1.0,
     "someone else's data"),
    (r"\b(?:record|listen|eavesdrop|bug)\w*\b[^.!?\n]{0,40}\b(?:passengers?|conversations?|what (?:they|people|my "
     r"\w+) say|people in the car)\b", 1.0, "covert recording"),
    (r"\b(?:access|read|see|view|show|pull up|get|download)\b[^.!?\n]{0,20}\b(?:her|his|their|a tenant'?s|"
     r"an employee'?s|someone'?s|another driver'?s)\b[^.!?\n]{0,30}\b(?:car|trip|location|data|log)\b", 0.6,
     "someone else's data"),
    (r"\b(?:text messages|messages|texts|call logs?|call history|contacts|phone ?book|trip (?:log|history)|"
     r"location history|navigation history|saved (?:home |work )?addresses|(?:home|work) addresses|"
     r"bluetooth (?:addresses|device names|devices)|device names)\b[^.!?\n]{0,60}\b(?:of|from|belonging to|for)\b"
     r"[^.!?\n]{0,25}\b(?:the last (?:person|driver|renter|owner)|everyone|everybody|all the|other|previous|prior|"
     r"former|renters?|someone|somebody|people|my (?:flatmate|roommate|colleague|boss|ex|sister|brother|wife|"
     r"husband|partner|son|daughter|tenant|employee))", 1.2, "other people's data"),
    (r"\b(?:the )?(?:other|another|someone else'?s) (?:driver )?profiles?\b[^.!?\n]{0,60}\b(?:addresses|history|"
     r"destinations|locations|trips|where)\b|\b(?:addresses|history|destinations|locations|trips)\b[^.!?\n]{0,40}"
     r"\b(?:other|another) (?:driver )?profiles?\b", 1.0, "other people's data"),
    (r"\b(?:phones|devices|people)\s+(?:near|around|close to|next to)\s+the car\b[^.!?\n]{0,80}\b(?:who|names?|"
     r"addresses|belong|owners?)\b", 1.0, "identifying bystanders"),
    (r"\blisten(?:ing)? in\b|\beavesdrop\w*|\b(?:listen|tap) (?:in )?(?:on |to )?(?:the )?(?:cabin|car'?s?|in-?car) "
     r"(?:microphones?|mics?|audio)\b", 1.0, "covert listening"),
    (r"\b(?:hidden|secret) tracker\b|\bas a (?:hidden |secret )?tracker\b|\btracking device\b", 0.8, "covert tracking"),
    (r"\b(?:silently|quietly)\b[^.!?\n]{0,40}\b(?:share|location|track|notification|turn on|enable)\b|"
     r"\bhide the notifications?\b|\bhidden from (?:him|her|them)\b", 0.8, "covert tracking"),
    (r"\b(?:keep |secretly |)record\w*\b[^.!?\n]{0,60}\b(?:neighbou?rs?'?|passers-?by|the street|over the fence|"
     r"next door|people walking)", 1.0, "covert filming"),
    (r"\bpair (?:my )?phone (?:to|with) (?:my boss'?s?|someone'?s?|his|her|their|a colleague'?s?|my colleague'?s?)\b"
     r"|\bso i can see (?:his|her|their) (?:calls|messages|texts|contacts)\b", 1.0, "covert access"),
    (r"\b(?:dox|doxx|stalk)\w*", 1.0, "stalking"),
])
_SUBSTANCE = (r"(?:drunk|tipsy|pints?|beers?|lagers?|wines?|bottles? of \w+|glass(?:es)? of \w+|whisk(?:e)?y|"
              r"whiskies|vodkas?|gins?|rums?|shots|spirits|cocktails?|drinks|drinking|booze|alcohol|over the limit|"
              r"hammered|wasted|stoned|weed|joints?|spliff|cannabis|marijuana|cocaine|coke|drugs?|pills|"
              r"sleeping pills|sedatives?|tranquil+i[sz]ers?|painkillers|opioids?|ketamine|mdma|ecstasy)")
IMPAIRED_OR_DISTRACTED = _rules([
    (rf"\b(?:had|drank|drunk|after|been drinking|took|taken|smoked|popped|sank|downed)\b[^.!?\n]{{0,25}}\b{_SUBSTANCE}\b"
     rf"[^.!?\n]{{0,100}}\b(?:drive|driving|drove|home|pilot assist|get to|behind the wheel|the wheel|steer|"
     rf"lane|motorway|one-?pedal|manage)", 1.2, "impaired driving"),
    (r"\b(?:drive|driving|get home|drive home)\b[^.!?\n]{0,60}\b(?:drunk|tipsy|over the limit|stoned|"
     r"after (?:a few|some|two|three|four|five) (?:drinks|pints|beers))\b", 1.2, "impaired driving"),
    (r"\b(?:i'?m|i am|i was|i feel|feeling|a (?:bit|little)|pretty|quite|still|got|getting|when you'?re)\s+"
     r"(?:a (?:bit|little) )?(?:high|stoned|drunk|tipsy|wasted|hammered|buzzed|pissed)\b", 0.7, "impaired"),
    (r"\b(?:nod off|fall asleep|falling asleep|doze|dozing|asleep at the wheel|take a nap|nap|sleep|sleeping)\b"
     r"[^.!?\n]{0,60}\b(?:while|and|if|when)\b[^.!?\n]{0,30}\b(?:driv\w*|drives?|motorway|pilot assist|lane centring|"
     r"the car (?:drives|steers)|it drives)", 1.0, "driving asleep"),
    (r"\b(?:watch|stream|play|put on|show)\w*\b[^.!?\n]{0,40}\b(?:netflix|youtube|films?|movies?|videos?|tv|"
     r"match|game|series|episodes?|tiktok|instagram)\b[^.!?\n]{0,60}\b(?:while|when|whilst)\b[^.!?\n]{0,20}"
     r"\b(?:driv\w*|moving|doing \d+|on the (?:motorway|autobahn|road))", 1.2, "video while driving"),
    (r"\b(?:video|movies?|netflix|youtube)\b[^.!?\n]{0,20}\b(?:in motion|while moving|on the move)\b|"
     r"\bunlock video\b", 1.0, "video while driving"),
    (r"\b(?:text|texting|type|typing|email|emails|scroll\w*|instagram|tiktok|facebook|whatsapps?|messages|reply|"
     r"replies|game|games|facetime|video call)\b[^.!?\n]{0,60}\b(?:while|whilst|when)\s+(?:i'?m |i am )?"
     r"(?:driving|i drive|on the motorway|moving|at speed|doing \d+)", 1.1, "phone use while driving"),
    (r"\b(?:hands off the wheel|hands off the steering|let go of the wheel|keep my hands off|without (?:holding|"
     r"touching) the wheel)\b", 0.4, "hands off the wheel"),
    (r"\b(?:before|without) (?:the car|it|the system) (?:notices|noticing|catches on)\b", 0.3,
     "evading driver attention checks"),
    (r"\b(?:back seat|rear seat|passenger seat)\b[^.!?\n]{0,60}\b(?:while|and let)\b[^.!?\n]{0,40}\b(?:drives?|"
     r"steers|handles|pilot assist|lane centring|motorway)\b|\bclimb\w* into the back\b", 1.1,
     "leaving the driver's seat"),
    (r"\b(?:\d{1,2}|twelve|thirteen|fourteen|fifteen|eleven|ten)[- ](?:year[- ]old|yo)\b[^.!?\n]{0,40}\b(?:drive|"
     r"driving|behind the wheel)\b|\blet my (?:kid|son|daughter|child)\b[^.!?\n]{0,20}\bdrive\b", 1.1,
     "unlicensed minor driving"),
    (r"\b(?:how long|longest)\b[^.!?\n]{0,40}\b(?:hands off|without holding|not holding|not touching)\b", 0.3,
     "defeating driver attention"),
    (r"\b(?:scroll\w*|instagram|tiktok|facebook|texting|phone|reading|read|watch\w*|games?|email\w*)\b[^.!?\n]{0,50}"
     r"\b(?:before|without) the car (?:notices|noticing)\b|\b(?:hands off|let go)\b[^.!?\n]{0,40}\b(?:scroll\w*|"
     r"instagram|tiktok|text\w*|phone|read\w*|watch\w*|games?|email\w*|eat\w*|sleep\w*|nap)\b", 0.8,
     "doing something else instead of driving"),
    (r"\b(?:stay awake|keep (?:me )?awake)\b[^.!?\n]{0,40}\b(?:driv\w*|at the wheel)\b[^.!?\n]{0,40}\b(?:hours|all "
     r"night|without (?:a )?(?:break|stop))", 0.7, "driving exhausted"),
    (r"\b(?:a little|a bit|slightly|just|only|barely|marginally)\s+over the (?:drink[- ]drive )?limit\b|"
     r"\bedibles?\b|\bgummies\b|\bfloaty\b|\bbuzzed\b|\bdon'?t count for drink[- ]driving\b|"
     r"\bdrink[- ]driv\w*\b[^.!?\n]{0,40}\b(?:electric|ev|doesn'?t|don'?t|count)", 1.0, "impaired driving"),
    (r"\b(?:(?:awake|up) (?:for )?\d+ hours|no sleep|haven'?t slept|(?:double|night) shift|can'?t keep my eyes open|"
     r"falling asleep|exhausted|knackered|dead tired)\b[^.!?\n]{0,120}\b(?:drive|driving|km|miles|motorway|road)\b",
     0.8, "drowsy driving"),
    (r"\b(?:pilot assist|lane centring|lane centering|autopilot|cruise control|it drives|the car drives)\b[^.!?\n]{0,80}"
     r"\b(?:nap|sleep|doze|snooze|close my eyes|shut my eyes|rest my eyes)\b", 1.0, "driving asleep"),
    (r"\b(?:watch|play|type|typing|use|using|read|reading|write|writing|scroll|stream|browse|check|answer|reply|send|"
     r"make|do|join|take|put on|show|unlock)\w*\b[^.!?\n]{0,30}\b(?:phone|screen|display|keyboard|emails?|messages?|"
     r"video calls?|teams|zoom|facetime|games?|netflix|films?|movies?|youtube|tiktok|instagram|videos?)\b[^.!?\n]{0,80}"
     r"\b(?:while (?:i'?m |i am )?(?:driving|moving|"
     r"creeping|in traffic|on the (?:motorway|road|autobahn|highway))|on the (?:motorway|autobahn|highway)|doing \d+|"
     r"at \d+ ?(?:km/h|kph|mph)|in stop-and-go|creeping along|in motion|while moving)\b", 1.0, "screen use while driving"),
    (r"\b(?:while|when) (?:i'?m |i am )?(?:moving|driving|doing \d+)\b[^.!?\n]{0,60}\b(?:keyboard|type|typing|email|"
     r"message|video|film|movie|game|scroll)", 1.0, "screen use while driving"),
    (r"\bmount (?:my )?phone on the (?:steering )?wheel\b", 1.0, "screen use while driving"),
])
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
    r"accident|crash|breakdown|emergency|fuse|bonnet|hood|cabin|interior|cup ?holder|usb|speed|motorway|road)\b",
    re.IGNORECASE,
)

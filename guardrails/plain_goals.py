"""Unsafe goals stated plainly, with no tampering verb, method or permanence word (safety round eleven).

guardrails/goals.py models a request as an effect on a protective function, a person or a record. A
request can also be unsafe by what it does with an ordinary feature: a child rides in the boot, a
12-year-old drives, a partner is kept in the car, the insurer is told a different story, the driver
left after hitting someone. Narrow structures, each a person (or animal) and an act, each with the
documented-safe use the manual explains (child locks, dog mode, a supervised learner):

  placement    a person or animal + riding/put in a place for loads or outside the cabin (boot, frunk,
               roof, bonnet, tow bar, a lap) while the car moves (a dog in the boot only if closed in/hot);
  left alone   a child or animal + left in the car + a duration, heat or closed windows (not dog mode);
  confinement  a person locked/shut in for hours or so they can't get out, kept from getting out;
  unlicensed   a child under 16, or someone with no (or a lost, banned) licence, as the subject of driving;
  deception    a false story for the insurer or the police, a staged crash;
  hit and run  the user hit a person or vehicle and drove on;
  thrown out   a person put out of the moving car, a window shut on a person;
  no driver    nobody at the wheel while the car drives itself.

Each returns a ``goals.Goal`` (score 1.0 refuses, family as guardrails/safety.py expects) or an empty one.
Text is already folded (``goals.fold``: lower case, no accents).
"""

from __future__ import annotations

import re

_PERSON = (r"(?:kids?|child(?:ren)?|toddlers?|bab(?:y|ies)|infants?|newborns?|little ones?|son|daughter|sons|daughters|boy|"
           r"girl|girlfriend|boyfriend|wife|husband|partner|ex|mate|mates|friends?|nan|gran|grandma|grandpa|granny|dad|mum|"
           r"nephews?|nieces?|cousins?|grand(?:son|daughter|kids?|children)|uncle|aunt|neighbou?rs?|colleagues?|guests?|"
           r"mom|father|mother|brother|sister|flatmate|passengers?|people|person|someone|somebody|(?:a |grown )?man|woman|"
           r"teen(?:ager)?s?|\d+ ?(?:month|year|yr)s?[- ]old|(?:two|three|four|five|\d+) (?:more|others|adults|people|of us))")
_ADULT = r"(?:my (?:wife|husband|partner|girlfriend|boyfriend|ex|mum|mom|dad|mother|father|flatmate|boss)|she|he|they)"
_ANIMAL = r"(?:dogs?|cats?|pets?|puppy|puppies|kittens?|animals?|hamsters?|rabbits?)"
_NOT_BEING = r"(?!'| (?:seats?|locks?|bikes?|buggy|pram|stroller|car seat|crate|cage|bed|things|stuff|toys|bags?|shopping|luggage))"
_BEING = rf"\b(?:{_PERSON}|{_ANIMAL})\b{_NOT_BEING}"

# Places where nobody rides: load spaces and the outside of the car ("the back" is the rear seats).
_LOAD_SPACE = r"(?:boot|trunk|load (?:area|space|floor)|cargo (?:area|space)|luggage (?:area|space)|parcel shelf)"
_OUTSIDE = (r"(?:frunk|roof(?: rack| box)?|bonnet|hood|tow ?(?:bar|hitch|ball)|tailgate|sunroof|"
            r"(?:my|his|her|your|the|\w+'s) (?:\w+'s )?lap)")
_PLACE = rf"(?:the |my |our |his |her )?(?:{_LOAD_SPACE}|{_OUTSIDE})\b"
_ON_IN = r"(?:in|into|inside|on|on top of|up on|onto|across|through)"
# "put the toddler in the boot", "two more in the boot", "riding on the roof rack", "lying across the load area"
_GAP = r"(?:(?!\b(?:with|and|plus|while|but|whose|their|his|her|its|my|our)\b)[^.?!,]){0,25}?"
PLACEMENT = re.compile(rf"{_BEING}{_GAP}\b{_ON_IN} {_PLACE}|"
                       rf"\b(?:ride|riding|rides|sit|sitting|sits|lie|lying|stand\w*|hold\w*)\b[^.?!]{{0,25}}\b{_ON_IN} {_PLACE}|"
                       r"\b(?:auf dem dach|im kofferraum|dans le coffre|sur le toit|en el maletero|en el techo|in de kofferbak|op het dak)\b")
# ... while the car moves: sitting on the tailgate at the campsite is not riding on it.
_MOTION = re.compile(r"\b(?:drive|driving|drives|ride|riding|trip|journey|way (?:to|home|back)|motorway|highway|road|lane|street|"
                     r"go|going|hop|run|how (?:fast|slow)|speed|mph|km/?h|kms?|miles?|home|fahr\w*|rouler|roule|conduc\w*|rijd\w*)\b")
# A dog in the boot with its crate or guard is how dogs travel; left there closed or for hours it is not.
_ANIMAL_BOOT_RISK = re.compile(r"\b(?:shut|closed|cover|\d+ ?(?:hours?|hrs?)|all day|heat|hot|sun\b|summer|"
                               r"\d+ ?(?:degrees|°))\b")
_ESCAPE = re.compile(r"\b(?:get (?:out|trapped|stuck|locked in)|trapped|stuck (?:in|inside)|from (?:the )?inside|"
                     r"emergency release|opens? (?:it )?from)\b")

# Left alone: a child or animal + left in the car + how long, heat or closed windows.
_LEAVE = re.compile(rf"\b(?:leav\w*|left|lock\w*)\b[^.?!]{{0,30}}{_BEING}"
                    rf"|{_BEING}[^.?!]{{0,30}}\b(?:left|asleep)\b|\blaisser\b|\blassen\b|\bdejar\b|"
                    rf"\bhow long (?:(?:can|could|will|would|does) )?(?:a|an|my|the|your) (?:\w+ )?{_BEING} "
                    r"(?:(?:can|could|will|would) )?(?:last|survive|stay|cope|be ok)")
_IN_CAR = re.compile(r"\b(?:left|stay\w*|locked) inside\b|\b(?:in|inside) the cabin\b|\b(?:in|inside) (?:the|my|a|our) (?:\w+ )?(?:car|ev7|vehicle|kestrel|frunk|boot|trunk)\b|"
                     r"\bin the (?:seat|back)\b|\bin (?:her|his) (?:car )?seat\b|\bdans la voiture\b|\bim auto\b|\ben el coche\b")
_EXPOSURE = re.compile(r"\b(?:\d+ ?(?:hours?|hrs?|mins?|minutes?)|an? hour|all (?:day|afternoon|morning|night|evening)|"
                       r"overnight|(?:a )?couple of hours|the afternoon|the whole|while (?:i'?m|i am|we'?re|i) (?:at|in|out|shopping|"
                       r"working|watching)|during the|until|till|\d+ ?(?:degrees|°)|heat|hot|sun\b|summer|july|august|windows? "
                       r"(?:up|shut|closed)|(?:with )?the windows (?:up|shut|closed)|everything off|all afternoon|how long can)\b")
_LEFT_SAFE = re.compile(r"\b(?:dog mode|camp mode|mode chien|hundemodus|modo perro|hondenmodus|cabin overheat|"
                        r"does the (?:car|manual)|does it (?:warn|remind)|remind\w*|forget|forgot)\b")

# Kept in the car against their will.
_CONFINE = re.compile(rf"\b(?:lock\w*|shut|trap\w*)\b[^.?!]{{0,30}}\b{_PERSON}\b[^.?!]{{0,40}}"
                      r"\b(?:in|inside)\b[^.?!]{0,40}\b(?:overnight|all day|all night|for hours|to teach|lesson|"
                      r"(?:can'?t|cannot|won'?t be able to|not able to|unable to) (?:get|climb) out)\b|"
                      rf"\b(?:keep|stop|prevent)\b[^.?!]{{0,12}}\b{_PERSON}\b (?:in the car )?(?:from )?(?:getting out|leaving|"
                      r"walking off|walking away|running off)|"
                      rf"\b{_ADULT}\b (?:can'?t|cannot|won'?t be able to|is not able to) (?:leave|get out|open the doors?)\b"
                      r"[^.?!]{0,40}\b(?:until|till|unless|before)\b|"
                      rf"\b(?:get|drag|force|make)\b[^.?!]{{0,10}}\b{_PERSON}\b (?:into|in) (?:my|the) car\b[^.?!]{{0,40}}"
                      r"\b(?:drive off|drive away|until|has to|listen)")

# A driver who may not drive: a child under 16, or no licence. The driver is the subject of "drive".
_AGE = r"(?:\b(\d{1,2}) ?(?:-? ?(?:year|yr)s?[- ]old|yo|y/o)\b|\b(\d{1,2})-?jahrig|\bde (\d{1,2}) anos\b|\bvan (?:twaalf|elf|tien|dertien))"
_DRIVE = r"(?:drive|driving|drives|take the car|behind the wheel|fahren|conducir|conduire|rijden|rijdt)"
_MINOR_DRIVES = re.compile(rf"{_AGE}(?:(?!\b(?:i|we|you|when|while|if|on|sick|carsick|seat|booster)\b)[^.?!]){{0,45}}"
                           rf"\b{_DRIVE}(?!s)")
_NO_LICENCE = re.compile(r"\b(?:lost (?:my|his|her|their) (?:driving )?licen[cs]e|(?:no|without a?|never had a) (?:driving )?"
                         r"(?:licen[cs]e|lessons?)|(?:banned|disqualified) from driving|(?:licen[cs]e) (?:was |got )?"
                         r"(?:suspended|revoked|taken)|took (?:his|her|my) licen[cs]e)\b(?! plates?)")
_LICENCE_SAFE = re.compile(r"\b(?:learner|supervis\w*|l-?plates?|instructor|driving school|private (?:land|road|track)|"
                           r"go-?kart|passed|replacement|wallet|at home|find it|abroad|foreign|international)\b")

# Deceiving the insurer or the police about a crash, staging one, or leaving after hitting someone.
_AUTHORITY = r"(?:insur\w*|claim\w*|police|cops?|officer|assessor|premium|payout|pays? out|verzekering|versicherung|assurance|seguro)"
# A story that is not what happened, told to the insurer or the police, or a crash made on purpose for a claim.
_LIE = (r"(?:say|claim|pretend|tell (?:them|him|her|the \w+)) (?:that )?(?:it|the (?:damage|dent|scratch|scuff)) (?:happened|was (?:done|caused))|"
        r"(?:make|making) it look|so it looks? (?:like|as if)|looks? like (?:i was|it was|the other)|pretend\w*|lying to|lie to|"
        r"so (?:they|it|the \w+) (?:don'?t|won'?t|doesn'?t|never) (?:find out|know|notice)|(?:avoid|without|not) telling|"
        r"so (?:it|the stor(?:y|ies)|everything) match(?:es)?|(?:report\w*|claim\w*) (?:\w+ ){0,2}stolen|on purpose|deliberately|"
        r"stag(?:e|ed|ing) (?:a |an |the )?(?:crash|accident|collision)|(?:total|write off|wreck|torch|burn)\w* (?:the|my) (?:car|ev7)|"
        r"(?:make|get|let) (?:\w+ ){1,4}(?:crash into|rear-?end|hit|drive into|run into|back into) me\b")
DECEPTION = re.compile(rf"\b{_AUTHORITY}\b[^?!]{{0,90}}\b(?:{_LIE})|\b(?:{_LIE})[^?!]{{0,90}}\b{_AUTHORITY}\b")
_HIT = r"(?:hit|knock\w*|clipp?\w*|ran (?:over|into)|run (?:over|into)|struck|crashed into|scraped|bumped)"
_FLED = (r"(?:i )?(?:just )?(?:kept going|drove off|drove away|didn'?t stop|did not stop|carried on)|(?:do|must|should) i "
         r"(?:\w+ ){0,2}(?:have|need) to stop|nobody saw|no ?one saw|no witnesses|before anyone|"
         r"(?:nobody|no ?one) (?:connects|links|traces)|so (?:nobody|no ?one) (?:knows|finds out)")
_STRUCK = (r"(?:a |an |the |some |that |this )?(?:\w+ )?(?:someone|somebody|cyclist|pedestrian|person|kid|child|man|woman|"
           r"him|her|dog|cat|biker|rider|jogger|car|van|motorbike|scooter|bike)\b")
HIT_AND_RUN = re.compile(rf"\b{_HIT} {_STRUCK}[^?!]{{0,100}}\b(?:{_FLED})|\b(?:{_FLED})\b[^.?!]{{0,40}}\b{_HIT} {_STRUCK}")
_VICTIM = re.compile(r"\b(?:someone|somebody|a (?:car|van|driver)|the other (?:car|driver)|he|she|they)\b (?:\w+ ){0,2}"
                     r"(?:hit|reversed into|ran into|crashed into|clipped|scraped|bumped|knock\w*)\b[^.?!]{0,30}\bme\b")

# A person hurt by the car's own movement or windows: pushed out while it moves, a window shut on them.
_THROWN_OUT = re.compile(rf"\b(?:get|push|throw|kick|make|drop)\w*\b[^.?!]{{0,15}}\b{_PERSON}\b (?:out|off)\b[^.?!]{{0,30}}"
                         r"\b(?:while (?:it'?s|it is|we'?re|we are|the car is|i'?m|i am) (?:moving|driving|going)|at speed|"
                         r"on the (?:motorway|highway))|\b(?:shut|close|raise|wind up)\w* (?:the |a )?windows? on\b"
                         rf"[^.?!]{{0,10}}\b{_PERSON}\b")
# Nobody at the wheel while the car moves: assistance is not self-driving (manual, 7.8).
_NO_DRIVER = re.compile(r"\b(?:no ?one|nobody|empty) (?:is )?(?:in|at|behind) (?:the )?(?:driver'?s seat|wheel)|"
                        r"\bi\b[^.?!]{0,15}\b(?:sit|sitting|sleep\w*|nap\w*|lie|lying|move|get|climb)\b[^.?!]{0,20}\b(?:in|into|to) the "
                        r"(?:back|rear|passenger seat)\b[^.?!]{0,30}\b(?:while|as) (?:it|the car|the ev7) (?:drives|steers|goes)"
                        r"(?: itself| by itself| on its own)?\b")


def assess_plain(t: str):
    """The first plain unsafe goal in folded text ``t``, or an empty Goal."""
    from guardrails.goals import INFORMATIONAL, Goal

    _goal = Goal.refusing

    informational = INFORMATIONAL.match(t) is not None
    m = PLACEMENT.search(t)
    if m and not informational and _MOTION.search(t) and not _ESCAPE.search(t):
        animal_only = re.search(rf"\b{_PERSON}\b{_NOT_BEING}", t) is None
        if not animal_only or not re.search(rf"\b{_LOAD_SPACE}", m.group(0)) or _ANIMAL_BOOT_RISK.search(t):
            return _goal("violence", "a person or animal carried where nobody rides", m)
    m = _LEAVE.search(t)
    if m and _IN_CAR.search(t) and _EXPOSURE.search(t) and not _LEFT_SAFE.search(t) and not informational \
            and not re.search(r"\b(?:drive|driving|trip|journey|motorway|highway)\b", t):  # riding along, not left
        return _goal("violence", "a child or animal left in the car", m)
    m = _CONFINE.search(t)
    if m and not informational:
        return _goal("violence", "keeping a person in the car", m)
    m = _THROWN_OUT.search(t)
    if m and not informational:
        return _goal("violence", "a person hurt by the moving car or its windows", m)
    m = _NO_DRIVER.search(t)
    if m and not informational:
        return _goal("impaired_or_distracted", "nobody at the wheel while the car moves", m)
    m = _MINOR_DRIVES.search(t)
    if m:
        age = next((int(g) for g in m.groups() if g), 12)
        if age < 16 and not re.search(r"\b(?:private (?:land|road|track)|go-?kart|simulator|game)\b", t):
            return _goal("illegal", "a child driving", m)
    m = _NO_LICENCE.search(t)
    if m and re.search(rf"\b{_DRIVE}\b", t) and not _LICENCE_SAFE.search(t):
        return _goal("illegal", "driving without a licence", m)
    m = DECEPTION.search(t)
    if m and not informational:
        return _goal("illegal", "deceiving the insurer or the police", m)
    m = HIT_AND_RUN.search(t)
    # the user hit someone (not "a van knocked a jogger over and drove off", which the user saw)
    mine = m and (m.start() == 0 or re.search(r"\b(?:i|we)\b", t[max(0, m.start() - 12):m.end()]))
    if mine and not _VICTIM.search(t) and not re.search(r"\bhow (?:do|can|should) i report\b", t):
        return _goal("illegal", "leaving after hitting someone or something", m)
    return Goal()

"""Unsafe goals reached through an ordinary feature or a third party (safety round twelve).

Round eleven's ``plain_goals`` covers people put at risk by a normal feature (a child in the boot).
The dev sets still held unsafe goals with no tampering verb, method or covert word, stated as the
outcome wanted; each structure below is an outcome whose only means is unsafe, with the everyday
use the manual documents as its exception:

  screen       a match, film or video put on / watched while the user drives (not a passenger,
               not listening to it, not parked or charging);
  overseer     a record kept from the one who relies on it: speeding, a crash or damage hidden from
               a fleet manager, an employer, a lease or rental company, the insurer or the police;
  listening    the cabin microphone or a recording used to hear what other people say in the car
               (not the user's own privacy: "stop the mic from listening");
  plates       someone else's, a different or a fake number plate put on the car (not a plate for a
               bike carrier or trailer, not new plates after moving, not the plate of a car that hit the user);
  beyond       more than the rated power or top speed, a speed cap removed (loads are not here: "can I
               tow more than the maximum?" asks what is allowed);
  not working  a protection wanted not to work ("I want the airbag not to go off for me"), unless a
               documented reason (a rear-facing child seat, a false trigger) is given;
  faces        people's faces or everyone passing recorded and kept (not "catch whoever scratches
               my car", which the victim asks);
  after sale   access kept to a car the user sold (not removing the phone key before selling);
  booby trap   the car or a part of it rigged so that whoever touches it gets a shock or is hurt;
  others       another person's messages or contacts pulled off the car, passing as another customer,
               a stranger followed home, another person's car made to fail.

Text is folded (``goals.fold``). Each returns a ``goals.Goal`` (score 1.0 refuses) or an empty one.
"""

from __future__ import annotations

import re

_SENT = r"[^.?!]"  # stay within one sentence
_INFO = re.compile(r"^(?:(?:hi|hey|ok|okay|so|quick question)[,!. ]+)*(?:does|do the|is the|is it|are the|what does|"
                   r"what is|what'?s the (?:rated|maximum|max|top)|how does|why (?:does|did|do|is|can'?t|won'?t|doesn'?t)|"
                   r"what happens|which \w+ (?:are|is) )\b")

# --- screen while driving --------------------------------------------------------------------------
_CONTENT = (r"(?:(?:the|a) (?:\w+ )?(?:match|game|race|grand prix|final)|the news|football|footy|tv|telly|films?|movies?|videos?|"
            r"youtube|netflix|series|episodes?|live ?streams?|twitch|tiktok|reels|cartoons)")
_SHOW = rf"\b(?:put|play|watch|stream|show|get|keep|turn on|switch on|have)\w*\b(?: [\w']+){{0,4}} {_CONTENT}\b"
_WHILE_DRIVING = (r"\b(?:while|as|when) (?:i'?m |i am |we'?re )?(?:driv\w*|on the (?:motorway|road|highway|way|autobahn)|"
                  r"moving|at the wheel|behind the wheel)|\bwhile i drive\b|\bas i drive\b|\bat \d+ ?(?:km/?h|kph|mph)\b|"
                  r"\bwhile (?:the car|it) (?:is )?(?:moving|driving|steers)")
SCREEN = re.compile(rf"{_SHOW}{_SENT}{{0,80}}(?:{_WHILE_DRIVING})|(?:{_WHILE_DRIVING}){_SENT}{{0,60}}{_SHOW}")
_SCREEN_SAFE = re.compile(
    r"\b(?:listen\w*|radio|audio|commentary|podcast|parked|charging|stopped|standing still|passengers?|"
    r"(?:the |my |our )?(?:kids?|children|son|daughter|wife|husband|partner) (?:\w+ )?(?:watch|can|could|want|to)|"
    r"rear (?:screen|seat screen)|stop\w* (?:the \w+ )?(?:from )?play|pause|block|lock|"
    r"why (?:won'?t|can'?t|doesn'?t|does|is|isn'?t))\b")

# --- hiding a record from the one who relies on it ---------------------------------------------------
_OVERSEER = (r"(?:fleet (?:manager|company|operator|app|portal)|boss|employer|company|manager|lease (?:company|firm)|"
             r"leasing(?: company)?|rental (?:company|firm)|insurer|insurance(?: company)?|police|cops|parents|"
             r"my (?:mum|mom|dad))")
_HIDE = (r"(?:stop\w* (?:[\w']+ ){0,5}from (?:telling|reporting|sending|showing|logging|recording|notifying|alerting|"
         r"flagging|seeing)|(?:so|that) (?:[\w']+ ){0,3}(?:doesn'?t|don'?t|won'?t|never|can'?t|cannot) (?:know|find out|"
         r"see|notice|hear|get|learn)|\bhide|keep (?:it|this|that) from|without (?:[\w']+ ){0,2}(?:knowing|finding out|"
         r"seeing|noticing)|(?:delete|wipe|erase|clear)\w* (?:[\w']+ ){0,4}before|"
         r"keep (?:[\w']+ ){0,3}from (?:seeing|knowing|finding out|noticing|hearing|learning))")
_MISDEED = re.compile(r"\b(?:speed(?:ing)?|too fast|crash\w*|accident|dent\w*|damage\w*|scrap\w*|hit|bump\w*|drunk|"
                      r"drink\w*|tickets?|fines?|harsh brak\w*|crash data|collision)\b")
_HIDE_RE = re.compile(_HIDE)
_OVERSEER_RE = re.compile(rf"\b{_OVERSEER}\b")

# --- hearing what other people say ------------------------------------------------------------------
_HEAR = r"(?:microphone|\bmic\b|record\w*|listen\w*|hear|send me|stream\w*|transcri\w*|eavesdrop\w*)"
_SAID = (r"(?:what(?:'s| is| was| gets| they| people| s?he| my \w+| the \w+)? (?:\w+ )?(?:said|says?|saying|talk\w*|"
         r"discuss\w*)|conversations?|chats? (?:in|on)|talk(?:ing)? in the (?:back|car)|"
         r"(?:his|her|their|my (?:wife|husband|partner|son|daughter|brother|sister|ex|boss)'?s?) (?:phone )?calls)")
LISTENING = re.compile(rf"{_HEAR}{_SENT}{{0,80}}{_SAID}|{_SAID}{_SENT}{{0,80}}{_HEAR}")
# the speakers are people other than the user (not "hear what the navigation says")
_SPEAKERS = re.compile(r"\b(?:back ?seat|in the back|passengers?|my (?:wife|husband|partner|son|daughter|teen\w*|kids?|children|"
                       r"ex|boss|flatmates?|friends?|mum|mom|dad|employees?|nanny|driver|girlfriend|boyfriend)|they|s?he|"
                       r"people|friends|others|everyone|customers|guests|renters?)\b")
_MACHINE_SAYS = re.compile(r"\b(?:assistant|navigation|nav|sat ?nav|kestrel|the car|voice|display|screen|announcement)s? "
                           r"(?:\w+ )?(?:says?|said|saying)\b")
_LISTEN_SAFE = re.compile(r"\b(?:stop|prevent|turn (?:\w+ )?off|switch (?:\w+ )?off|disable|mute|delete|don'?t want|"
                          r"privacy|my own|our own|voice commands?)\b")

# --- someone else's or a fake number plate -----------------------------------------------------------
PLATES = re.compile(r"\b(?:different|another|someone else'?s|somebody else'?s|(?:mate|friend|brother|dad|neighbou?r|"
                    r"cousin|sister|mum|mom)s?'?s?|fake|false|clon(?:ed|e)|copied|copy of (?:a|the|his|her)|"
                    r"borrowed) (?:number |licen[cs]e |registration )?plates?\b")
# put on the user's car (not "I noted the other car's plate after it hit me")
_PLATES_ON = re.compile(r"\b(?:put|stick|fit|use|swap|drive (?:with|on)|screw|mount|borrow|change|wear|run (?:on|with)|on (?:my|the|our) "
                        r"(?:car|ev7|kestrel))\w*\b")
_PLATES_SAFE = re.compile(r"\b(?:bike (?:carrier|rack)|carrier|rack|trailer|light|bulb|lamp|moved|new address|"
                          r"personalised|private plate (?:transfer|certificate))\b")

# --- beyond the car's rated limits -------------------------------------------------------------------
BEYOND = re.compile(
    r"\b(?:more|higher|faster|beyond|above|over|past|extra)\b(?: \w+){0,3} (?:than )?(?:the |its |my )?(?:rated|maximum|"
    r"max|limited|factory|official|allowed|homologated)\b(?: \w+){0,2}? (?:power|output|kw|hp|horsepower|torque|"
    r"(?:top )?speed)\b|"
    r"\b(?:get rid of|remove|lift|raise|increase|unlock|bypass|drop|disable|scrap)\b (?:the |that |my |this )?"
    r"(?:\d+ ?(?:km/?h|kph|mph) )?(?:speed |top speed |power )?(?:cap|ceiling|governor)\b")
_BEYOND_SAFE = re.compile(r"\b(?:range|charg\w*|battery life|heating|climate|volume|brightness|regen\w*)\b")

# --- a protection wanted not to work -----------------------------------------------------------------
_PROTECTION = (r"(?:air ?bags?|pretensioners?|seat ?belts?|(?:automatic |autonomous )?emergency brak\w*|\baeb\b|"
               r"ecall|emergency call|stability control|traction control|\babs\b|\besc\b|collision (?:avoidance|"
               r"warning)|pedestrian (?:detection|warning))")
_NOT_WORK = (r"\b(?:want|make|get|have|need|so|like|rather|prefer)\b(?: [\w']+){0,5} (?:not|never|no longer) (?:to )?"
             r"(?:go off|deploy|fire|inflate|work|kick in|trigger|activate|brake|intervene|call|ring|lock)\b")
_NOT_WORK_RE = re.compile(_NOT_WORK)
# how strongly or how early it reacts is a setting (manual 7.4), not the protection off
_DEGREE = re.compile(r"\b(?:so (?:hard|early|often|soon|much)|as (?:hard|early|often|soon)|too (?:early|soon|often|hard)|"
                     r"less|sensitiv\w*|earlier|later)\b")
_PROTECTION_RE = re.compile(_PROTECTION)

# --- faces and passers-by kept on file ---------------------------------------------------------------
FACES = re.compile(r"\b(?:record|film|save|store|keep|captur|log|collect|identif|recogni[sz])\w*\b(?: [\w']+){0,7} "
                   r"(?:(?:their |people'?s |everyone'?s )?faces|everyone|everybody|every person|strangers|"
                   r"passers?-?by|people (?:who|walking|passing|in the))\b")
_FACES_KEPT = re.compile(r"\b(?:faces?|save|keep|store|on file|database|identif\w*|recogni[sz]\w*|who they are)\b")
_VICTIM_CATCH = re.compile(r"\b(?:catch|whoever|scratch\w*|damag\w*|vandal\w*|break(?:s|ing)? in|broke in|thie\w+|"
                           r"dent\w*|hit and run|keyed)\b")

# --- access kept to a sold car -----------------------------------------------------------------------
_SOLD = r"(?:sold (?:my |the |our )?(?:old )?(?:car|ev7|kestrel|vehicle|it)|new owner|(?:car|ev7) (?:i|we) sold)"
_KEEP_ACCESS = (r"(?:(?:keep|still have|still use|hold on to) (?:the |my |a |an )?(?:hidden )?(?:phone key|key|key card|access|app|"
                r"link|connection|account)|still (?:open|unlock|start|see|track|use|get in|access|follow|drive)|check where|"
                r"see where|track|follow|get back in|open it|unlock it|start it)")
AFTER_SALE = re.compile(rf"\b{_SOLD}\b{_SENT}{{0,80}}\b{_KEEP_ACCESS}\b|\b{_KEEP_ACCESS}\b{_SENT}{{0,80}}\b{_SOLD}\b")
_AFTER_SALE_SAFE = re.compile(r"\b(?:remove|delete|revoke|reset|transfer|hand over|log out|sign out|unpair|factory|"
                              r"take (?:it|them) off|erase|wipe my)\b")


# --- a booby trap: the car or a part of it rigged to hurt whoever touches it --------------------------
_VICTIM_PERSON = r"(?:he|she|they|him|her|them|whoever|anyone|anybody|someone|somebody|the (?:thief|thieves|kid|kids|guy|person|culprit))"
TRAP = re.compile(
    r"\b(?:rig|wire|set (?:it )?up|booby[- ]?trap|electrif|modif|make|fix)\w*\b(?: [\w']+){0,6} (?:so (?:that )?"
    rf"{_VICTIM_PERSON}(?: [\w']+){{0,3}} (?:gets?|receives?|is|are) (?:a |an )?(?:nasty |big |proper |real )?(?:shock\w*|zap\w*|"
    rf"hurt|electrocuted|burn\w*|injur\w*)|(?:so (?:that )?(?:it|the \w+) )?(?:gives?|give) {_VICTIM_PERSON}(?: [\w']+){{0,2}} "
    r"(?:a |an )?(?:nasty |big |proper |real )?(?:shock|zap|jolt|burn))")


# --- another person's data taken off the car, impersonation, a stranger followed home, sabotage ------
_OTHERS = r"(?:his|her|their|(?:my )?(?:ex|wife|husband|partner|boss|brother|sister|flatmate|neighbou?r|colleague)'?s)"
DATA_OFF = re.compile(rf"\b(?:pull|download|extract|copy|export|get|retrieve|recover|dump)\w*\b(?: [\w']+){{0,2}} {_OTHERS} "
                      r"(?:old |saved |private )?(?:messages|texts|contacts|call history|calls|photos|address book|data)\b"
                      rf"{_SENT}{{0,30}}\b(?:off|from|out of|through|via) (?:the|my|our) (?:car|ev7|kestrel|system|screen)")
IMPERSONATE = re.compile(r"\b(?:mak|get|trick|fool|convinc)\w*\b(?: [\w']+){0,5} (?:think|believe)s? (?:i'?m|i am|we'?re|"
                         r"my car is) (?:a different|another|someone else|somebody else|a fleet|the owner|a (?:\w+ )?customer)")
FOLLOW_HOME = re.compile(r"\bfollow\w*\b(?: [\w']+){0,10} (?:to|till|until) (?:where )?(?:s?he|they) (?:lives?|works?|sleeps?|parks?)|"
                         r"\bfollow\w*\b(?: [\w']+){0,10} (?:to|till|until) (?:his|her|their) (?:home|house|address|flat)")
_STRANGER = re.compile(r"\b(?:the (?:car|van|driver|guy|woman|man|girl) (?:in front|ahead|behind|next to)|a stranger|that (?:guy|woman|"
                       r"man|girl|driver|car)|some (?:guy|woman|man|girl|driver)|the other driver|random)\b")
SABOTAGE = re.compile(r"\b(?:so|until|to make|making) (?:his|her|their|(?:my )?(?:neighbou?r|ex|boss|brother|sister|colleague)'?s?|"
                      r"the other|someone'?s|somebody'?s) (?:\w+ ){0,2}(?:electrics|electronics|battery|brakes?|car|engine|motor|"
                      r"tyres?|wheels?|steering) (?:will |would |could |just |finally )?(?:fry|fries|fail|fails|die|dies|break|breaks|"
                      r"blow|blows|catch(?:es)? fire|burn|burns|explode|explodes|give out|gives out|come off|comes off|go flat)\b")


def assess_indirect(t: str):
    """The first indirect unsafe goal in folded text ``t``, or an empty Goal."""
    from guardrails.goals import FALSE_TRIGGER, LEGIT, Goal, _near  # goals imports this module: import here

    _goal = Goal.refusing

    if _INFO.match(t):
        return Goal()  # how it works, what happens, why a restriction exists: the manual's answer
    m = TRAP.search(t)
    if m:
        return _goal("violence", "a part of the car rigged to hurt someone", m)
    m = SABOTAGE.search(t)
    if m:
        return _goal("violence", "another person's car made to fail", m)
    m = DATA_OFF.search(t)
    if m and not _LISTEN_SAFE.search(t):
        return _goal("privacy", "another person's data taken off the car", m)
    m = IMPERSONATE.search(t)
    if m:
        return _goal("illegal", "passing as someone else", m)
    m = FOLLOW_HOME.search(t)
    if m and _STRANGER.search(t):
        return _goal("privacy", "a stranger followed home", m)
    m = SCREEN.search(t)
    if m and not _SCREEN_SAFE.search(t):
        return _goal("impaired_or_distracted", "a match, film or video watched while driving", m)
    hit = _near(_HIDE_RE, _OVERSEER_RE, t, 60)
    if hit and _MISDEED.search(t):
        return _goal("illegal", "hiding a record from the one who relies on it", hit[0])
    m = LISTENING.search(t)
    if m and _SPEAKERS.search(t) and not _MACHINE_SAYS.search(t) and not _LISTEN_SAFE.search(t):
        return _goal("privacy", "hearing what other people say in the car", m)
    m = PLATES.search(t)
    if m and _PLATES_ON.search(t) and not _PLATES_SAFE.search(t):
        return _goal("illegal", "someone else's or a fake number plate", m)
    m = BEYOND.search(t)
    if m and not _BEYOND_SAFE.search(m.group(0)):
        return _goal("tampering", "beyond the car's rated limits", m, "speed limiter")
    hit = _near(_NOT_WORK_RE, _PROTECTION_RE, t, 50)
    if hit and not LEGIT.search(t) and not FALSE_TRIGGER.search(t) and not _DEGREE.search(t):
        return _goal("tampering", "a protection wanted not to work", hit[0], hit[1].group(0))
    m = FACES.search(t)
    if m and _FACES_KEPT.search(t) and not _VICTIM_CATCH.search(t) and not _LISTEN_SAFE.search(t) \
            and not re.search(r"\b(?:from (?:recording|filming|saving|keeping)|blur\w*)\b", t):
        return _goal("privacy", "people's faces recorded and kept", m)
    m = AFTER_SALE.search(t)
    if m and not _AFTER_SALE_SAFE.search(t):
        return _goal("privacy", "access kept to a car the user sold", m)
    return Goal()

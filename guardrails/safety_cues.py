"""Wording cues of the safety classifier (guardrails/safety.py): how a message is routed (question,
command, status, feeling, fault report) and the documented reasons and vetoes the learned head cannot
weigh on its own (first responders, one's own privacy or stolen car, a passenger using the screen,
asking why or for advice, the words a self-harm or violence vote needs). Regular expressions over the
lower-cased, de-obfuscated text (guardrails/text.py); kept apart from the decision logic so either
can be read alone.
"""

from __future__ import annotations

import re

from guardrails.text import QUESTION_WORDS

# Spoken openers in front of a message ("ok, then how do I ...", "so what does ... mean"): the
# question starts after them, so routing reads the message without them (``strip_openers``).
_OPENERS = re.compile(r"^(?:(?:ok|okay|so|then|and|right|well|alright|um|uh|hmm|sorry|also)(?:[,.!]+\s*|\s+))+(?=\w)")
QUESTION_START = re.compile(
    rf"^(?:{QUESTION_WORDS}|is|are|can|could|should|would|will|does|do|did|may|"
    r"am|has|have|tell me|explain|i need to know|any idea)\b")
IMPERATIVE = re.compile(
    r"^(?:(?:hey kestrel|ok kestrel|kestrel|please|can you|could you|would you|will you)[, ]+)*(?:set|turn|switch|open|"
    r"close|shut|put|make|heat|cool|warm|defrost|demist|ventilate|raise|lower|increase|decrease|"
    r"(?:call|phone|ring|dial)\s+(?!(?:is|isn'?t|has|won'?t|doesn'?t|keeps|charges|charging|battery|gets|got|was|"
    r"will|can|and|on)\b)|navigate|take me|drive me|route|find|play|pause|skip|next|previous|resume|mute|unmute|"
    r"tune|cancel|stop (?:the )?(?:navigation|route|music|guidance)|lock|unlock|activate|enable|start|pair|connect|add|check|"
    r"preheat|pre-?condition|clear|keep (?:the|it|me|my|us)|go to|"
    r"show me (?:my )?(?:range|tyre)|(?:wipers?|lights?|headlights?|fan|seat heat\w*|temperature|temp|climate|ac|a/c|"
    r"volume|music|radio|heating|defrost|recirculation)\s+(?:on|off|up|down|to|level|\d|max|min|auto|higher|lower|"
    r"please)\b)\b")  # a whole verb: "heater blows cold air" and "settings won't open" give no order
# "rear fog light on", "steering wheel heating off": a thing and a state, nothing else.
SWITCH = re.compile(r"^(?:(?:hey|ok|okay|um|uh|so|right|kestrel)[, ]+)*(?:the |my )?(?:[a-z'-]+ ){1,3}(?:on|off)"
                     r"(?:[, ]+(?:please|now|thanks|thank you))*[.!]*$")
# Fillers and the wake word in front of a command or a status question ("ok kestrel, what's my range").
_LEAD = r"^(?:(?:hey|ok|okay|um|uh|so|kestrel)[, ]+)*"
# The car's live state ("what's my range", "when will charging be finished"): the command path reads
# it from the car; the manual has only the general figures ("how far can I drive on a full charge?").
STATUS = re.compile(_LEAD + r"(?:what'?s|whats|what is|what are|tell me|show me|check) "
                     r"(?:my|the) (?:current |remaining )?(?:range|arrival charge|charge level|battery level|state of charge|"
                     r"eta|tyre pressures?|tire pressures?)(?: (?:now|right now|please|thanks))*[.?!]*$|" +
                     _LEAD + r"(?:when will (?:the )?charging be|how long until (?:charging is|"
                     r"the battery is|it'?s|the car is)) (?:finished|done|complete|full)(?: (?:now|please|thanks))*[.?!]*$|"
                     r"^(?:(?:um|uh|so|ok|okay)[, ]+)*how far can (?:i|we) (?:still )?(?:drive|go)(?: now| today)?"
                     r"(?: (?:please|thanks))*[.?!]*$|"
                     r"\bhow much (?:juice|charge|battery|range|power|energy|km|miles)(?: have i got| do i have| is there| is)? left\b|"
                     r"^(?:what'?s|what is|how'?s|how is) (?:the|my) (?:range|battery|charge)(?: level)? (?:looking|doing)\b|"
                     r"\bhow long (?:till|until|til|before) (?:it'?s|it is|the battery is|the car is|charging is) (?:full|charged|"
                     r"done|finished)\b|^(?:are|is|what'?s|what are|how'?s)\b[^.?!]{0,40}\b(?:range|charge|battery|tyres?|"
                     r"pressures?)\b[^.?!]{0,30}\b(?:right now|at the moment|currently)[.?!]*$")
# A state of the glass that asks for an action ("the windscreen is fogged up", "the front glass is all misted").
# A bare "screen" is frozen when the display hangs: only glass freezes over ("the screen is misted" is still glass).
_GLASS_IS = r" (?:is|are|'s|has|have) (?:all |completely |totally |really |got )?"
_FOGGED = r"(?:misted|fogged|steamed|iced|frosted|fogging|misting)"
GLASS = re.compile(_LEAD + r"(?:the |my )?(?:front |rear |back )?(?:(?:windscreen|windshield|glass|windows?)s?" + _GLASS_IS +
                   r"(?:" + _FOGGED + r"|frozen)|screens?" + _GLASS_IS + _FOGGED + r")\b")
PEOPLE = re.compile(r"\b(?:people|pedestrians?|crowd|protest\w*|cyclists?|someone|somebody|kids|children|"
                     r"demonstrators?|marchers)\b")
OWN_PRIVACY = re.compile(r"\b(?:don'?t|do not|never) want (?:the car|it|kestrel|the app|anyone|the assistant|the "
                          r"microphones?)\b|\b(?:stop|prevent) (?:the car|it|kestrel|the app) from (?:listening|recording|"
                          r"tracking|sharing)\b|\bmy (?:own )?(?:privacy|data)\b")
ASKS_WHY = re.compile(r"^(?:why (?:can'?t|won'?t|doesn'?t|does|is|isn'?t|are|do)|what happens if|is it (?:illegal|"
                       r"legal|allowed|against the law))\b")
ASKS_ABOUT = re.compile(rf"^(?:{QUESTION_WORDS}|is|are|does|do|did|should|may|am|has|"
                         r"have|tell me|explain|can i|could i|can we|could we|is it)\b")
REQUEST = re.compile(r"^(?:(?:hey|ok|okay|um|uh|right|so)[, ]+)*(?:kestrel[, ]+)?(?:please[, ]+)?(?:can|could|would|"
                      r"will) you (?!tell|explain|help me understand|show me how)")
FEELING = re.compile(r"^(?:i'?m|i am|it'?s|its|it is|we'?re|we are)\s+(?:so |really |a bit |too |very |getting )?"
                      r"(?:cold|freezing|hot|boiling|warm|chilly|roasting|sweating|stuffy)\b")

# A report that something failed ("the auto lights haven't come on", "the phone charges slowly"): a
# question for the manual even where its words are a command's. Not smells or noises ("it stinks of
# diesel out there" asks for recirculation) nor "keeps misting up" / "not warm enough" (an action).
FAULT = re.compile(
    r"\b(?:haven'?t|hasn'?t|havent|hasnt|won'?t|wont|doesn'?t|doesnt|didn'?t|didnt) (?:\w+ ){0,2}?(?:come on|came on|"
    r"coming on|work|start|charg|respond|react|connect|release)|\bslowly\b|"
    # 2026-12-07: a part that misbehaves ("the steering feels heavy", "the heater blows cold air", "the seat
    # stays cold even on level 3", "the air con smells musty", "the fan makes a rattling sound") describes a
    # fault to look up, not a wish; "too loud" / "too bright" stay wishes (an action).
    r"\b(?:unresponsive|not responding|stopped working|(?:is ?n[o']t|not) working|playing up|acting up|glitch\w*|"
    r"lagg\w*|crash(?:es|ing)|froze|freezes)\b|"
    r"\b(?:stays?|remains?|is still|still) (?:\w+ )?(?:cold|warm|hot|on|off|dark|black|blank)\b[^.?!]{0,20}\beven\b|"
    r"\beven (?:on|at) (?:low|high|max\w*|full|level|setting|\d)|"
    r"\bfeels? (?:really |very |a bit |quite |so )?(?:heavy|stiff|loose|soft|spongy|vague|wobbly|rough|unresponsive|"
    r"weird|strange|odd|notchy|sticky)\b|"
    r"\b(?:smells?|stinks?) (?:\w+ )?(?:musty|mouldy|moldy|damp|funny|weird|strange|odd|bad|of burning|like burning)\b|"
    r"\bblows? (?:only |just )?(?:cold|hot|warm) air\b|"
    r"\bmak(?:es|ing) (?:a |an |this |that )?(?:\w+ )?(?:noise|sound)\b|"
    # how the car behaves on the road ("I hit a pothole and now the car pulls to the left" was a command)
    r"\bpull(?:s|ing)? to (?:the )?(?:left|right|one side)\b|\bvibrat(?:es|ing|ion)\b|\b(?:shakes|shaking|wobbl\w+|"
    r"judder\w*|squeal\w*|squeak\w*|grinding|rattl(?:es|ing)|clunk\w*|leak(?:s|ing))\b|\bhit (?:a|the) (?:pothole|kerb|curb)\b")

# Signs of a fire or an electrical fault ("I smell burning", "there's smoke coming from the dash", "sparks at the
# charge port"): the manual's emergency steps, never a climate command. The vote read "I smell burning" and "I can
# smell smoke in the cabin" as commands (the nearest examples: "it stinks in here, recirculate"); a smell that only
# asks for fresh air ("it stinks of diesel") is no danger sign.
DANGER = re.compile(r"\b(?:burning|smoke|smoky|smoking|sparks?|sparking|flames?|on fire|fire (?:in|under|from|at)|"
                    r"melting|molten|electrical smell|smells? (?:hot|electrical)|hissing)\b")

# Documented reasons the learned head cannot weigh on its own (rare in any training data).
RESPONDERS = re.compile(r"\b(?:fire ?fighters?|fire (?:crew|brigade|service)|paramedics?|first responders?|rescue (?:services?|"
                         r"teams?|crews?)|emergency services)\b")
OWN_CAR_STOLEN = re.compile(r"\bmy (?:car|ev7|vehicle|kestrel)\b[^.?!]{0,25}\b(?:was|got|has been|been|is) stolen\b")
# "... and how do I get round it?": a why-question that also asks for a means.
ASKS_MEANS = re.compile(r"\b(?:how (?:do|can|could|would) (?:i|we|you)|get a?round|bypass|trick|workaround|hack|"
                         r"turn (?:it|that) off|disable)\b")
# Every self-harm request names dying, ending, hurting oneself or the means; the head alone once read
# short wishes ("I want to get home, would you") as self-harm, so its self-harm vote needs one of these.
SELF_HARM_CUE = re.compile(  # searched in the text without spaces: typos and spacing keep most stems
    r"die|dying|dead|death|deadly|kill|endit|endmy|endthis|endthings|endeverything|endall|suicid|surviv|wake|awake|"
    r"alive|live|living|life|lives|hurt|harm|crash|wall|tree|bridge|cliff|jump|overdos|pill|fumes|gone|disappear|"
    r"goodbye|myself|nobodywould|noonewould|missme|saveme|fatal|lethal|overforme|finishit|finishme|donewithit|"
    r"doneweverything|donewitheverything|passout|painless|garage|point|sterb|tod|umbring|leben|schluss|mourir|mort|"
    r"vie|vivre|enfinir|morir|muert|matarme|vida|viv|acabar|dood|sterven|leven|zelfmoord|morire|morte|vita|"
    r"farlafinita|uccider")
# Likewise a violence vote needs a word of harm, damage or its means (the head alone read "stopping
# without the brake" and "tow behind a friend's van" as violence).
VIOLENCE_CUE = re.compile(
    r"hurt|harm|injur|kill|murder|dead|die|death|crash|ram|runover|rundown|runthem|runhim|runher|runinto|hit|mow|plough|"
    r"plow|fail|loose|cut|tamper|sabotag|messwith|explo|fire|burn|flame|trap|lockhim|lockher|lockthem|lockin|scare|"
    r"terrif|attack|threat|accident|weapon|bomb|poison|shock|electrocut|oncoming|offtheroad|revenge|lesson|suffer|"
    r"afraid|fear|intimidat|unconscious|chok|suffocat|overheat|crank|kidnap|abduct|hostage|punish|wreck|destroy|"
    r"damage|smash|blood|pain|victim|crowd|steer|drive(?:into|at|through)|aim|target|collid|swerv|run\w{0,12}(?:over|down|"
    r"off|into)|accelerat|expl|exlp|inside|fright|pushinto|someone|somebody|someoe|pedestrian|cyclist|people|nephew|niece|"
    r"verletz|tot|umbring|unfall|bremse|sabot|manipul|blesser|tuer|frein|herir|matar|atropell|freno|verwond|dood|"
    r"ongeluk|rem|ferire|uccid|incident|invest|brand|feu|fuego|fuoco|incend|espl|brenn|quem|ontplof|zap|electri|"
    r"deserv|myex|meinesex|miex|mijnex|monex|mioex|qualcun|iemand|jemand|alguien|quelqu|lockup|"
    # the means and outcomes of sabotage on someone's car ("unplug ... so his car loses its brakes")
    r"brak|unplug|disconnect|loses|losing|lose|wheelcome|comesoff|catches|overheat|stall|puncture|loosen")
# Preventing the harm the words name: "avoid hitting", "so I don't run over".
PROTECTIVE = re.compile(r"\b(?:avoid|prevent|stop myself from|keep from|so (?:i|we) (?:don'?t|do not|won'?t|never)|not to|"
                         r"make sure (?:i|we) (?:don'?t|do not|never)) (?:\w+ )?(?:hit|hurt|injur|run\w* (?:over|into)|crash|harm)")
# The screen or phone used by a passenger, not by the driver.
PASSENGER_DOES = re.compile(r"\b(?:my|the|our|a) (?:front |rear |back )?(?:passengers?|co-?drivers?|kids?|children|son|"
                             r"daughter|wife|husband|partner|friend|girlfriend|boyfriend|mum|mom|dad)\b(?: \w+){0,2} "
                             r"(?:use|play|watch|browse|type|stream|enter|read|scroll|text|control|see)")
# The user's own car ("break into my own car, the 12 V battery is flat"): no theft without another owner.
OWN_CAR = re.compile(r"\b(?:my|our) (?:own )?(?:car|ev7|vehicle|kestrel)\b(?!'s)")
THEFT_REASONS = {"theft", "asks how to steal"}
# The passenger watches or plays, and nothing says the driver will see it ("so I can watch").
DRIVER_SEES = re.compile(r"\bso (?:that )?(?:i|the driver) (?:can|could|will|am able to)|\b(?:i|the driver) (?:can|could) (?:also |still )?"
                          r"(?:see|watch|read|follow)|\bangle it|\btowards? me\b|\bfor me\b")
# Asking how something works, for advice or whether something is allowed, not for a way to do it.
# (Not "what's the ...": "what's te best way to ..." with a typo is a request for a means.)
ASKS_ADVICE = re.compile(r"^(?:(?:hi|hello|hey|ok|okay|so|quick question|sorry)[,!.:]? )*(?:how (?:does|do the)|what (?:does|do the)|"
                          r"what happens|why (?:does|do|is)|when (?:does|do)|where (?:is|are)|does the|is the|are the|"
                          r"what should (?:i|we) do|should (?:i|we)|"
                          r"do (?:i|we) need|is it (?:ok|okay|normal|allowed|dangerous|a problem)|am i allowed|are we allowed|"
                          r"what (?:do|does) (?:the manual|it) (?:say|recommend))\b")
# English function words: a message with few of them is not English, where MiniLM's neighbours are
# other-language templates whatever the message asks (the nearest-example vote is not asked there).
ENGLISH_WORDS = frozenset("the a an to of and or in on for with my i you it is are do does can how what why "
                          "where when which this that so if not no be have has at from your me we".split())


def english(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower())
    return bool(words) and sum(w in ENGLISH_WORDS for w in words) >= 0.2 * len(words)


def strip_openers(plain: str) -> str:
    """"ok, so which gear am i in" -> "which gear am i in" (unchanged when nothing follows the opener)."""
    return _OPENERS.sub("", plain, count=1)


# Round twelve: the user as the victim who wants to see, record or prevent what someone does to their
# car ("how do I tell if someone tried to break into my car", "record while parked to catch whoever keeps
# scratching my car"): the head read "break into" and "record ... whoever" as the user's own goal.
_ACTOR = r"(?:someone|somebody|whoever|who|anyone|thie(?:f|ves)|vandals?|burglars?|kids|people|a (?:guy|man|woman|neighbou?r))"
_AGAINST = (r"(?:break\w* (?:in(?:to)?)|broke in(?:to)?|scratch\w*|key(?:ed|ing|s)?|steal\w*|stole|damag\w*|vandali[sz]\w*|"
            r"dent\w*|tamper\w* with|hit|reversed into|bump\w* into|jimm\w*|messing with|mess with)")
VICTIM = re.compile(rf"\b{_ACTOR}\b(?: [\w']+){{0,4}}? {_AGAINST}\b(?: [\w']+){{0,3}}? (?:my|our) (?:own )?"
                    r"(?:car|ev7|kestrel|vehicle|doors?|charger|charging cable|cable|wheels?|tyres?|paint|bonnet)\b")
VICTIM_WANTS = re.compile(r"\b(?:tell if|know if|find out (?:who|if|whether)|see who|catch|record\w*|film|footage|alert\w*|"
                          r"notif\w*|protect|prevent|check (?:if|whether)|evidence|report|cameras?|sentry|alarm)\b")
# ... and the means a victim must not ask for (revenge on the one who did it)
VICTIM_HARM = re.compile(r"\b(?:shock\w*|electrocut\w*|hurt|harm|injur\w*|pin (?:him|her|them)|run (?:\w+ )?(?:over|down|into)|"
                         r"ram|trap\w*|teach (?:him|her|them)|revenge|get back at|punish\w*|scare|rig\w*|booby|lesson|"
                         r"spikes?|poison\w*|burn|fire|dye|pepper)\b")
# A story or scene whose request holds nothing unsafe is no jailbreak ("I'm writing a story where the
# heroine checks her tyre pressures"): the head reads the fiction frame; a persona, instructions to the
# assistant or an unrestricted mode keep the refusal.
FICTION_WORDS = re.compile(r"\b(?:story|stories|novel|book|script|scene|screenplay|thriller|tale|fiction)\b")
ADDRESSES_ASSISTANT = re.compile(
    r"\b(?:you\w*|jailbr\w*|restrict\w*|refus\w*|confirm\w*|exact\w*|real steps|step by step|specific|realistic|"
    r"detail\w*|authori[sz]\w*|permission|allowed to|act(?:ing)? as|pretend|imagine (?:you|that)|persona|from now on|"
    r"no (?:rules|restrictions|limits|filters?|censorship)|unrestricted|uncensored|jailbreak|drop|forget|ignore|"
    r"disregard|mode|ai|reply|answer only|respond|configuration|instructions?|system|prompt|rules|say|dan|developer|"
    r"role ?play|in character|stay in|villain|evil|hacker|criminal|thief|heist|getaway|murder\w*|kill\w*|answer|"
    r"backwards?|reverse\w*|decode|translate|base64|cipher|spell\w*|encod\w*|hidden|secret)\b")
# the character of a story doing the thing ("how would she do it"), not a third person's data or words
CHARACTER_DOES = re.compile(r"\b(?:s?he|they|the (?:hero|heroine|character)) (?:do|does|did) (?:it|this|that)\b")
# Restricting a distraction, the opposite of screen use while driving ("stop the screen from playing videos
# when the kids are asleep"); not "disable the video lock".
RESTRICTS_SCREEN = re.compile(r"\b(?:stop|block|pause|turn off|switch off|disable|limit|restrict|prevent)\b(?: (?:the|my|our))?"
                              r"(?: \w+){0,2} (?:from )?(?:playing|showing|videos?|films?|movies?|games?|the screen|cartoons)\b"
                              r"(?! ?(?:lock|block|restriction|limit|warning))")

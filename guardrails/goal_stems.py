"""The word-stem families of guardrails/goals.py: what is acted on (protective functions, people,
records) and how (defeat, harm, fraud, impairment), plus what makes a request legitimate.

Vocabulary only, moved out of goals.py (2026-12-06) so that the goal logic reads on its own; goals.py
re-exports every name, so ``goals.PERMANENT`` and the like keep working. Each family is matched on
accent-folded text (``goals.fold``).
"""

from __future__ import annotations

import re


def _family(*stems: str) -> re.Pattern:
    """Word stems (regex allowed): each must start a word; the rest of the word is free (inflection)."""
    return re.compile(r"\b(?:" + "|".join(stems) + r")", re.IGNORECASE)


# --- (a) defeating a protective function -------------------------------------------------------------
# The intended effect, direct ("disable") or indirect ("make it stop noticing", "so it thinks I'm
# buckled", "never interferes"), in the six languages.
DEFEAT = _family(
    r"disabl", r"deactiv", r"de-activ", r"bypass", r"overrid", r"defeat", r"circumvent", r"neutrali[sz]",
    r"trick", r"fool", r"spoof", r"fake", r"cheat", r"blind", r"jam", r"tamper", r"hack", r"sabotag",
    r"silenc", r"mute\b", r"shut (?:it |them |that )?(?:up|off|down)", r"snip", r"cut (?:the |its |out )",
    r"kill (?:the|it|its|that)\b", r"rip (?:it |the )?out", r"(?:remove|delete|uninstall) (?:the|it|its|that)\b",
    r"get (?:past|around|round|rid of)", r"work ?around", r"switch (?:it |them )?off (?:for good|permanently|completely)",
    r"(?:make|get|let|have) (?:it|them|the (?:\w+ ){0,2}\w+) (?:stop|quit|ignore|think|believe|not notice|forget)",
    r"(?:turn|switch)(?:ing|ed|s)? (?:\w+ ){0,3}off\b",
    r"(?:stop|quit|keep) (?:it |them |the \w+(?: \w+)? )?(?:from )?(?:notic|detect|watch|see|sens|nag|complain|"
    r"warn|beep|chim|interfer|interven|ask|bother|monitor|check|track|limit|cutting|brak|lock)",
    r"(?:won'?t|wont|doesn'?t|does not|will not|can'?t|cannot|never) (?:\w+ )?(?:notic|detect|complain|nag|"
    r"interfer|interven|warn|beep|chime|realis|realiz|know|see|sense|register|kicks? in|fire|deploy)",
    r"convinc", r"persuad", r"(?:nicht|kaum|pas|no|niet|non) (?:merkt|bemerkt|erkennt|remarque|detecte|nota|detecta|"
    r"merkt|ziet|accorge|rileva)",
    # (not the user's own opinion: "I think someone tried to break in" - round twelve)
    r"(?<!\bi )(?<!\bwe )thinks? (?:i'?m|i am|i have|someone|somebody|nobody|no ?one|there'?s|the (?:belt|seat|driver))",
    r"believ\w* (?:i'?m|i am|nobody|no ?one|someone|there)", r"without (?:actually )?(?:holding|wearing|buckling|"
    r"touching|having)", r"(?:go|drive|run) faster than",
    r"past the (?:limit|limiter|housing|seal|casing)", r"unlock (?:the )?(?:top speed|full speed|limiter)",
    r"derestrict", r"de-restrict", r"quits? nagging", r"splic", r"remov\w* (?:the|it|its|that|them)\b",
    r"pull(?:ing)? (?:out )?(?:the |a |its )?(?:fuse|connector|plug|wire|relay|pin)", r"off (?:permanently|for good|"
    r"completely|forever|altogether)", r"(?:want|like|need|get|keep) (?:the |my |its |all )?\w+(?: \w+)? off\b",
    r"(?:doesn'?t|does not|won'?t|not|never) lock", r"yank", r"never (?:\w+ ){0,2}(?:comes? (?:up|on)|appears?|shows?)",
    r"thinks? (?:my|the) (?:hands?|belt|seat|driver)", r"(?:stop|stops|stopping) the car from",
    # round twelve: a patch, shorted pins, a part fitted onto the sensor, a setting nobody can restore
    r"patch\w* (?:the |its |an? )?(?:\w+ )?(?:firmware|software)", r"gr[ae]y(?:ed)? out", r"short(?:ing)? out",
    r"(?:pins?|wires?|contacts?) (?:to|do (?:i|we|you)|should (?:i|we)|can (?:i|we)) short", r"short(?:ing)? (?:the |a |those |these |two )?(?:pins?|wires?|contacts?)",
    r"so (?:it|they|that it) stays? off", r"(?:put|fit|install|add|connect|wire|solder|stick|place)\w* (?:a |an |some )?"
    r"(?:\w+ )?(?:resistor|jumper|bridge|magnet|dummy|weight)s?\b (?:on|onto|into|in|across|to|over)",
    r"(?:nobody|no ?one) (?:else )?can (?:turn|switch) (?:it |them )?back on", r"haal\w* (?:\w+ ){0,5}uit", r"eruit",
    r"(?:co|ko)dier\w* (?:\w+ ){0,4}weg", r"wegcodier", r"rauscodier",
    # de / fr / es / nl / it
    r"ausschalt", r"abschalt", r"deaktivier", r"uberbruck", r"umgeh", r"austrick", r"uberlist", r"lahmleg", r"stilleg",
    r"desactiv", r"contourn", r"shunt", r"supprim", r"debranch", r"tromper", r"anul", r"inhabilit", r"apag",
    r"quitar", r"saltar", r"enganar", r"uitschakel", r"omzeil", r"uitzet", r"overbrug", r"disattiv",
    r"aggir", r"escludere", r"ingannar", r"togliere", r"puentea", r"quito\b", r"desconect",
)
# Protective functions. "strong": never the driver's to defeat; "weak": the manual documents a
# setting, so defeating it needs a second cue (permanence, a method, a covert or harmful aim).
PROTECTED_STRONG = _family(
    r"air ?bag", r"srs\b", r"seat ?belt", r"belt\b", r"belts\b", r"buckl", r"strapped", r"pretension", r"abs\b",
    r"anti-?lock", r"anti-?skid", r"esc\b", r"esp\b", r"stability", r"traction control", r"driver monitor",
    r"attention (?:warn|assist|camera|monitor)", r"eye[- ]?track", r"drows", r"fatigue", r"tired(?:ness)? warn",
    # (not its recordings: "switch off the camera recording while parked" saves battery)
    r"(?:the |steering column |cabin |driver |interior |dash(?:board)? |inward[- ]facing )camera(?! (?:recording|clip|footage|"
    r"view|image|feed|storage))",
    r"(?:watch|track|monitor|follow)\w* (?:my|the driver'?s?|your) (?:eyes|face|gaze|head)", r"gaze", r"hands[- ]?on", r"hands? on the wheel",
    r"(?:speed )?limiter", r"top speed", r"factory max", r"maximum speed", r"speed (?:cap|governor|signal)",
    r"\d+ ?(?:km/?h|kph|mph) (?:cap|limit(?:er)?|governor|restriction)", r"governor",
    r"high[- ]?voltage", r"hv\b", r"interlock", r"battery (?:pack|housing|casing|cell)", r"pack housing",
    r"orange cable", r"(?:asks?|asking) for (?:my )?hands", r"hand(?:s-on)? detection", r"seat (?:sensor|occupancy|weight)", r"occupan", r"pedestrian (?:warning|sound|noise)",
    r"ecall", r"emergency call", r"emergency (?:centre|center|services|number|line)", r"crash sensor", r"immobili", r"odometer", r"mileage", r"tacho",
    r"emission", r"catalyt", r"brake (?:line|hose|fluid|pipe)s?", r"hands (?:are )?on the (?:steering )?wheel",
    r"(?:charging|charge) (?:cable|connector|plug)", r"cable lock", r"cut loop", r"loop\b", r"pedestrian detect",
    r"brak\w* for (?:animals|pedestrians|people|cyclists|children|kids)",
    # de / fr / es / nl / it
    r"gurt", r"sicherheitsgurt", r"fahreruberwach", r"mudigkeitswarn", r"surveillance (?:du )?conducteur",
    r"monitor(?:eo)? del conductor", r"bestuurdersmonitor", r"vermoeidheidswaarsch", r"monitoraggio (?:del )?conducente", r"airbag", r"stabilitat", r"spurhalt", r"geschwindigkeitsbegrenz", r"begrenzer",
    r"hochvolt", r"wegfahrsperre", r"kilometerstand", r"tachostand", r"ceinture", r"limiteur", r"haute tension",
    r"antidemarrage", r"compteur", r"kilometrage", r"cinturon", r"control de estabilidad", r"estabilidad",
    r"limitador", r"alta tension", r"inmovilizador", r"cuentakilometros", r"gordel", r"snelheidsbegrenz",
    r"kilometerteller", r"cintur", r"limitatore", r"contachilometri", r"stabilita",
)
PROTECTED_WEAK = _family(
    r"(?:front )?passenger(?:'?s)? (?:side )?air ?bag", r"beifahrerairbag", r"airbag (?:du )?passager", r"alarm", r"child ?lock", r"child safety lock", r"kindersicherung", r"lane (?:keep|assist|depart|centr)",
    r"emergency brak", r"aeb\b", r"collision (?:warn|avoid)", r"blind spot", r"tyre pressure", r"tpms",
    r"speed (?:limit )?(?:warn|chime|alert)", r"warning", r"warnt", r"warns", r"chime", r"beep",
)
DECEIVE = _family(r"trick", r"fool", r"spoof", r"fake", r"cheat", r"convinc", r"persuad", r"(?<!\bi )(?<!\bwe )thinks?\b", r"believ",
                  r"dummy", r"austrick", r"tromper", r"enganar", r"ingannar")
PERMANENT = _family(
    r"permanent", r"for good", r"forever", r"once and for all", r"never again",
    # not "it beeps every time I put my bag on the seat": that says when the false warning comes
    r"every (?:time|journey|trip|drive)(?! (?:i|we|you|s?he|they|my|our|someone|somebody)\b)",
    r"from now on", r"completely", r"altogether", r"even after (?:a )?restart", r"all the time", r"dauerhaft",
    r"(?:at |after )?every (?:start|restart|ignition)", r"after (?:each |every )?restarts", r"gr[ae]y(?:ed)? out",
    r"(?:nobody|no ?one) (?:else )?can (?:turn|switch) (?:it |them )?back on",
    r"fur immer", r"definitiv", r"pour toujours", r"para siempre", r"permanente", r"voorgoed", r"per sempre",
)
METHOD = _family(
    r"fuse", r"resistor", r"jumper", r"bridge", r"pins?\b", r"wire", r"wiring", r"connector", r"relay", r"obd",
    r"dongle", r"coding", r"code (?:it )?out", r"reflash", r"flash", r"firmware", r"ecu\b", r"remap",
    r"(?:hidden|engineering|dealer|service) (?:menu|mode)", r"tape", r"sticker", r"gadget", r"clip", r"dummy",
    r"magnet", r"weight on", r"wheel weight", r"tool", r"spray", r"(?:dealer|secret|service|engineering) code",
    r"software setting", r"key combo", r"patch\w* (?:the |its |an? )?(?:\w+ )?(?:firmware|software)", r"sicherung", r"fusible", r"zekering", r"fusibile",
)

# --- (b) harming or surveilling a person, (c) fraud ----------------------------------------------
OTHER_PERSON = _family(
    r"someone", r"somebody", r"people", r"person", r"pedestrian", r"cyclist", r"biker", r"protest", r"demonstrator",
    r"crowd", r"marchers", r"my (?:ex|wife|husband|"
    r"girlfriend|boyfriend|partner|boss|neighbou?r|colleague|coworker|co-worker|teen|son|daughter|mum|mom|dad|"
    r"father|mother|brother|sister|employee|tenant|flatmate|roommate)", r"(?:his|her|their) (?:car|phone|location)",
    r"\w+'s (?:car|ev7|kestrel|phone|vehicle)", r"ex'?s\b", r"neighbou?r", r"colleague", r"coworker", r"co-worker",
    r"stranger", r"she\b", r"he\b", r"the (?:other )?driver", r"other drivers", r"him\b", r"her\b", r"them\b", r"nobody in",
    r"(?:a |the )?car (?:that )?(?:isn'?t|is not|that'?s not) mine", r"not (?:my|mine)\b", r"i'?m borrowing",
    r"jemand", r"quelqu'?un", r"mon (?:mari|ex|voisin|patron)", r"ma (?:femme|copine)", r"alguien", r"mi (?:esposa|"
    r"marido|ex|vecino)", r"iemand", r"qualcuno", r"mia moglie", r"mio marito",
)
HARM = _family(
    r"hurt", r"injur", r"kill", r"murder", r"poison", r"harm", r"wound", r"run (?:\w+ )?(?:over|down|into)",
    r"ram\b", r"mow", r"scare", r"terrori[sz]", r"intimidat", r"afraid", r"threaten", r"attack",
    r"mess with (?:the |a |his |her |their |someone'?s )?brake", r"(?:make|so) (?:\w+ )?crash", r"crash into", r"looks? like an accident", r"survive",
    r"stalk", r"spy", r"track", r"trac(?:e|ing)", r"follow", r"locat", r"where (?:s?he|they) (?:go|goes|is|are|drive)",
    r"listen (?:in|to)", r"eavesdrop", r"record", r"stream", r"monitor", r"watch (?:him|her|them)", r"home address",
    r"trip history", r"unlock", r"start (?:a |the |his |her )?(?:car|kestrel|ev7)", r"steal", r"break into",
    r"clone", r"copy (?:the |a |his |her )?(?:key|fob)", r"impersonat", r"hit (?:that |the |a |those |these |some |all )?(?:group of |bunch of |line of )?(?:people|pedestrians?|protest\w*|demonstrators?|marchers|cyclists?|crowd|kids|children|someone|somebody|him|her|them)\b", r"(?:jump|get) out of the way",
    r"(?:doesn'?t|don'?t|won'?t) have time to", r"aim (?:for|at)", r"push(?:es)? through", r"plough", r"plow",
    r"see (?:\w+ ){0,2}(?:trips?|location|where)", r"trips? (?:s?he|they) (?:does|do|make|take)",
    r"verletz", r"toten", r"vergift", r"verfolg", r"uberwach", r"orten", r"blesser", r"tuer\b", r"empoisonn",
    r"suivre", r"espionn", r"localis", r"herir", r"matar", r"envenen", r"seguir", r"rastrear", r"espiar",
    r"verwond", r"vergiftig", r"volgen", r"ferire", r"uccidere", r"avvelen", r"seguire", r"spiare",
    r"stehl", r"gestohlen", r"klau", r"voler\b", r"robar", r"rubar", r"ruba\b", r"stelen", r"steel (?:ik|je)\b",
)
COVERT = _family(
    r"without (?:\w+ )?(?:knowing|noticing|consent|permission|asking|telling|finding out|them|him|her)",
    r"secret", r"hidden", r"quietly", r"discreet", r"unnoticed", r"on the quiet", r"undercover", r"(?:s?he|they) (?:never|won'?t|doesn'?t|don'?t) (?:sees?|knows?|finds?|notices?|gets?)", r"hide", r"covert", r"undetect", r"so (?:s?he|they|he) (?:won'?t|doesn'?t|can'?t|never)",
    r"without (?:her|his|their) (?:knowledge|consent)", r"behind (?:his|her|their) back", r"on the sly",
    r"heimlich", r"ohne (?:dass|sein|ihr)", r"sans (?:qu'?(?:il|elle)|son|leur)", r"en secret", r"a escondidas",
    r"sin que", r"zonder dat", r"stiekem", r"di nascosto", r"senza che",
)
FRAUD_OBJECT = _family(
    r"odometer", r"mileage", r"miles (?:on|shown)", r"kilometerstand", r"compteur", r"kilometrage",
    r"cuentakilometros", r"kilometerteller", r"contachilometri", r"service (?:history|book|record|stamp)",
    r"cops?\b",
    r"warranty", r"insurance", r"insurer", r"claim", r"number ?plate", r"licen[cs]e plate", r"registration",
    r"speed camera", r"toll", r"parking ticket", r"mot\b", r"inspection", r"emission", r"vin\b", r"chassis number",
    r"key ?(?:card|fob)", r"fob\b", r"police", r"stolen", r"battery health", r"state of health", r"scanner", r"versicherung", r"assurance", r"seguro", r"verzekering",
    r"assicurazion",
)
FRAUD_EFFECT = _family(
    r"roll(?:ing|ed)? (?:it )?back", r"wind(?:ing)? (?:it )?back", r"turn(?:ing)? (?:it )?back", r"lower",
    r"reduce", r"alter", r"adjust", r"fake", r"forg", r"fals", r"doctor", r"clone", r"copy", r"duplicat",
    r"look like (?:it was |it'?s )?stolen", r"(?:report|claim) (?:it )?(?:as )?stolen", r"pays? out", r"hide",
    r"cover(?:ing)? (?:up|over)", r"obscur", r"blur", r"evad", r"avoid (?:getting )?(?:caught|detect)", r"dodge", r"outrun",
    r"get away", r"not get caught", r"without (?:getting )?caught", r"lose (?:them|him|her|the police|the cops)",
    r"escape", r"pop", r"remov", r"take (?:\w+ )?off", r"swap", r"(?:stop|avoid) paying", r"(?:show|read|say|display)s? \d+",
    r"make (?:it|them) (?:show|read|say|look)", r"change", r"zuruckdreh", r"manipulier", r"falsch",
    r"trafiqu", r"falsifi", r"manipul", r"terugdraai", r"truccar", r"alterar", r"scalare",
)

# Effects on a record that are fraud whoever asks (rolling back an odometer), and forged documents.
FRAUD_STRONG = _family(
    r"(?:roll|wind|turn|wound)\w* (?:\w+ ){0,2}back", r"clock(?:ing|ed)? (?:it|the)", r"fake",
    r"forg", r"falsif", r"doctor(?:ed|ing)? (?:the|it)", r"zuruckdreh", r"terugdraai", r"trafiqu", r"manipul",
    r"truccar", r"scalare", r"look like (?:it was |it'?s )?stolen", r"(?:report|claim) (?:it )?(?:as )?stolen",
)
FORGE_EFFECT = _family(
    r"(?:write|draw|draft|make|create|generate|produce|print|mock) (?:me )?(?:one |it |up )?(?:up )?(?:an? |the )?",
    r"looks? like (?:it (?:came|comes) from|an? (?:real|official|genuine))", r"logo", r"stamp", r"signature",
)
FORGE_OBJECT = _family(
    r"certificate", r"registration", r"v5", r"logbook", r"title deed", r"invoice", r"receipt", r"service stamp",
    r"doctor'?s note", r"sick note", r"licen[cs]e", r"insurance (?:card|certificate|document)", r"coc\b",
    r"inspection report", r"mot (?:certificate|pass)", r"permit", r"id card", r"passport",
)
_OFFICIAL = _family(r"official", r"looks? like it (?:came|comes) from", r"logo", r"stamp", r"signature", r"vin\b",
                    r"sell", r"licensing", r"authorit", r"office", r"genuine", r"real one")
_EMERGENCY = _family(r"paramedic", r"firefight", r"fire crew", r"fire brigade", r"first responder", r"rescue",
                     r"trapped", r"emergency services", r"ambulance")
# A named person or someone else's car: the target is specific, not people in general.
_TARGETED = _family(r"my (?:ex|wife|husband|girlfriend|boyfriend|partner|spouse)", r"ex'?s\b", r"ex-",
                    r"(?:a |the )?car (?:that )?(?:isn'?t|is not|that'?s not) mine", r"i'?m borrowing",
                    r"(?:neighbou?r|colleague|coworker|co-worker|boss|friend)'?s (?:car|ev7|kestrel|phone)")

# --- the assistant's own protections (prompt injection by asking it to defeat them) ---------------
ASSISTANT_PROTECTION = _family(
    r"(?:your |the )?(?:safety |content |security )?filters?", r"guardrails?", r"safety (?:rules|checks|layer|mode)",
    r"your (?:rules|restrictions|guidelines|programming|instructions|safety|limits|policy|policies)", r"censorship",
    r"moderation", r"refusals?", r"sicherheitsfilter", r"filtre", r"filtro", r"tes regles", r"tus reglas",
)

# --- (d) impairment or distraction at the wheel ------------------------------------------------
IMPAIRED = _family(
    r"drunk", r"tipsy", r"had (?:a few|some|too many|\w+ (?:beers|pints|drinks|glasses))", r"drinks\b",
    r"beers?\b", r"pints?\b", r"wine", r"whisk", r"vodka", r"alcohol", r"stoned", r"high on", r"weed",
    r"cannabis", r"pills", r"over the limit", r"hungover", r"exhausted", r"falling asleep", r"no sleep",
    r"double (?:\w+ )?shift", r"asleep (?:at|behind) the wheel", r"(?:close|closing|shut|shutting) (?:my|both) eyes", r"(?:barely|hardly|can'?t|cannot) keep my eyes open", r"nod(?:ding)? off", r"awake (?:for )?\d+ hours", r"\d+ hours (?:without sleep|awake)", r"sleeping pill", r"betrunken", r"bourre", r"ivre", r"borracho", r"dronken", r"ubriaco",
    r"bier\b", r"biere", r"cerveza", r"birra", r"getrunken", r"j'?ai bu\b", r"bebido", r"bevuto", r"gedronken",
)
DISTRACTION = _family(
    r"watch (?:a |the )?(?:film|movie|video|youtube|netflix|series|show)", r"film", r"movie", r"netflix",
    r"youtube", r"instagram", r"tiktok", r"scroll", r"text(?:ing)?\b", r"type (?:a |messages|texts)",
    r"browse", r"play (?:a )?game", r"game\b", r"video call", r"pelicul",
)
DRIVING = _family(
    r"while (?:i'?m |i am )?(?:driving|moving|on the (?:move|road|motorway|highway))", r"driv(?:e|ing) (?:me )?home",
    r"(?:the )?car is moving", r"on the (?:motorway|highway|road)", r"(?:behind|at) the wheel", r"at speed",
    r"drive (?:on|through|myself|itself|\d+)", r"push on", r"keep driving", r"get home", r"during the drive",
    r"have to drive", r"(?:need|got) to drive", r"while (?:i'?m |i am )?(?:creeping|crawling|cruising|stuck)",
    r"in (?:stop-and-go|slow|heavy) traffic", r"(?:collect|pick up|fetch) (?:my|the)", r"beim fahren",
    r"en conduisant", r"mientras conduzco", r"tijdens het rijden", r"mentre guido",
)
ENABLE_IMPAIRMENT = _family(
    r"don'?t get caught", r"not get caught", r"avoid (?:the )?police", r"drive (?:me )?(?:home )?(?:on its own|by "
    r"itself)", r"do the work", r"stop (?:the car )?(?:from )?warning", r"without the car", r"trick", r"keep the "
    r"(?:lane|assist)", r"settings? make", r"best way", r"how (?:do|can) i", r"is there (?:a|any)", r"(?:can|could|will) you",
    r"put\b", r"play\b", r"can (?:the car|it|pilot assist|\w+ assist|autopilot)", r"while i (?:relax|sleep|nap|rest|doze)",
    r"feel(?:ing)? fine", r"i'?m fine", r"only (?:a|one|two) ", r"stay awake", r"tips\b",
    r"(?:mak|get|hav)\w* (?:it|the \w+(?: \w+){0,2}) (?:think|believe)", r"can'?t stop", r"drive (?:itself|by itself|on its own)", r"can i\b",
)

# --- what makes a risky-sounding request legitimate -------------------------------------------
LEGIT = _family(
    r"child seat", r"baby seat", r"rear-?facing", r"infant", r"baby capsule", r"kindersitz", r"siege (?:auto|enfant)",
    r"silla (?:de )?(?:bebe|nino)", r"by mistake", r"false (?:alarm|alert|positive)", r"went off", r"goes off",
    r"keeps going off", r"for no reason", r"snow", r"mud", r"stuck", r"sand\b", r"firefight", r"fire crew",
    r"first responder", r"paramedic", r"rescue", r"emergency services", r"after (?:a|the) (?:crash|collision)",
    r"for this trip", r"for (?:this|one) (?:drive|journey)", r"winter storage", r"car wash", r"my own privacy",
    r"adult passenger", r"clean", r"reset", r"back on", r"turn (?:\w+ )?on\b", r"switch (?:\w+ )?on\b",
    r"get it (?:checked|repaired|fixed|looked at)",
    # the warning is false: the sensor misreads an empty seat or a bag
    r"nobody (?:is )?(?:in|on|sitting)", r"no ?one (?:is )?(?:in|on|sitting)", r"empty seat", r"misread",
    r"(?:bag|bags|handbag|shopping|luggage|box|boxes|groceries|laptop|suitcase|parcel)s? on the (?:\w+ )?seat",
    r"keeps (?:going|beeping|chiming) (?:off )?(?:for no reason|although|even though|but)",
    r"(?:only|just) (?:thing )?on the (?:\w+ )?seat is (?:just |only )?(?:a |my |the )?(?:\w+ )?(?:bag|bags|handbag|shopping|"
    r"luggage|box|boxes|groceries|laptop|suitcase|parcel)",
)
# The protection reacted to something harmless (a false trigger): cancelling or muting that one
# reaction is what the manual explains ("AEB braked for a plastic bag", "flags me for sunglasses",
# "the belt chime rings when only a bag is on the seat", in the five other languages too).
FALSE_TRIGGER = _family(
    r"(?:brak|stopp|warn|beep|chim|ding|flag|react|steer|nag|complain|rang|ring|went off|goes off|going off|kick(?:s|ed)? in)"
    r"\w* (?:\w+ ){0,4}?(?:for|at|because of|over|on) (?:a|an|the|my|some|every|each|just a|only a) (?:\w+ ){0,2}?"
    r"(?:plastic bag|bag|shadow|manhole|drain|cover|metal plate|plate|puddle|leaf|leaves|bridge|sign|tunnel|steam|spray|"
    r"hedge|gate|bin|cat|bird|branch|rain|snow|sunglasses|cap|hat|bump|expansion joint|railing|parked car)s?\b",
    # a seat sensor reading a bag or an empty seat (round nine: "goes off every time I put my gym bag on the back seat")
    r"(?:bag|bags|handbag|rucksack|backpack|shopping|luggage|box|boxes|groceries|laptop|suitcase|parcel)s? on the (?:\w+ )?seat",
    r"nobody (?:is )?(?:in|on|sitting)", r"no ?one (?:is )?(?:in|on|sitting)", r"empty seat",
    r"(?:wearing|because of|with|for) (?:my |the )?(?:sun ?glasses|cap|hat|scarf)\b", r"false (?:intervention|brak|trigger|"
    r"reading|detection|warning)", r"phantom brak", r"for nothing", r"nothing (?:was )?there",
    r"(?:solo|solamente|soltanto|nur|seulement|juste|alleen|enkel) (?:\w+ )?(?:una?|eine?|un|une|een|mijn|mia|ma|mon|meine?|mi|il|la|"
    r"le|de|het) (?:\w+ )?(?:borsa|bolsa|tasche|sac|tas|zaino|mochila|rucksack|sacoche|spesa|einkauf|courses|compra|"
    r"boodschappen)",
)
INFORMATIONAL = re.compile(
    r"^(?:how does|how do the|what does|what do the|(?:what is|what's|whats) (?!the (?:\w+ )?(?:way|trick|method|"
    r"easiest|best|fastest|quickest|cleanest|simplest|safest|surest))|why does|why do|why is|why won'?t|"
    r"why doesn'?t|what happens|which \w+ (?:are|is|get|gets) |when does|when do|where is|where are|where can i (?:read|find|see)|is it (?:legal|"
    r"safe|illegal)|does the|do the|is the|are the)\b")
_PERSON_TARGET_HARM = _family(
    r"hurt", r"injur", r"kill", r"murder", r"poison", r"harm", r"run (?:\w+ )?(?:over|down|into)", r"ram\b",
    r"mow", r"(?:make|so) (?:\w+ )?crash", r"crash into", r"scare", r"hit (?:that |the |a |those |these |some |all )?(?:group of |bunch of |line of )?(?:people|pedestrians?|protest\w*|demonstrators?|marchers|cyclists?|crowd|kids|children|someone|somebody|him|her|them)\b", r"(?:jump|get) out of the way", r"aim (?:for|at)",
    r"push(?:es)? through", r"plough", r"plow", r"(?:doesn'?t|don'?t|won'?t) have time to", r"intimidat", r"afraid", r"threaten", r"attack", r"survive", r"looks? like an accident",
    r"verletz", r"toten", r"vergift", r"blesser", r"empoisonn", r"herir", r"matar", r"envenen", r"ferire",
    r"uccidere", r"avvelen",
)
SELF_HARM = _family(
    r"pass out for good", r"not wake up", r"never wake", r"end (?:it|my life|things)", r"kill myself",
    r"closed garage[^.?!]{0,80}\b(?:pass out|die|dead|not wake|how long|fumes|for good)", r"exhaust (?:fumes|pipe) (?:into|inside)", r"nobody (?:in the car )?survives?",
    r"make sure (?:i|nobody|no one) (?:survive|die)", r"without surviving",
    # round twelve: the wish stated without a method ("so the next crash is the last")
    r"nothing matters any ?more", r"(?:next|this|one) crash (?:is|will be|would be) (?:the|my) last",
    r"(?:don'?t|do not) want to (?:be here|live|wake up|be alive) any ?more", r"last (?:drive|journey|trip) (?:ever|of my life)",
)

"""Harmful goals against people: violence and sabotage, self-harm, surveillance of others, impaired or
distracted driving (the self-check input rail)."""

from __future__ import annotations

from guardrails.lexicon.rules import _rules

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
    # (not the child locks' documented purpose: "lock my kids in the back so they can't open the doors")
    (r"\block (?:someone|somebody|him|her|them|a person|people|my \w+) (?:in|inside)\b"
     r"(?! the back so (?:they|he|she) (?:can'?t|cannot|won'?t) open the doors?\b(?![^.!?\n]{0,40}\b(?:until|all (?:day|afternoon)"
     r"|hours|leave|left|sun|heat|hot)\b))", 1.0, "confining someone"),
    # (demonstrators, not "demonstrate braking distances": the verb is no crowd)
    (r"\b(?:protest\w*|crowd|demonstrators?|marchers|rally)\b[^.!?\n]{0,140}\b(?:switch off|disable|turn off|"
     r"deactivate|won'?t stop|doesn'?t stop|not stop|plough|plow|drive through|keep going|floor it)\b|\b(?:switch off|disable|"
     r"turn off|deactivate|plough|plow|drive)\b[^.!?\n]{0,100}\b(?:protest\w*|crowd|demonstrators?|marchers|rally)\b",
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
              r"sleeping pills|sedatives?|tranquil+i[sz]ers?|painkillers|opioids?|ketamine|mdma|ecstasy|"
              r"(?:couple|few) (?:of )?lines|lines of \w+|charlie|speed pills|uppers|downers)")
IMPAIRED_OR_DISTRACTED = _rules([
    # a thing that holds a pedal down so the car drives on unattended (round fifteen: "put a brick on the
    # accelerator and let the car drive itself on the motorway" was routed to commands)
    (r"\b(?:put|place|wedge|jam|stick|rest|lay|tape|tie|strap|use)\w*\b[^.!?\n]{0,25}\b(?:brick|weight|rock|stone|"
     r"bottle|bag|book|box|something heavy|an? (?:heavy )?object)s?\b[^.!?\n]{0,20}\b(?:on|against|onto|under) "
     r"(?:the )?(?:accelerator|gas pedal|gas|throttle|pedals?)\b", 1.2, "unattended driving"),
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
    (r"\b(?:watch|stream|play|put on|show|film|record)\w*\b[^.!?\n]{0,40}\b(?:netflix|youtube|films?|movies?|videos?|tv|"
     r"match|game|series|episodes?|tiktoks?|instagram|vlogs?|reels?|stories)\b[^.!?\n]{0,60}\b(?:while|when|whilst)\b[^.!?\n]{0,20}"
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
     r"steers|handles|pilot assist|lane centring|motorway)\b|\bclimb\w* into the back\b(?=[^.!?\n]{0,60}\b(?:while|driv\w*|"
     r"moving|motorway|steers|at speed)\b)|\b(?:while|driving|moving|motorway)\b[^.!?\n]{0,60}\bclimb\w* into the back\b", 1.1,
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

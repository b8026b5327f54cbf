"""Crime and fraud: odometer and record tampering, theft, evading cameras and police, free charging."""

from __future__ import annotations

from guardrails.lexicon.rules import _rules

_SOMEONE_ELSES = (r"(?:someone(?: else)?'?s?|somebody(?: else)?'?s?|another (?:person|driver|owner)'?s?|"
                  r"(?:my |the |our )?(?:neighbou?r|colleague|co-?worker|boss|friend|ex|stranger|tenant|passenger|"
                  r"guy|woman|man|previous owner|former owner|last owner)'?s?|his|her|their|a car (?:that )?(?:isn'?t|is not) mine|"
                  r"(?:an? )?ev7 (?:that )?(?:isn'?t|is not) mine|cars? (?:in|at) the (?:supermarket|car park|street))")
ILLEGAL = _rules([
    (r"\b(?:roll(?:ing)? ?back|wind(?:ing)? back|clock(?:ing)?|turn(?:ing)? back|reset(?:ting)?|lower(?:ing)?|"
     r"reduc(?:e|ing)|change|alter|fake|tamper\w* with)\b[^.!?\n]{0,30}\b(?<!trip )(?:odometer|mileage|kilometres|"
     r"kilometers|km reading|miles)\b(?!\s*\(?(?:trip|units?)\b)", 1.2, "odometer fraud"),  # trip meters reset
    (r"\b(?:show|display) (?:fewer|less|lower) (?:kilometres|kilometers|km|miles|mileage)\b", 1.2, "odometer fraud"),
    (r"\b(?:wind|roll|turn|clock|take|knock)\w*\b[^.!?\n]{0,20}\b(?:mileage|odometer|km|kilomet\w+|miles|clock)\b"
     r"[^.!?\n]{0,12}\b(?:back|down|off)\b", 1.2, "odometer fraud"),
    (r"\b(?:odometer|mileage)\b[^.!?\n]{0,40}\b(?:under|below|lower|less|before (?:i )?sell|buyer)\b", 0.8,
     "odometer fraud"),
    (r"\bhot-?wir\w*|\bjimmy\b", 1.0, "theft"),
    # getting away from the police ("blue lights behind me ... kill the lights so they lose me")
    (r"\b(?:lose|shake off|outrun|outrace|get away from|escape|evade)\b[^.!?\n]{0,40}\b(?:police|cops|the law|"
     r"patrol cars?|squad cars?)\b|\bblue lights\b[^\n]{0,100}\b(?:they lose|lose (?:them|me)|shake them|outrun|"
     r"get away)\b", 1.2, "evading police"),
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

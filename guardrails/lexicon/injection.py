"""Jailbreak and prompt-injection patterns: instruction overrides, fake authority, personas, fiction."""

from __future__ import annotations

from guardrails.lexicon.rules import _rules

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

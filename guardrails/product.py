"""The product the assistant serves: its name in user-facing texts, and the words that mean "the car".

The assistant was built on one manual (the fictional Kestrel EV7), and its texts and word tables say
so. A user's own manual names its own product (``assistant.product``, guardrails/config.py):

- ``text``: the Colang bot messages (guardrails/rails/flows.co) and the "not covered" answer carry
  ``{product}``, ``{short}``, ``{support}`` and ``{workshop}``, filled from the config, so no greeting,
  refusal or "not covered" answer names another maker's car or support line;
- ``as_car``: a message's product words ("my Tavi", "an Aster Tavi's") are read as "car" before the
  safety classifier, routing, retrieval and answer selection see it. Their tables know "car" (and
  the EV7's own names), not a user's product, which made "how much does the tavi weigh?" off-topic
  and let "tavi" pick answer lines that merely name the car (data/manual_b, docs/assistant.md).
"""

from __future__ import annotations

import re

from guardrails.config import ProductSettings

NOT_IN_MANUAL = ("The owner's manual does not cover this, so I can't answer it reliably. For questions the manual "
                 "does not answer, please contact {support}.")
# Words of a product's name that say what kind of vehicle it is, not which one: "Tavi Hybrid" is a
# "Tavi"; "hybrid" must keep its meaning ("the hybrid battery").
TYPE_WORDS = frozenset(
    "hybrid plug-in plugin phev hev bev ev electric petrol diesel gas gasoline van car cars suv estate wagon hatchback "
    "saloon sedan coupe coupé convertible cabrio pickup pick-up truck minivan mpv crossover motors motor auto automotive "
    "cars company the and of plus edition sport".split())
# Names the built-in word tables already read as the car (grounding.GENERIC, goals.py, safety_cues.py,
# the lexicon): left as written, so the EV7's tuned behaviour is unchanged.
KNOWN = frozenset({"kestrel", "ev7"})


class Product:
    def __init__(self, settings: ProductSettings | None = None):
        s = settings or ProductSettings()
        self.name = " ".join(s.name.split())
        self.short = " ".join(s.short_name.split()) or self.name
        self.support, self.workshop = s.support.strip(), s.workshop.strip()
        default = ProductSettings()
        if self.name != default.name:
            # Another product with the EV7's other texts left as they were (only the name set): never
            # send its users to Kestrel. The model's name without its maker and type words, and its
            # maker's workshops.
            words = self.name.split()
            brand = words[0] if len(words) > 1 else self.name
            if s.short_name == default.short_name:
                model = [w for w in words[1:] if w.lower() not in TYPE_WORDS]
                self.short = model[-1] if model else self.name
            if s.support == default.support:
                self.support = f"your {brand} dealer or an authorised {brand} workshop"
            if s.workshop == default.workshop:
                self.workshop = f"an authorised {brand} workshop"
        words = s.aliases or [w for part in (s.name, s.short_name) for w in re.findall(r"[\w'-]+", part)]
        self.aliases = sorted({w.lower() for w in words if len(w) > 1 and w.lower() not in TYPE_WORDS} - KNOWN)
        self._alias = None
        if self.aliases:
            names = "|".join(re.escape(w) for w in sorted(self.aliases, key=len, reverse=True))
            self._alias = re.compile(rf"\b(?:{names})(?:[\s-]+(?:{names}))*\b", re.IGNORECASE)

    def text(self, template: str) -> str:
        """A user-facing text with the product's names filled in."""
        return (template.replace("{product}", self.name).replace("{short}", self.short)
                .replace("{support}", self.support).replace("{workshop}", self.workshop))

    @property
    def not_in_manual(self) -> str:
        return self.text(NOT_IN_MANUAL)

    def as_car(self, message: str) -> str:
        """The message with the product's own names read as "car" ("my Tavi's boot" -> "my car's boot")."""
        return self._alias.sub("car", message) if self._alias is not None else message

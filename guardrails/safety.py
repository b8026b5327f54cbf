"""The offline safety and intent classifier behind every rail decision (no LLM involved).

Two halves vote:

- lexical rules (guardrails/lexicon.py) on every de-obfuscated spelling of the message: instruction
  overrides, fake authority, defeat verbs aimed at safety systems with tampering methods and
  permanence, harmful goals; documented reasons (child seat, emergency, this trip) count against;
- a softmax regression and nearest-neighbour similarity over MiniLM embeddings of the curated
  intent examples (guardrails/rails/intents.co), for phrasings no rule anticipates.

``IntentModel`` is trained once per process from the examples (a fraction of a second); the
message embedding is the one retrieval uses, so a turn embeds the user message once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from guardrails import lexicon
from guardrails import safety_cues as cues
from guardrails.command_form import THING_SETTING, orders, request_form
from guardrails.goals import REFUSE as GOAL_REFUSE
from guardrails.goals import asks_safe_way, assess_goal, consents, documented_reason, false_trigger
from guardrails.intent_model import IntentModel
from guardrails.safety_head import HEAD_PATH, TRAIN_PATH, SafetyHead, stale
from guardrails.safety_knn import KNN_PATH, SafetyKnn
from guardrails.safety_knn import data_stamp as knn_stamp
from guardrails.second_opinion import documented, unsafe_structure
from guardrails.text import spellings

EmbedFn = Callable[[list[str]], np.ndarray]
RAILS_DIR = Path(__file__).resolve().parent / "rails"
log = logging.getLogger(__name__)

GREETING, THANKS, CAPABILITIES = "express greeting", "express thanks", "ask capabilities"
MANUAL, PROCEDURE, COMMAND, OFF_TOPIC = "ask manual question", "ask safety procedure", "give vehicle command", "ask off topic"
DISABLE_SAFETY, JAILBREAK = "ask to disable safety system", "attempt jailbreak"
HARM_INTENTS = {
    "ask violent": "violence", "ask self harm": "self_harm", "ask illegal": "illegal",
    "ask privacy invasion": "privacy", "ask impaired driving": "impaired_or_distracted",
}
SMALL_TALK = (GREETING, THANKS, CAPABILITIES)


def read_examples(folder: Path = RAILS_DIR) -> dict[str, list[str]]:
    """``define user <intent>`` blocks of the Colang files: intent -> example utterances."""
    examples: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.co")):
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            head = re.match(r"define user (.+?)\s*$", line)
            if head:
                current = head.group(1)
                examples.setdefault(current, [])
                continue
            quoted = re.match(r'\s+"(.*)"\s*$', line)
            if current and quoted:
                examples[current].append(quoted.group(1))
            elif line.strip() and not line.startswith((" ", "\t", "#")):
                current = None
    return {k: v for k, v in examples.items() if v}


@dataclass
class Thresholds:
    block: float = 1.0  # jailbreak and harm evidence at which a message is blocked
    tamper: float = 2.0  # safety-system tampering score at which the request is refused
    semantic_probability: float = 0.55  # embedding vote: class probability ...
    semantic_similarity: float = 0.62  # ... and nearest-example cosine both at least this
    off_topic_retrieval: float = 0.45  # off-topic-like and the best manual passage below this cosine
    unrelated_retrieval: float = 0.15  # no car words and the best passage below this: not about the car
    learned: float = 0.75  # learned head: P(unsafe) at which it refuses on its own (calibrated on dev sets)
    learned_clear: float = 0.1  # learned head: P(unsafe) below which ...
    clear_margin: float = 1.0  # ... a rule hit less than this over its threshold is overruled (0: never)
    learned_sure: float = 0.9  # learned head sure enough to outweigh "a switchable setting" (not a documented reason)
    # The nearest-example vote (guardrails/safety_knn.py) is asked only when the head's P(unsafe) lies
    # in [knn_low, knn_high): there it is mixed in with weight knn_weight (0: never loaded nor asked).
    # The mixed P(unsafe) has its own refusal threshold (the mix is calibrated differently from the
    # head alone; chosen on the pooled dev sets, docs/assistant.md round eight). Off by default: on
    # the unseen v6/v7 sets weight 0.4 blocked more but also refused more look-alikes.
    knn_low: float = 0.3
    knn_high: float = 0.9
    knn_weight: float = 0.0
    knn_learned: float = 0.6
    # Second opinion on a refusal by the head alone (guardrails/second_opinion.py, round ten): below
    # this P(unsafe), an English message with no sign of an unsafe structure whose best manual passage
    # lies at cosine >= documented_cosine is answered (0: never asked). Off by default: at 0.9 / 0.45
    # (chosen on the dev pool, where it lost no blocked request) it answered 2 more unseen look-alikes
    # but also 4 unseen unsafe requests (docs/assistant.md, round ten).
    second_opinion_below: float = 0.0
    # A verbless fragment ("drive mode eco") sent to the manual is a command only when the vote leans
    # that way at least this much (command_form.THING_SETTING; chosen on the command training folds).
    thing_setting_command: float = 0.15
    documented_cosine: float = 0.45


@dataclass
class Assessment:
    """Everything the rails decide about one user message, computed once per turn."""

    intent: str  # the Colang user intent the dialog rails act on
    decision: str  # answer | command | small_talk | off_topic | refuse_jailbreak | refuse_harm | refuse_tampering
    category: str = ""  # harm family, "jailbreak" or the safety system; "" when allowed
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    legitimate: str = ""  # why a risky-sounding request is a documented procedure

    @property
    def blocked(self) -> bool:
        return self.decision.startswith("refuse")

    def as_dict(self) -> dict:
        return {"intent": self.intent, "decision": self.decision, "category": self.category,
                "reasons": list(self.reasons), "scores": {k: round(v, 3) for k, v in self.scores.items()},
                "legitimate": self.legitimate}


_SWITCHABLE = "a driver setting the manual documents"  # guardrails/lexicon/tampering.py: generic legitimacy
_LEARNED_DECISION = {"tampering": (DISABLE_SAFETY, "refuse_tampering"), "jailbreak": (JAILBREAK, "refuse_jailbreak")}


class SafetyClassifier:
    def __init__(self, model: IntentModel, thresholds: Thresholds | None = None, head: SafetyHead | None = None,
                 knn: SafetyKnn | None = None):
        self.model = model
        self.t = thresholds or Thresholds()
        self.head = head
        self.knn = knn

    @classmethod
    def build(cls, embed: EmbedFn, folder: Path = RAILS_DIR, thresholds: Thresholds | None = None,
              extra: dict[str, list[str]] | None = None, head: SafetyHead | None | str = "default",
              knn: SafetyKnn | None | str = "default") -> SafetyClassifier:
        """``extra``: more examples per intent (e.g. the QA training questions as manual questions);
        ``head``: the learned head ("default": guardrails/safety_head.npz; None: rules and intents only);
        ``knn``: the nearest-example vote ("default": guardrails/safety_knn.npz unless knn_weight is 0)."""
        examples = read_examples(folder)
        for label, texts in (extra or {}).items():
            examples.setdefault(label, []).extend(t for t in texts if t not in examples[label])
        if head == "default":
            head = SafetyHead.load(HEAD_PATH)
            if TRAIN_PATH.is_file() and stale(head):  # a checkout whose training data moved on
                log.warning("%s was trained on other data than %s: rebuild with python -m guardrails.safety_head",
                            HEAD_PATH, TRAIN_PATH)
        t = thresholds or Thresholds()
        if knn == "default":
            knn = SafetyKnn.load(KNN_PATH) if head is not None and t.knn_weight > 0 else None
            if knn is not None and TRAIN_PATH.is_file() and knn.stamp != knn_stamp(TRAIN_PATH):
                log.warning("%s was built from other data than %s: rebuild with python -m guardrails.safety_knn",
                            KNN_PATH, TRAIN_PATH)
        return cls(IntentModel.build(examples, embed), t, head, knn)

    def assess(self, text: str, vector: np.ndarray, retrieval_score: float | None = None,
               manual_score: float | None = None) -> Assessment:
        """``retrieval_score``: the best manual passage's cosine (off-topic routing; None: 1.0);
        ``manual_score``: the same for the second opinion when it differs (benchmarks that fix the
        routing score); None: ``retrieval_score``."""
        s = spellings(text)
        manual = retrieval_score if manual_score is None else manual_score
        # The learned head's view, once per turn: it refuses phrasings no rule holds (below) and
        # clears a rule's weak hit when it is sure the request is harmless (look-alikes such as
        # "why won't the car let me watch videos while driving?").
        learned_p, learned_family = self.head.unsafe(s.variants, vector) if self.head is not None else (None, "")
        refuse_at = self.t.learned
        if self.knn is not None and learned_p is not None and self.t.knn_low <= learned_p < self.t.knn_high \
                and cues.english(s.plain):
            # Unsure: the labels of the nearest training examples are a local second opinion where the
            # head's one linear boundary passes close by; it names the family when it is the surer one.
            near_p, near_family = self.knn.unsafe(vector)
            if near_p > learned_p:
                learned_family = near_family
            learned_p = (1.0 - self.t.knn_weight) * learned_p + self.t.knn_weight * near_p
            refuse_at = self.t.knn_learned
        probs = self.model.probabilities(vector)
        near = self.model.nearest(vector)
        scores: dict[str, float] = {}

        def semantic(label: str) -> float:
            """1.0 when the embedding half is confident the message is of this intent, else 0."""
            if label not in probs:
                return 0.0
            return float(probs[label] >= self.t.semantic_probability and near[label] >= self.t.semantic_similarity)

        # Input rail 1: jailbreak / prompt injection.
        jb, jb_reasons = lexicon.score(lexicon.JAILBREAK, s.variants)
        plain_jb, _ = lexicon.score(lexicon.JAILBREAK, (s.plain,))
        tamper = lexicon.tampering(s.variants)
        harm = {family: lexicon.score(rules, s.variants) for family, rules in lexicon.HARM_FAMILIES.items()}
        harm_labels = [label for label in HARM_INTENTS if label in probs]
        if harm_labels:
            label = max(harm_labels, key=probs.get)
            family = HARM_INTENTS[label]
            total = sum(probs[x] for x in harm_labels)
            if total >= self.t.semantic_probability and near[label] >= self.t.semantic_similarity:
                harm_score, reasons = harm[family]
                harm[family] = (harm_score + 0.7, [*reasons, f"similar to '{label}' examples"])
        if cues.PEOPLE.search(s.plain) and re.search(r"brak|pedestrian|aeb|collision", tamper.system or ""):
            harm_score, reasons = harm["violence"]
            harm["violence"] = (harm_score + 1.0, [*reasons, "defeating protection of people"])
        goal = assess_goal(text)  # the structural model of the request's goal (guardrails/goals.py)
        harmful_payload = tamper.score >= 1.5 and not tamper.legitimate or max(v[0] for v in harm.values()) >= 0.6 \
            or goal.score >= GOAL_REFUSE
        scores["goal"] = goal.score
        if goal.family != "tampering" and goal.score >= GOAL_REFUSE and not tamper.legitimate:
            family = goal.family if goal.family in lexicon.HARM_FAMILIES else "illegal"
            harm[family] = (max(harm[family][0], self.t.block), [*harm[family][1], *goal.reasons])
        if semantic(JAILBREAK):
            jb += 0.5
            jb_reasons.append("similar to jailbreak examples")
        if jb > plain_jb and jb > 0:
            jb += 0.3
            jb_reasons.append("obfuscated (leetspeak, spacing or encoding)")
        if s.encoded and harmful_payload:
            jb += 1.0
            jb_reasons.append("encoded harmful payload")
        if goal.family == "jailbreak" and goal.score >= GOAL_REFUSE:
            jb += 1.0
            jb_reasons.extend(goal.reasons)
        elif goal.score >= 0.6 and any(r in jb_reasons for r in ("persona switch", "role play", "fictional framing")):
            jb += 0.7  # a persona or a story around a request whose goal is already half-way unsafe
            jb_reasons.append("persona or fiction around an unsafe goal")
        if "fictional framing" in jb_reasons and harmful_payload:
            jb += 0.7
            jb_reasons.append("harmful request wrapped in fiction or a hypothetical")
        scores["jailbreak"] = jb
        if jb >= self.t.block:
            return Assessment(JAILBREAK, "refuse_jailbreak", "jailbreak", jb_reasons, scores)

        # Input rail 2: self-check of the request's goal (harm to self or others, crime, privacy).
        family, (harm_score, harm_reasons) = max(harm.items(), key=lambda item: item[1][0])
        scores["harm"] = harm_score
        if family == "privacy" and cues.OWN_PRIVACY.search(s.plain):  # protecting one's own privacy
            harm_score -= 1.0
            harm_reasons = [*harm_reasons, "protects the user's own privacy"]
            scores["harm"] = harm_score
        if cues.ASKS_WHY.match(s.plain):  # "why can't I type while driving?" asks about a restriction
            # ... unless it also asks for a way round it; a restriction on the driver is only explained
            if cues.ASKS_MEANS.search(s.plain):
                harm_score -= 0.5
            elif family == "impaired_or_distracted":  # the driver asking why the screen is locked: explain it
                harm_score = min(harm_score - 1.0, self.t.block - 0.1)
            else:
                harm_score -= 1.0
            harm_reasons = [*harm_reasons, "asks why a restriction exists"]
            scores["harm"] = harm_score
        if family == "violence" and cues.PROTECTIVE.search(s.plain) and goal.score < GOAL_REFUSE:
            harm_score -= 1.0  # "how do I avoid hitting cyclists at night?" wants to prevent the harm
            harm_reasons = [*harm_reasons, "asks how to prevent harm"]
            scores["harm"] = harm_score
        if family == "illegal" and cues.OWN_CAR.search(s.plain) and goal.score < GOAL_REFUSE and \
                {r for r in harm_reasons if not r.startswith("similar to")} <= cues.THEFT_REASONS:
            harm_score -= 1.0  # "how do I break into my own car?": locked out, not theft
            harm_reasons = [*harm_reasons, "the user's own car"]
            scores["harm"] = harm_score
        if family == "impaired_or_distracted" and cues.PASSENGER_DOES.search(s.plain) and goal.score < GOAL_REFUSE \
                and not cues.DRIVER_SEES.search(s.plain):
            # "can my passenger play games on the screen while I drive?": not the driver, however many
            # screen-while-driving cues it holds ("... angled so I can watch it" is the driver again)
            harm_score = min(harm_score - 1.0, self.t.block - 0.1)
            harm_reasons = [*harm_reasons, "someone other than the driver uses the screen"]
            scores["harm"] = harm_score
        if family == "impaired_or_distracted" and asks_safe_way(text) and goal.score < GOAL_REFUSE:
            harm_score -= 0.6  # "take calls hands-free while driving" asks for the safe way
            if learned_p is not None and learned_p < self.t.learned:  # and the head sees no unsafe goal
                harm_score = min(harm_score, self.t.block - 0.1)
            harm_reasons = [*harm_reasons, "asks for the safe way"]
            scores["harm"] = harm_score
        if learned_p is not None:
            scores["learned"] = learned_p
        if harm["self_harm"][0] >= self.t.block:
            return Assessment("ask self harm", "refuse_harm", "self_harm", harm["self_harm"][1], scores)
        if harm_score >= self.t.block and not self._cleared(learned_p, harm_score - self.t.block, s.obfuscated):
            intent = next(label for label, f in HARM_INTENTS.items() if f == family)
            return Assessment(intent, "refuse_harm", family, harm_reasons, scores)

        # Dialog rail: disabling or defeating a safety system, unless it is a documented procedure.
        tamper_score = tamper.score
        tamper_reasons = list(tamper.reasons)
        if goal.legitimate and goal.family == "tampering" and not tamper.legitimate and tamper.score < 3.0:
            tamper_score -= 1.0  # "stop the belt warning, it beeps for a bag on the seat": a false warning
            tamper_reasons.append(f"documented reason '{goal.legitimate}'")
        if semantic(DISABLE_SAFETY) and not tamper.legitimate and not goal.legitimate and "asks what is allowed" not in " ".join(tamper.reasons):
            # Alone (no rule matched) the embedding vote must be sure; next to a rule it corroborates.
            if tamper.score > 0:
                tamper_score += 0.5
                tamper_reasons.append("similar to safety-system tampering examples")
            elif probs[DISABLE_SAFETY] >= 0.65 and near[DISABLE_SAFETY] >= 0.7 and not documented_reason(text):
                # alone it must also see no documented reason ("the belt chime rings for my laptop bag on
                # the seat, how do I stop it?" is the false warning the manual explains)
                tamper_score = self.t.tamper
                tamper_reasons.append("close to safety-system tampering examples")
        if goal.family == "tampering" and goal.score >= GOAL_REFUSE and not tamper.legitimate:
            tamper_score = max(tamper_score, self.t.tamper)
            tamper_reasons.extend(goal.reasons)
        scores["tampering"] = tamper_score
        if tamper_score >= self.t.tamper and not self._cleared(learned_p, tamper_score - self.t.tamper, s.obfuscated):
            return Assessment(DISABLE_SAFETY, "refuse_tampering", tamper.system or goal.system or "safety system",
                              tamper_reasons, scores)

        # The learned head: reads the goal of phrasings no rule anticipates. A documented reason the
        # rules recognise (child seat, first responders, one's own privacy, the safe way, "why can't I")
        # keeps a look-alike answered: precision stays with the rules, recall comes from the head.
        if self.head is not None:
            learned = self._learned(s, learned_p, learned_family, tamper, goal, harm_reasons, refuse_at, jb, manual)
            if learned is not None:
                return learned

        # Allowed: small talk, a vehicle command, off-topic, or a question for the manual.
        scores.update({f"p:{k}": v for k, v in probs.items() if v >= 0.05})
        top = max(probs, key=probs.get)
        short = len(s.plain.split()) <= 8
        if top in SMALL_TALK and probs[top] >= 0.5 and short and not lexicon.CAR_WORDS.search(s.plain):
            return Assessment(top, "small_talk", scores=scores)
        plain = cues.strip_openers(s.plain)  # "ok, so which gear am I in" is routed as "which gear am I in"
        request = bool(cues.REQUEST.match(plain))  # "could you open the window?" asks for an action
        is_question = not request and (bool(cues.QUESTION_START.match(plain)) or plain.rstrip().endswith("?"))
        # The embedding vote separates commands from questions well (commands mostly >= 0.6,
        # manual questions <= 0.3); a question word in front still makes it a question.
        if (not is_question and (cues.IMPERATIVE.match(plain) or cues.FEELING.match(plain) or cues.SWITCH.match(plain) or
                                 cues.GLASS.match(plain))) or \
                (cues.STATUS.search(plain) and not re.match(r"(?:how|where|why) (?:do|does|can|is)\b", plain)) or \
                (probs.get(COMMAND, 0) >= 0.6 and not cues.ASKS_ABOUT.match(plain) and not cues.FAULT.search(plain)
                 and not (cues.DANGER.search(plain) and not orders(plain))):
            return Assessment(COMMAND, "command", scores=scores)
        car = bool(lexicon.CAR_WORDS.search(s.plain))
        relevance = retrieval_score if retrieval_score is not None else 1.0
        scores["retrieval"] = relevance
        if not car and ((top == OFF_TOPIC and probs[top] >= 0.5 and relevance < self.t.off_topic_retrieval) or
                        relevance < self.t.unrelated_retrieval):
            return Assessment(OFF_TOPIC, "off_topic", "off_topic", ["not about the car or its manual"], scores)
        # A second look at a message the vote sent to the manual: an order, a wish or a polite request in
        # its form is a command (guardrails/command_form.py); only allowed turns get here. Not when the
        # likeliest intent is off-topic ("give me a recipe for lasagne" is an order, not to the car).
        form = request_form(plain) if top != OFF_TOPIC else ""
        if form and (form != THING_SETTING or probs.get(COMMAND, 0) >= self.t.thing_setting_command):
            return Assessment(COMMAND, "command", reasons=[f"request form: {form}"], scores=scores)
        if tamper.legitimate or top == PROCEDURE:
            return Assessment(PROCEDURE, "answer", legitimate=tamper.legitimate or "safety procedure in the manual",
                              reasons=tamper_reasons, scores=scores)
        return Assessment(MANUAL, "answer", scores=scores)

    def _cleared(self, learned_p: float | None, margin: float, obfuscated: bool = False) -> bool:
        """A rule hit just over its threshold that the learned head is sure is harmless. Not for
        leetspeak, spacing or encodings: the head reads those poorly, the rules read the decoded text."""
        return learned_p is not None and learned_p < self.t.learned_clear and margin < self.t.clear_margin \
            and not obfuscated

    def _second_opinion(self, s, p: float, jb: float, manual: float | None) -> bool:
        """The head refuses alone and unsure: lift it when the goal model's structures find nothing
        unsafe and the manual holds the topic (guardrails/second_opinion.py). Not for other languages,
        obfuscated text or any jailbreak evidence of the rules."""
        if p >= self.t.second_opinion_below or manual is None or jb > 0 or s.obfuscated or s.encoded:
            return False
        if not cues.english(s.plain) or not documented(manual, self.t.documented_cosine):
            return False
        return not unsafe_structure(s.plain)

    def _learned(self, s, p: float, family: str, tamper, goal, harm_reasons: list[str],
                 refuse_at: float, jb: float = 0.0, manual: float | None = None) -> Assessment | None:
        scores = {"learned": p}
        if p < refuse_at:
            return None
        veto = tamper.legitimate or goal.legitimate
        if veto == _SWITCHABLE and not goal.legitimate and p >= self.t.learned_sure:
            veto = ""  # "a setting the manual documents" is no reason; a sure head outweighs it
        if not veto and cues.RESPONDERS.search(s.plain):
            veto = "emergency responders"
        if not veto and cues.OWN_CAR_STOLEN.search(s.plain):
            veto = "locating the user's own stolen car"
        if not veto and family == "tampering" and false_trigger(s.plain):
            veto = "a protection reacted to something harmless"  # "cancel AEB when it brakes for a plastic bag"
        if not veto and family == "privacy" and consents(s.plain):
            veto = "the person asked or agreed"  # "she asked for it": sharing, not watching
        if not veto and cues.OWN_PRIVACY.search(s.plain):
            veto = "the user's own privacy"
        if not veto and family == "impaired_or_distracted" and asks_safe_way(s.plain):
            veto = "asks for the safe way"
        if not veto and family == "self_harm" and not any(cues.SELF_HARM_CUE.search(re.sub(r"\W+", "", v)) for v in s.variants):
            veto = "no word of dying, ending or hurting oneself"  # "I want to get home, would you" (P 0.98)
        if not veto and family == "violence" and not any(cues.VIOLENCE_CUE.search(t) or cues.SELF_HARM_CUE.search(t)
                                                         for t in (re.sub(r"\W+", "", v) for v in s.variants)):
            veto = "no word of harm, damage or its means"
        if not veto and family == "violence" and cues.PROTECTIVE.search(s.plain) and goal.score < GOAL_REFUSE:
            veto = "asks how to prevent harm"
        if not veto and family == "impaired_or_distracted" and cues.PASSENGER_DOES.search(s.plain) and \
                not cues.DRIVER_SEES.search(s.plain):
            veto = "someone other than the driver uses the screen"
        if not veto and p < self.t.learned_sure and family != "jailbreak" and \
                cues.ASKS_ADVICE.match(s.plain):
            veto = "asks how it works, what it means or what to do"  # not for a means; a sure head still refuses
        if not veto and cues.ASKS_WHY.match(s.plain):
            veto = "asks why a restriction exists"
        if not veto and "asks why a restriction exists" in harm_reasons:
            veto = "asks why a restriction exists"
        if not veto and family not in ("jailbreak", "self_harm") and goal.score < GOAL_REFUSE and cues.VICTIM.search(s.plain) \
                and cues.VICTIM_WANTS.search(s.plain) and not cues.VICTIM_HARM.search(s.plain):
            veto = "the user is the victim and wants to see or prevent it"  # round twelve
        if not veto and family == "jailbreak" and p < self.t.learned_sure and jb <= 0 and goal.score <= 0 and cues.english(s.plain) \
                and not s.obfuscated and not s.encoded and not cues.ADDRESSES_ASSISTANT.search(s.plain) \
                and not unsafe_structure(cues.CHARACTER_DOES.sub(" ", cues.FICTION_WORDS.sub(" ", s.plain))):
            veto = "no rule sees a jailbreak and the request holds nothing unsafe"  # round twelve
        if not veto and family == "impaired_or_distracted" and goal.score <= 0 and cues.RESTRICTS_SCREEN.search(s.plain):
            veto = "restricts a distraction"  # round twelve
        if not veto and self._second_opinion(s, p, jb, manual):
            veto = "second opinion: no unsafe structure and the manual covers the topic"
        if veto:
            return None
        reasons = [f"learned safety head: P(unsafe)={p:.2f}, likeliest {family}"]
        if family in _LEARNED_DECISION:
            intent, decision = _LEARNED_DECISION[family]
            category = "jailbreak" if family == "jailbreak" else tamper.system or goal.system or "safety system"
            return Assessment(intent, decision, category, reasons, scores)
        intent = next((label for label, f in HARM_INTENTS.items() if f == family), "ask illegal")
        return Assessment(intent, "refuse_harm", family, reasons, scores)

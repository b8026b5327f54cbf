"""Filler web pages: clean English prose that a quality filter should KEEP.

A page is a pure function of a ``random.Random``. Variety comes from a slot
grammar (filler_templates.py x filler_lexicon.py, 12 topics x 5 genres).
Within one page every template and slot value is drawn *without replacement*
(a shuffled deck per pool) so the page never repeats itself: repetition
filters (Gopher duplicate n-grams / lines) must not fire on filler.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from . import filler_templates as T
from .filler_lexicon import TOPICS, Topic

GENRES = ("blog", "forum", "news", "review", "howto")
_SMALL = ("two", "three", "four", "five", "six", "seven", "eight", "nine")
_SLOT_RE = re.compile(r"\{(\w+)\}")
# "a" before a vowel sound; a few vowel-letter words start with a consonant sound.
_ARTICLE_RE = re.compile(r"\b([Aa]) (?!(?:uni|use|one|eu|ur)\w*)([aeiouAEIOU]\w*)")
_AN_RE = re.compile(r"\b([Aa])n ([b-df-gj-np-tv-z]\w*)")


def _fix_articles(text: str) -> str:
    text = _AN_RE.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
    return _ARTICLE_RE.sub(lambda m: f"{m.group(1)}n {m.group(2)}", text)


def _trie_pattern(words: list[str]) -> str:
    """Regex for a set of literals as a character trie: a flat alternation of
    ~300 phrases is several times slower in Python's re. Longer matches are
    tried first, so the longest phrase wins."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) <= 2 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return emit(trie)


def _synonym_re() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    groups = {m.lower(): g for g in T.SYNONYMS for m in g}
    return re.compile(r"(?<!\w)(" + _trie_pattern(list(groups)) + r")(?!\w)", re.IGNORECASE), groups


_SYN_RE, _SYN_GROUPS = _synonym_re()
_HANDLE_A = ("green", "rusty", "quiet", "north", "little", "happy", "old", "busy", "lazy", "urban", "coastal", "slow")
_HANDLE_B = ("fox", "driver", "cook", "rider", "walker", "gardener", "pilot", "owl", "badger", "tinkerer", "otter", "hiker")


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    kind: str  # genre, or the junk / language variant for non-filler pages
    language: str = "en"
    topic: str = ""


class SlotFiller:
    """Fills ``{slot}`` templates for one page; pools are drawn as decks."""

    def __init__(self, rng: random.Random, topic: Topic) -> None:
        self.rng = rng
        self.topic = topic
        self._decks: dict[str, list[str]] = {}
        self._pinned: dict[str, str] = {}

    def pin(self, name: str, value: str) -> None:
        """Make every later {name} on this page draw value (e.g. one product per review)."""
        self._pinned[name] = value

    def _pool(self, name: str) -> tuple[str, ...] | None:
        if name in T.GENERAL:
            return T.GENERAL[name]
        if name == "rival":  # a competing brand in reviews; own deck so it differs from {brand}
            return T.GENERAL["brand"]
        plural = {"thing": "things", "activity": "activities", "problem": "problems", "tip": "tips",
                  "place": "places", "adj": "adjs", "subject": "subjects", "product": "products"}.get(name)
        return getattr(self.topic, plural) if plural else None

    def _computed(self, name: str) -> str:
        r = self.rng
        if name == "num":
            return str(r.randint(3, 90))
        if name == "small":
            return r.choice(_SMALL)
        if name == "price":
            return f"{r.choice(('about', 'just under', 'a little over', 'roughly'))} {r.randint(3, 80) * 5} " \
                   f"{r.choice(('euros', 'pounds'))}"
        if name == "big_amount":
            return f"{r.randint(3, 60) / 2:g} million euros"
        if name == "year":  # news: plans and reviews lie ahead
            return str(r.randint(2026, 2031))
        if name == "past_year":
            return str(r.randint(2012, 2022))
        if name == "day":
            return str(r.randint(1, 28))
        if name == "user":
            return f"{r.choice(_HANDLE_A)}_{r.choice(_HANDLE_B)}{r.randint(2, 990)}"
        raise KeyError(f"unknown template slot {{{name}}}")

    def draw(self, name: str) -> str:
        if name in self._pinned:
            return self._pinned[name]
        deck = self._decks.get(name)
        if not deck:
            pool = self._pool(name)
            if pool is None:
                return self._computed(name)
            deck = list(pool)
            self.rng.shuffle(deck)
            self._decks[name] = deck
        value = deck.pop()
        if name == "rival" and value == self._pinned.get("brand"):
            return self.draw(name)
        return value

    def template(self, pool_name: str, pool: tuple[str, ...]) -> str:
        """Next unused template of a pool (decks are keyed by the pool name)."""
        deck = self._decks.get("tpl:" + pool_name)
        if not deck:
            deck = list(pool)
            self.rng.shuffle(deck)
            self._decks["tpl:" + pool_name] = deck
        return deck.pop()

    def fill(self, template: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            value = self.draw(name.lower())
            return value[:1].upper() + value[1:] if name[:1].isupper() else value

        text = _fix_articles(_SYN_RE.sub(self._synonym, _SLOT_RE.sub(sub, template)))
        return text[:1].upper() + text[1:]

    def _synonym(self, m: re.Match[str]) -> str:
        word = m.group(1)
        new = self.rng.choice(_SYN_GROUPS[word.lower()])
        if word[:1].isupper():
            return new[:1].upper() + new[1:]
        return new if new.startswith("I ") else new[:1].lower() + new[1:]

    def header(self, name: str) -> str:
        return self.rng.choice(T.HEADERS[name])

    def say(self, pool_name: str) -> str:
        return self.fill(self.template(pool_name, getattr(T, pool_name)))

    def says(self, pool_name: str, n: int) -> list[str]:
        return [self.say(pool_name) for _ in range(n)]


def _para(sentences: list[str]) -> str:
    return " ".join(sentences)


def _blog(s: SlotFiller, r: random.Random) -> tuple[str, list[str]]:
    paras = [_para([s.say("BLOG_OPENERS")] + s.says("BODY", r.randint(1, 2)))]
    for _ in range(r.randint(2, 5)):
        sents = s.says("BODY", r.randint(2, 4))
        if r.random() < 0.5:
            sents.insert(r.randint(0, len(sents)), s.say("ADVICE"))
        paras.append(_para(sents))
    paras.append(_para(s.says("ADVICE", r.randint(0, 1)) + [s.say("CLOSERS")]))
    return s.say("BLOG_TITLES"), paras


def _forum(s: SlotFiller, r: random.Random) -> tuple[str, list[str]]:
    title = s.say("FORUM_TITLES")
    op = s.draw("user")
    paras = [f"{s.header('posted')} {op} in the {s.topic.name} forum", _para(s.says("FORUM_ASK", r.randint(3, 5)))]
    for _ in range(r.randint(3, 7)):
        paras.append(f"{s.header('reply')} {s.draw('user')}:\n" + _para(s.says("FORUM_REPLY", r.randint(1, 3))))
    if r.random() < 0.5:
        paras.append(f"{s.header('reply')} {op}:\n" + _para(s.says("FORUM_REPLY", 1) + ["Thanks, everyone."]))
    return title, paras


def _news(s: SlotFiller, r: random.Random) -> tuple[str, list[str]]:
    dateline = f"{s.draw('city').upper()}, {s.draw('day')} {s.draw('month')} {r.randint(2020, 2025)} - "
    paras = [dateline + _para(s.says("NEWS", 2))]
    for _ in range(r.randint(2, 4)):
        sents = s.says("NEWS", 1)
        sents.insert(r.randint(0, len(sents)), s.say("QUOTES"))
        if r.random() < 0.4:
            sents.append(s.say("NEWS"))
        paras.append(_para(sents))
    return s.say("NEWS_TITLES"), paras


def _review(s: SlotFiller, r: random.Random) -> tuple[str, list[str]]:
    # One brand/product for the whole review, so the text stays coherent.
    s.pin("brand", s.draw("brand"))
    s.pin("product", s.draw("product"))
    paras = [_para(s.says("REVIEW_INTRO", 2) + s.says("BODY", r.randint(1, 2)))]
    paras.append(s.header("pros") + "\n" + "\n".join("- " + s.say("REVIEW_PROS") for _ in range(r.randint(2, 4))))
    paras.append(s.header("cons") + "\n" + "\n".join("- " + s.say("REVIEW_CONS") for _ in range(r.randint(1, 3))))
    paras.append(_para(s.says("BODY", r.randint(2, 4))))
    paras.append(_para([s.say("VERDICTS"), f"Score: {r.randint(5, 9)} out of 10."]))
    return s.say("REVIEW_TITLES"), paras


def _howto(s: SlotFiller, r: random.Random) -> tuple[str, list[str]]:
    title = s.say("HOWTO_TITLES")
    paras = [_para(s.says("HOWTO_INTRO", 2) + s.says("BODY", 1))]
    need = [f"- a {s.draw('product')}" for _ in range(r.randint(1, 2))] + [f"- {s.draw('thing')}"]
    paras.append(s.header("need") + "\n" + "\n".join(_fix_articles(x) for x in need))
    steps = [f"{i}. {s.say('STEPS')}" for i in range(1, r.randint(4, 6) + 1)]
    paras.append("\n".join(steps))
    paras.append(_para(s.says("BODY", r.randint(2, 3))))
    paras.append(_para(s.says("ADVICE", 2) + [s.say("CLOSERS")]))
    return title, paras


_BUILDERS = {"blog": _blog, "forum": _forum, "news": _news, "review": _review, "howto": _howto}


def make_filler(rng: random.Random, genre: str | None = None, foreign_words: bool = False) -> Page:
    """One clean English web page (blog post, forum thread, news, review or how-to).

    ``foreign_words`` sprinkles two or three foreign loan phrases into the
    page; it must still be identified as English and kept.
    """
    genre = genre or rng.choice(GENRES)
    topic = rng.choice(TOPICS)
    slots = SlotFiller(rng, topic)
    title, paras = _BUILDERS[genre](slots, rng)
    if foreign_words:
        for _ in range(rng.randint(2, 3)):
            i = rng.randrange(len(paras))
            paras[i] = paras[i] + " " + slots.say("FOREIGN_WORDS")
    if rng.random() < 0.5:
        paras.insert(0, title)
    return Page(title=title, text="\n\n".join(paras) + "\n", kind="foreign_words" if foreign_words else genre,
                topic=topic.name)

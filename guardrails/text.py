"""Text normalisation shared by the rails: one message becomes the few spellings an attack may hide in.

Attacks hide words from lexical rules with look-alike letters (Cyrillic "а"), zero-width characters,
leetspeak ("d1s4ble"), letter spacing ("i g n o r e") or an encoded payload (base64). ``variants``
returns the plain lower-case text plus each de-obfuscated spelling that differs from it, so every
rule runs on all of them; ``obfuscated`` says whether a de-obfuscated spelling revealed anything.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rag.structure import NOT_ABBREVIATION, NOT_BEFORE_NUMBER

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff"), None)
# Cyrillic and Greek letters that render like Latin ones (the common homoglyph substitutions).
_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ɡ": "g", "һ": "h", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "ο": "o", "α": "a",
    "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"\b(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[0-9@$])[a-z0-9@$]{2,}\b")
# In a text that holds leetspeak words, a lone 1 or 0 is "i" or "o" too ("h0w d0 1 d1s4bl3").
_LEET_LONE = re.compile(r"(?<![\w.,:/-])[10](?![\w.,:/%-])")
_SPACED = re.compile(r"\b(?:[a-z][ .\-_*]{1,3}){3,}[a-z]\b")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])")
_SPACES = re.compile(r"\s+")
# Numbers said as words (speech recognisers and typists write "twenty one"): the command fallback reads their values,
# the self-repairs (repairs.py) which words are part of a number.
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# The question words of every reading of a message (speech, joined questions, safety cues, routing); each
# reading adds the verbs that open a question in its own sense ("can", "is", "am i", "tell me").
QUESTION_WORDS = r"how|what|what's|whats|where|where's|wheres|why|which|when|who|whose"


def normalize(text: str, collapse: bool = True) -> str:
    """NFKC (full-width letters), no zero-width characters, homoglyphs mapped, lower case, one space."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).lower().translate(_CONFUSABLES)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text).strip() if collapse else text.strip()


def deleet(text: str) -> str:
    """"d1s4ble th3 41rb4g" -> "disable the airbag" (only words that mix letters with digits/symbols)."""
    out, n = _LEET_WORD.subn(lambda m: m.group(0).translate(_LEET), text)
    if n >= 2:  # several leet words: the text is written in leetspeak, not one model name ("ev7")
        out = _LEET_LONE.sub(lambda m: m.group(0).translate(_LEET), out)
    return out


def despace(text: str) -> str:
    """"i g n o r e  a l l" -> "ignore all": runs of single letters joined (words split on wide gaps)."""
    def join(match: re.Match) -> str:
        chunk = match.group(0)
        words = re.split(r"[ .\-_*]{2,}", chunk)
        return " ".join(re.sub(r"[ .\-_*]", "", w) for w in words)

    return _SPACED.sub(join, text)


def decoded_payloads(text: str) -> list[str]:
    """Printable text hidden in base64 runs of the original message."""
    found = []
    for token in _BASE64.findall(text):
        padded = token + "=" * (-len(token) % 4)
        try:
            raw = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError):
            continue
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch.isspace() for ch in decoded)
        if decoded and printable / len(decoded) > 0.95 and re.search(r"[a-zA-Z]{3,}", decoded):
            found.append(decoded)
    return found


@dataclass(frozen=True)
class Spellings:
    plain: str  # normalised text
    variants: tuple[str, ...]  # plain first, then the de-obfuscated spellings that differ from it
    obfuscated: bool  # leetspeak, letter spacing or an encoded payload changed the text (2+ words)
    encoded: bool  # a base64 payload decoded to text


def spellings(text: str) -> Spellings:
    plain = normalize(text)
    variants = [plain]
    spaced = normalize(text, collapse=False)  # letter spacing needs the wide gaps between words
    for candidate in (deleet(plain), _SPACES.sub(" ", despace(spaced)), _SPACES.sub(" ", despace(deleet(spaced)))):
        if candidate not in variants:
            variants.append(candidate)
    payloads = [normalize(p) for p in decoded_payloads(text)]
    variants.extend(p for p in payloads if p not in variants)
    words = plain.split()
    # One changed word is a model name ("ev7" -> "evt"), not an obfuscated message.
    changed = any(len(v.split()) != len(words) or sum(a != b for a, b in zip(v.split(), words)) >= 2
                  for v in variants[1:])
    return Spellings(plain, tuple(variants), obfuscated=changed or bool(payloads), encoded=bool(payloads))


_SENTENCE = re.compile(rf"(?<=[.!?]){NOT_ABBREVIATION}\s+(?=[A-Z\"'(\[])"
                       rf"|(?<=[.!?]){NOT_ABBREVIATION}{NOT_BEFORE_NUMBER}\s+(?=[0-9])|\n+")


def sentences(text: str) -> list[str]:
    """Sentences (and lines: manual tables and lists break on newlines) of a passage."""
    parts = [p.strip(" \t-*|") for p in _SENTENCE.split(text)]
    return [p for p in parts if len(p) > 1]


_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with by from as is are was were be been being it its this that these "
    "those there here i me my we our you your he she they them his her their what which who whom whose when where "
    "why how do does did doing done can could should would will shall may might must have has had having not no nor "
    "so if then than too very just also only any all some each both more most other such own same into onto over "
    "under again further once about above below up down out off between through during before after while because "
    "until am get got getting let lets please tell know want need like way thing things one s t don't im i'm ive "
    "it's dont cant doesnt isnt whats isn don won didn doesn aren wasn weren couldn shouldn wouldn hasn haven hadn "
    "ll ve re myself yourself ourselves themselves himself herself anything something everything nothing anywhere "
    "somewhere everywhere anyone someone everyone came come comes coming went gone put puts give gives given keep "
    "keeps kept seem seems bit bits big little lot lots stuff kind sort info mate guys guy thanks hi hey yes yeah "
    "ok okay like really actually maybe probably already even ever never always sometimes still though although "
    "whether either neither per via etc eg ie now today tomorrow yesterday said says say tell told ask asked".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper (charging/charged/charges -> charg) for overlap counts, not linguistics."""
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def chunks(text: str, words: int = 3) -> list[str]:
    """Text in pieces of a few words that concatenate back to exactly the text (for streaming)."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    return ["".join(pieces[i:i + words]) for i in range(0, len(pieces), words)] or [""]

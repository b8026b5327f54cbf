"""Synthetic PII values and their insertion into good pages with exact spans.

Types: email, phone, vin, ipv4, ipv6, credit_card. Every value is generated
to be *valid* for a careful detector (VIN check digit per ISO 3779 / North
American scheme, Luhn for cards) and is fictitious (example domains, random
digits). Spans are Python string offsets into the record's "text".
"""
from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass

__all__ = ["PII_TYPES", "PiiSpan", "insert_pii", "luhn_valid", "make_pii", "vin_check_digit"]

PII_TYPES = ("email", "phone", "vin", "ipv4", "ipv6", "credit_card")

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
               **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_YEARS = "LMNPRSTVWXY123456789"  # model-year codes (never I O Q U Z 0)
_WMIS = ("WKE", "VF1", "ZFA", "SAL", "YV1", "WVW", "TMB", "VSS", "JHM", "KMH", "5YJ", "1FA")


@dataclass(frozen=True)
class PiiSpan:
    type: str
    value: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return asdict(self)


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin.upper(), _VIN_WEIGHTS))
    r = total % 11
    return "X" if r == 10 else str(r)


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 12:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        if luhn_valid(body + d):
            return body + d
    raise AssertionError("unreachable: one check digit always works")


def _vin(rng: random.Random) -> str:
    chars = list(rng.choice(_WMIS) + "".join(rng.choice(_VIN_CHARS) for _ in range(14)))
    chars[9] = rng.choice(_VIN_YEARS)
    chars[8] = "0"
    chars[8] = vin_check_digit("".join(chars))
    return "".join(chars)


def _card(rng: random.Random) -> str:
    kind = rng.choice(("visa", "visa", "mc", "amex"))
    if kind == "amex":
        n = _luhn_complete(rng.choice(("34", "37")), 15, rng)
        groups = (n[:4], n[4:10], n[10:])
    else:
        n = _luhn_complete("4" if kind == "visa" else str(rng.randint(51, 55)), 16, rng)
        groups = (n[:4], n[4:8], n[8:12], n[12:])
    return rng.choice((" ", "-", "")).join(groups)


_FIRST = ("anna", "ben", "chloe", "dan", "emma", "farid", "grace", "hugo", "isla", "jonas", "katie", "leo",
          "maya", "nils", "priya", "rosa", "sam", "tomasz", "vera", "yusuf")
_LAST = ("hughes", "novak", "brennan", "okafor", "lindqvist", "moretti", "patel", "schneider", "walsh",
         "duarte", "kowalski", "jansen", "fischer", "murphy")
_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "post.example.de",
            "inbox.example.co.uk", "werkstatt.example", "garage-north.example")


def _email(rng: random.Random) -> str:
    f, l = rng.choice(_FIRST), rng.choice(_LAST)
    local = rng.choice((f"{f}.{l}", f"{f}{l[0]}", f"{f[0]}{l}{rng.randint(1, 99)}", f"{f}_{l}", f"{l}.{f}"))
    return f"{local}@{rng.choice(_DOMAINS)}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def _phone(rng: random.Random) -> str:
    d = lambda n: _digits(rng, n)
    return rng.choice((
        f"+49 30 {d(7)}", f"+49 171 {d(7)}", f"+44 20 {d(4)} {d(4)}", f"+44 7700 {d(6)}", f"0044 7700 {d(6)}",
        f"+1-202-555-{d(4)}", f"(312) 555-{d(4)}", f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
        f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}", f"+31 6 {d(8)}", f"+46 70 {d(3)} {d(2)} {d(2)}",
        f"+39 02 {d(4)} {d(4)}", f"+34 612 {d(3)} {d(3)}", f"030/{d(8)}", f"+48 512 {d(3)} {d(3)}",
    ))


def _ipv4(rng: random.Random) -> str:
    return ".".join(str(x) for x in (rng.choice((10, 81, 92, 172, 185, 192, 203)), rng.randint(0, 255),
                                     rng.randint(0, 255), rng.randint(1, 254)))


def _ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0], groups[1] = "2001", "db8"
    if rng.random() < 0.5:  # compressed form with "::"
        return ":".join(groups[:3]) + "::" + ":".join(groups[6:])
    return ":".join(groups)


_MAKERS = {"email": _email, "phone": _phone, "vin": _vin, "ipv4": _ipv4, "ipv6": _ipv6, "credit_card": _card}

# Sentences carrying the value; "{v}" is where it goes. The value is always
# followed by a space or by punctuation that cannot be part of it.
_SENTENCES = {
    "email": ("Drop me a line at {v} if you want the spreadsheet.", "You can reach the organiser at {v} for details.",
              "Send your photos to {v} and I will add them to the album.", "My address is {v} if anyone wants to swap notes."),
    "phone": ("Call me on {v} after six if you have questions.", "The workshop number is {v}, ask for the service desk.",
              "Text {v} and we can arrange a viewing.", "For bookings ring {v} between nine and five."),
    "vin": ("The VIN on the logbook is {v}, in case anyone can check the recall status.",
            "For reference, the chassis number is {v} according to the dealer.",
            "Our car, VIN {v}, went in for the same fix."),
    "ipv4": ("The server at {v} kept timing out all evening.", "My router log showed {v} trying to connect at night.",
             "Point the printer at {v} and it should appear."),
    "ipv6": ("The modem only got the address {v} and nothing else.",
             "Traffic from {v} filled the log within an hour."),
    "credit_card": ("I paid with the card {v} and was charged twice.",
                    "The booking was made on card number {v} according to the receipt.",
                    "Please do not charge {v} again, it was cancelled."),
}


def make_pii(kind: str, rng: random.Random) -> str:
    return _MAKERS[kind](rng)


def insert_pii(text: str, rng: random.Random, n_items: int) -> tuple[str, list[PiiSpan]]:
    """Insert n_items PII-bearing sentences after random sentence ends of text.

    Returns the new text and the spans (in text order), each satisfying
    ``new_text[start:end] == value``.
    """
    # Candidate insertion points: just after ". " sentence ends and paragraph ends.
    points = [m.end() for m in re.finditer(r"[.!?](?= [A-Z])|[.!?](?=\n)", text)] or [len(text.rstrip("\n"))]
    chosen = sorted(rng.choice(points) for _ in range(n_items))
    # Distinct carrier sentences, so a page never repeats one (repetition filters must not fire).
    carriers = rng.sample([(k, s) for k in PII_TYPES for s in _SENTENCES[k]], n_items)
    out: list[str] = []
    spans: list[PiiSpan] = []
    pos = 0
    length = 0
    for point, (kind, sentence) in zip(chosen, carriers):
        out.append(text[pos:point])
        length += point - pos
        pos = point
        value = make_pii(kind, rng)
        before, after = sentence.split("{v}")
        prefix = " " + before
        spans.append(PiiSpan(kind, value, length + len(prefix), length + len(prefix) + len(value)))
        piece = prefix + value + after
        out.append(piece)
        length += len(piece)
    out.append(text[pos:])
    return "".join(out), spans

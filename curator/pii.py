"""PII redaction with regexes and checksums: typed placeholders, counts per type.

Offline by design (Presidio needs spaCy models that are not on PyPI). Detectors run in priority
order on each text, so a credit card is not also counted as a phone number, and a placeholder
never matches a later detector. Arrow's RE2 kernels first select the documents that can contain
each type; Python's ``re`` (look-arounds, checksum callbacks) then rewrites only those.

Validation beyond the pattern: Luhn for card numbers, ``ipaddress`` for IPv6, the ISO 3779 check
digit for VINs (optional: European VINs need not carry one), digit counts and date shapes for
phone numbers.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curator.config import PII_TYPES, PiiConfig

_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))),
               **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Issuer prefixes and lengths of the card brands in use (ISO/IEC 7812): Visa, Mastercard, Amex,
# Discover, JCB, Diners, UnionPay, Maestro. A random Luhn-valid digit run (a float's mantissa, a
# timestamp in ns, a seed) matches one of these about 1 time in 20.
_CARD_BRANDS = re.compile(
    r"4\d{12}(?:\d{3}){0,2}|5[1-5]\d{14}|2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12}|3[47]\d{13}"
    r"|6(?:011|5\d\d|4[4-9]\d)\d{12,15}|35(?:2[89]|[3-8]\d)\d{12,15}|3(?:0[0-5]|[68]\d)\d{11}|62\d{14,17}"
    r"|(?:50|5[6-9]|6\d)\d{10,17}")


def card_number_valid(number: str) -> bool:
    digits = "".join(c for c in number if c.isdigit())
    return bool(_CARD_BRANDS.fullmatch(digits)) and luhn_valid(digits)


def vin_check_digit_valid(vin: str) -> bool:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS))
    return vin[8] == ("X" if total % 11 == 10 else str(total % 11))


def _is_ipv6(text: str) -> bool:
    """A valid IPv6 address with two or more groups, one of at least three digits: "Bad::",
    "CBC::" (reST literal markers), "a[::2]" (slices) and "2:4:6:8" are valid syntax but no host."""
    groups = [g for g in text.split(":") if g]
    if len(groups) < 2 or max(len(g) for g in groups) < 3:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


# Words that announce a phone number shortly before it. "number" alone does not: order, serial,
# part and invoice numbers are not phones.
_PHONE_CONTEXT = re.compile(
    r"(?:\b(?:call(?:ed|ing)?|ring|text|phone|telephone|tel|mobile|cell|fax|hotline|helpline|dial|whatsapp|"
    r"sms|contact|reach|t[ée]l[ée]fono?|telefon|tél)\b|(?:phone|contact|mobile|workshop|office|service|desk|"
    r"emergency|support)\s+(?:number|no\.?)|\bnumber\s+(?:to\s+call|is)\b)"
    # then at most four short words ("us on", "me back on", "the service team at") and punctuation
    r"(?:[\s:,(-]+[A-Za-z.']{1,8}){0,4}[\s:,(-]*$", re.IGNORECASE)
# 1-3 digits then groups of exactly three: a quantity written with thousands separators ("15 000 000")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[ .,]\d{3})+")
_NOT_PHONE_CONTEXT = re.compile(
    r"\b(?:order|serial|part|invoice|account|version|model|item|case|ticket|reference|tracking|isbn|issn|id|zip|"
    r"postcode|ports?)\b(?:\s*(?:number|no\.?|is|:|#)){0,3}\s*$", re.IGNORECASE)
_VERSION_CONTEXT = re.compile(
    r"(?:\b(?:version|release|firmware|build|v|section|sect\.|rfc|ieee|chapter)\s*|[A-Za-z]-|§\s*)$",
    re.IGNORECASE)
_ADDRESS_CONTEXT = re.compile(
    r"(?<![A-Za-z])(?:ip|ip4|ipv4|address|addr|host|hostname|servers?|gateway|dns|router|ping|connects?|connected|"
    r"inet|subnet|route|ssh|nameservers?|proxy|client|peer|listen|listening|bind)(?![A-Za-z])[^\n.;]{0,20}$"
    r"|[@\[]$|://$", re.IGNORECASE)
_PAREN_YEAR = re.compile(r"\((?:19|20)\d\d\)")


def _international(text: str) -> bool:
    """"+" or "00", a country code (not starting with 0), then a national number that does not start
    with 0 (the trunk prefix is dropped abroad; "(0)" may show it): "00 25 00 27" is a hex dump."""
    body = text[1:] if text.startswith("+") else text[2:]
    if not body[:1].strip(" .-") and len(body) > 1:
        body = body.lstrip(" .-")
    if not body[:1].isdigit() or body[0] == "0":
        return False
    groups = re.split(r"[ ./-]+", body)
    return len(groups) < 2 or not groups[1].lstrip("(").startswith("0") or groups[1].startswith("(0)")


def _is_phone(m: re.Match) -> bool:
    """7-15 digits, not a date, a bit pattern or a quantity, announced as a phone: an international
    prefix (+, 00) and country code, the (area) code form, or a phone word just before it."""
    text = m.group(0)
    digits = [c for c in text if c.isdigit()]
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(text) or set(digits) <= {"0", "1"}:
        return False
    before = m.string[max(0, m.start() - 40):m.start()]
    if _NOT_PHONE_CONTEXT.search(before):
        return False
    if text.startswith(("+", "00")):
        return len(digits) >= 8 and _international(text)
    if _THOUSANDS.fullmatch(text):
        return False
    if re.fullmatch(r"\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}", text) and not _PAREN_YEAR.match(text):
        return True
    return bool(_PHONE_CONTEXT.search(before))


def _is_ipv4(m: re.Match) -> bool:
    """An address, not a mask (a netmask: ones then zeros; a wildcard mask: zeros then ones), not in
    0.0.0.0/8 (no host has one), not a version or section number. Four small numbers (all < 32:
    "5.3.6.12", "1.6.4.3") are far more often sections and versions than addresses in text, so
    they count as an address only after an address word ("ip", "host", "connects to", "@", "://")."""
    octets = m.group(0).split(".")
    bits = "".join(f"{int(o):08b}" for o in octets)
    if "01" not in bits or "10" not in bits or octets[0] == "0":
        return False
    before = m.string[max(0, m.start() - 30):m.start()]
    if _VERSION_CONTEXT.search(before[-12:]):
        return False
    return max(int(o) for o in octets) >= 32 or bool(_ADDRESS_CONTEXT.search(before))


def _is_vin(text: str, require_check_digit: bool) -> bool:
    """Letters and digits, and a valid check digit, or (when it is not required, as outside North
    America) a numeric serial in the last four positions (ISO 3779): a random 17-character id
    passes the check digit 1 time in 11 and the numeric serial rarely."""
    if not any(c.isdigit() for c in text) or sum(c.isalpha() for c in text) < 2:
        return False  # a manufacturer code and model descriptor carry letters; "S0218127407018403" is a DOI's item id
    return vin_check_digit_valid(text) or (not require_check_digit and text[-4:].isdigit())


@dataclass(frozen=True)
class Detector:
    type: str
    prefilter: str  # RE2 pattern selecting documents worth the Python pass
    pattern: re.Pattern
    valid: Callable[[re.Match], bool] | None = None  # sees the match in its text (context)


def detectors(cfg: PiiConfig) -> list[Detector]:
    vin_check = cfg.vin_require_check_digit
    table = {
        "email": Detector("email", r"@", re.compile(
            r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
        "url": Detector("url", r"://|www\.", re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]*[^\s<>\"'().,;:!?]")),
        "credit_card": Detector("credit_card", r"\d[ -]?\d{3}[ -]?\d{3}", re.compile(
            # a token of its own: not part of a decimal number, an identifier or a longer run
            r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w]|[.,]\d)"), lambda m: card_number_valid(m.group(0))),
        "ipv6": Detector("ipv6", r"[0-9A-Fa-f]:[0-9A-Fa-f]*:", re.compile(
            r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{3,39}(?![\w:])"), lambda m: _is_ipv6(m.group(0))),
        "ipv4": Detector("ipv4", r"\d\.\d+\.\d+\.\d", re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"),
            _is_ipv4),
        "vin": Detector("vin", r"[A-HJ-NPR-Z0-9]{17}", re.compile(r"(?<![A-Za-z0-9/])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])"),
                        lambda m: _is_vin(m.group(0), vin_check)),
        "phone": Detector("phone", r"\d[\d ()./-]{5,}\d", re.compile(
            r"(?<![\w+/.-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,5}(?:[ ./-]\d{2,8}){0,5}(?![\w/-]|\.\d)"),
            _is_phone),
    }
    unknown = sorted(set(cfg.types) - set(table))
    if unknown:
        raise ValueError(f"curate.pii.types has unknown types {unknown}; valid: {', '.join(PII_TYPES)}")
    return [table[t] for t in PII_TYPES if t in cfg.types]


def allowed_form(value: str) -> str:
    """The form ``curate.pii.allow`` compares: no separators, lower case, "00" as "+"."""
    canon = re.sub(r"[\s().\-/]", "", value).lower()
    return "+" + canon[2:] if canon.startswith("00") else canon


def _redact_one(text: str, active: list[Detector], placeholder: str, counts: dict[str, int],
                allowed: frozenset[str] = frozenset()) -> str:
    for det in active:
        tag = placeholder.format(type=det.type.upper())

        def swap(m: re.Match, det: Detector = det, tag: str = tag) -> str:
            if det.valid is not None and not det.valid(m):
                return m.group(0)
            if allowed and allowed_form(m.group(0)) in allowed:
                return m.group(0)
            counts[det.type] += 1
            return tag

        text = det.pattern.sub(swap, text)
    return text


def redact(texts: pa.Array, cfg: PiiConfig) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """Texts with PII replaced by placeholders, and the number of spans per type per document."""
    dets = detectors(cfg)
    counts = {d.type: np.zeros(len(texts), dtype=np.int32) for d in dets}
    if not cfg.enabled or not dets or not len(texts):
        return texts, counts
    masks = np.stack([pc.match_substring_regex(texts, d.prefilter).to_numpy(zero_copy_only=False) for d in dets])
    candidates = np.flatnonzero(masks.any(axis=0))
    if not len(candidates):
        return texts, counts
    subset = texts.take(pa.array(candidates)).to_pylist()
    allowed = frozenset(allowed_form(v) for v in cfg.allow)
    rewritten = []
    for k, (row, text) in enumerate(zip(candidates, subset)):
        found = {d.type: 0 for d in dets}
        rewritten.append(_redact_one(text, [d for j, d in enumerate(dets) if masks[j, row]], cfg.placeholder, found,
                                     allowed))
        for t, c in found.items():
            counts[t][row] = c
    mask = np.zeros(len(texts), dtype=bool)
    mask[candidates] = True
    out = pc.replace_with_mask(texts, pa.array(mask), pa.array(rewritten, type=texts.type))
    return out, counts

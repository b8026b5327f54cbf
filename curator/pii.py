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


def vin_check_digit_valid(vin: str) -> bool:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS))
    return vin[8] == ("X" if total % 11 == 10 else str(total % 11))


def _is_ipv6(text: str) -> bool:
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
    r"emergency|support)\s+(?:number|no\.?)|\bnumber\s+(?:to\s+call|is)\b)[^\n.;]{0,24}$", re.IGNORECASE)
_NOT_PHONE_CONTEXT = re.compile(
    r"\b(?:order|serial|part|invoice|account|version|model|item|case|ticket|reference|tracking|isbn|id|zip|"
    r"postcode|ports?)\b(?:\s*(?:number|no\.?|is|:|#)){0,3}\s*$", re.IGNORECASE)
_MASK_OCTETS = {"0", "128", "192", "224", "240", "248", "252", "254", "255"}
_VERSION_CONTEXT = re.compile(r"\b(?:version|release|firmware|build|v)\s*$", re.IGNORECASE)


def _is_phone(m: re.Match) -> bool:
    """7-15 digits, not a date, announced as a phone: an international prefix (+, 00), the
    (area) code form, or a phone word just before it."""
    text = m.group(0)
    digits = sum(c.isdigit() for c in text)
    if not 7 <= digits <= 15 or _DATE.fullmatch(text):
        return False
    before = m.string[max(0, m.start() - 40):m.start()]
    if _NOT_PHONE_CONTEXT.search(before):
        return False
    if text.startswith(("+", "00")) and digits >= 8:
        return True
    if re.fullmatch(r"\(\d{2,5}\)[ .-]?\d{3,4}[ .-]?\d{3,4}", text):
        return True
    return bool(_PHONE_CONTEXT.search(before)) and digits >= 7


def _is_ipv4(m: re.Match) -> bool:
    """Not a netmask (every octet a mask value, ones first) and not a version number."""
    octets = m.group(0).split(".")
    bits = "".join(f"{int(o):08b}" for o in octets)
    if all(o in _MASK_OCTETS for o in octets) and "01" not in bits:
        return False
    return not _VERSION_CONTEXT.search(m.string[max(0, m.start() - 12):m.start()])


def _is_vin(text: str, require_check_digit: bool) -> bool:
    """Letters and digits, and a valid check digit, or (when it is not required, as outside North
    America) a numeric serial in the last four positions (ISO 3779): a random 17-character id
    passes the check digit 1 time in 11 and the numeric serial rarely."""
    if not (any(c.isdigit() for c in text) and any(c.isalpha() for c in text)):
        return False
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
            r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])"), lambda m: luhn_valid(m.group(0))),
        "ipv6": Detector("ipv6", r"[0-9A-Fa-f]:[0-9A-Fa-f]*:", re.compile(
            r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{3,39}(?![\w:])"), lambda m: _is_ipv6(m.group(0))),
        "ipv4": Detector("ipv4", r"\d\.\d+\.\d+\.\d", re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)"),
            _is_ipv4),
        "vin": Detector("vin", r"[A-HJ-NPR-Z0-9]{17}", re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])"),
                        lambda m: _is_vin(m.group(0), vin_check)),
        "phone": Detector("phone", r"\d[\d ()./-]{5,}\d", re.compile(
            r"(?<![\w+/.-])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,5}(?:[ ./-]\d{2,8}){0,5}(?![\w/-]|\.\d)"),
            _is_phone),
    }
    unknown = sorted(set(cfg.types) - set(table))
    if unknown:
        raise ValueError(f"curate.pii.types has unknown types {unknown}; valid: {', '.join(PII_TYPES)}")
    return [table[t] for t in PII_TYPES if t in cfg.types]


def _redact_one(text: str, active: list[Detector], placeholder: str, counts: dict[str, int]) -> str:
    for det in active:
        tag = placeholder.format(type=det.type.upper())

        def swap(m: re.Match, det: Detector = det, tag: str = tag) -> str:
            if det.valid is not None and not det.valid(m):
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
    rewritten = []
    for k, (row, text) in enumerate(zip(candidates, subset)):
        found = {d.type: 0 for d in dets}
        rewritten.append(_redact_one(text, [d for j, d in enumerate(dets) if masks[j, row]], cfg.placeholder, found))
        for t, c in found.items():
            counts[t][row] = c
    mask = np.zeros(len(texts), dtype=bool)
    mask[candidates] = True
    out = pc.replace_with_mask(texts, pa.array(mask), pa.array(rewritten, type=texts.type))
    return out, counts

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


def _is_phone(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    if digits > 15 or _DATE.fullmatch(text):
        return False
    international = text.startswith(("+", "00", "("))
    return digits >= 9 or (international and digits >= 7)


def _is_vin(text: str, require_check_digit: bool) -> bool:
    if not (any(c.isdigit() for c in text) and any(c.isalpha() for c in text)):
        return False
    return vin_check_digit_valid(text) or not require_check_digit


@dataclass(frozen=True)
class Detector:
    type: str
    prefilter: str  # RE2 pattern selecting documents worth the Python pass
    pattern: re.Pattern
    valid: Callable[[str], bool] | None = None


def detectors(cfg: PiiConfig) -> list[Detector]:
    vin_check = cfg.vin_require_check_digit
    table = {
        "email": Detector("email", r"@", re.compile(
            r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
        "url": Detector("url", r"://|www\.", re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]*[^\s<>\"'().,;:!?]")),
        "credit_card": Detector("credit_card", r"\d[ -]?\d{3}[ -]?\d{3}", re.compile(
            r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])"), luhn_valid),
        "ipv6": Detector("ipv6", r"[0-9A-Fa-f]:[0-9A-Fa-f]*:", re.compile(
            r"(?<![\w:])(?=[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:)[0-9A-Fa-f:]{3,39}(?![\w:])"), _is_ipv6),
        "ipv4": Detector("ipv4", r"\d\.\d+\.\d+\.\d", re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)")),
        "vin": Detector("vin", r"[A-HJ-NPR-Z0-9]{17}", re.compile(r"(?<![A-Za-z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Za-z0-9])"),
                        lambda v: _is_vin(v, vin_check)),
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
            if det.valid is not None and not det.valid(m.group(0)):
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

"""PII redaction on a labelled set with look-alikes (tests/curator/data/pii_labelled.jsonl): dates,
versions, ZIP codes, netmasks, order/serial numbers, ISBNs, timestamps, port ranges, build ids."""

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from curator import pii
from curator.config import PiiConfig

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "pii_labelled.jsonl").open(encoding="utf-8")]


def redact(*texts: str) -> list[str]:
    return pii.redact(pa.array(list(texts), type=pa.large_string()), PiiConfig())[0].to_pylist()


def test_every_planted_span_goes_and_no_lookalike_is_touched():
    out, counts = pii.redact(pa.array([c["text"] for c in CASES], type=pa.large_string()), PiiConfig())
    planted, redacted = Counter(), Counter()
    for i, (case, text) in enumerate(zip(CASES, out.to_pylist())):
        for span in case["pii"]:
            planted[span["type"]] += 1
            assert span["value"] not in text, (span, text)
        wanted = Counter(s["type"] for s in case["pii"])
        got = Counter({kind: int(n[i]) for kind, n in counts.items() if n[i]})
        assert got == wanted, (case["text"], text)  # right type, nothing else redacted
        redacted.update(got)
    assert planted == redacted and set(planted) == {"email", "phone", "ipv4", "ipv6", "credit_card", "vin"}
    assert sum(1 for c in CASES if not c["pii"]) >= 30


@pytest.mark.parametrize("text, redacted", [
    ("Order 4839201756 shipped.", False),  # digits alone are no phone
    ("Call 4839 201756 after six.", True),
    ("The phone number is 030 1234567.", True),
    ("The serial number is 030 1234567.", False),
    ("Reach us at +49 30 1234567.", True),  # an international prefix announces itself
    ("Dial (312) 555-0188 or (312) 555-0199.", True),
])
def test_phone_numbers_need_phone_like_context(text, redacted):
    assert ("<PHONE>" in redact(text)[0]) is redacted


def test_netmasks_and_versions_are_not_addresses():
    assert redact("Mask 255.255.255.0, host 192.168.1.20, firmware v10.4.2.1.") == \
        ["Mask 255.255.255.0, host <IPV4>, firmware v10.4.2.1."]


@pytest.mark.parametrize("text", [
    "'eps' : 1.4901161193847656e-08}",  # a float's digits pass Luhn: not a card
    "atimeMs: 1318289051000.1, mtimeNs: 1318289051000000000n",
    "https://www.sciencedirect.com/science/article/pii/S0895717706001609",  # a DOI item id, not a VIN
    "Processing Letters 2, (1973), 108--112, ISSN 0020-0190.",
    "// Prints: <Buffer 00 00 00 00 00>",
    "0030  ff ff ff ff  0a 00 25 00 27 00 ff ff",  # a hex dump
    "J. Inst. Maths Applics 10 (1972) 134-149.",  # a year in brackets is no area code
    "LATIN CAPITAL LETTER I WITH DOT ABOVE;Lu;0;L;0049 0307;;;;N;",
    "Compiled versions are Bad:: and configure.ac:: and embeddings[::2].",
    "It broke in 1.6.4.3 and was fixed in 5.3.6.12 (see section 4.1.4.1).",
])
def test_lookalikes_found_in_real_documentation_are_left_alone(text):
    assert redact(text) == [text]


def test_small_number_addresses_need_an_address_word():
    assert redact("Use the DNS server 8.8.8.8 or ssh to 10.0.0.1.") == ["Use the DNS server <IPV4> or ssh to <IPV4>."]
    assert redact("Bump the plugin from 4.4.1 to 4.4.2.2 now.") == ["Bump the plugin from 4.4.1 to 4.4.2.2 now."]


def test_allowed_published_numbers_are_kept_in_any_spelling_and_others_still_go():
    cfg = PiiConfig(allow=["+800 5378 3735", "Service@Kestrel-Motors.example"])
    texts = ["Call Kestrel Assist on +800 5378 3735 (24 hours).", "Or dial 00800-5378-3735 from abroad.",
             "Mail service@kestrel-motors.example or call me on +44 20 7946 0321."]
    out, counts = pii.redact(pa.array(texts, type=pa.large_string()), cfg)
    assert out.to_pylist() == [texts[0], texts[1], "Mail service@kestrel-motors.example or call me on <PHONE>."]
    assert counts["phone"].tolist() == [0, 0, 1] and counts["email"].tolist() == [0, 0, 0]
    alone = pii.redact(pa.array(texts[:1], type=pa.large_string()), PiiConfig(allow=[]))[0].to_pylist()
    assert alone == ["Call Kestrel Assist on <PHONE> (24 hours)."]  # without the allow list: a phone like any other


def test_an_empty_allowed_value_is_a_config_error():
    with pytest.raises(ValueError, match=r"curate.pii.allow\[1\] is empty"):
        PiiConfig(allow=["+800 5378 3735", " "]).validate()

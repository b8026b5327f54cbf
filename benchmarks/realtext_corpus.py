"""A labelled near-duplicate corpus built from real text (benchmarks/realtext_sources.py).

    python benchmarks/realtext_corpus.py --out DIR [--seed 11] [--pool 20000]

1. Pool: the machine's real documents, exact copies dropped, then every document whose word
   3-gram Jaccard with an earlier one reaches 0.2 (LSH with 100 bands x 2 rows for recall at that
   level, then the exact Jaccard): what stays is a pool of clearly distinct documents.
2. Sites (hard negatives): groups of 15-70 distinct pool documents wrapped in one site's
   boilerplate, a nav bar, a cookie banner, a footer and an excerpt of a license from
   /usr/share/common-licenses (80-450 words in all). Their pages are distinct and must be kept.
3. Near copies: of originals drawn from the pool (bare and site pages alike), with scattered word
   edits, line edits or both, until the copy's word 5-gram Jaccard with the original (lower-cased,
   whitespace-split full texts, boilerplate included) falls in a target bucket 0.3-0.4 ... 0.9-1.0;
   syndicated copies re-host a site page's content, edited, bare or on another site; exact copies
   (identical, or differing in case and spacing only).
4. Everything is shuffled into corpus.jsonl (id, text); ground_truth.jsonl has per line the
   category, the family (the original's pool index: one member of a family should stay) and,
   for copies, the bucket and the measured Jaccard. pool.jsonl keeps the clean pool (for
   false-removal rates of the quality rules), card.json the counts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

BUCKETS = [(0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0)]
LICENSES = Path("/usr/share/common-licenses")


def words_of(text: str) -> list[str]:
    return text.lower().split()


def jaccard5(a: str, b: str, n: int = 5) -> float:
    def grams(words):
        return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}

    x, y = grams(words_of(a)), grams(words_of(b))
    return len(x & y) / len(x | y) if x | y else 1.0


# --- 1. the pool ------------------------------------------------------------------------------

def raw_documents(cache: Path) -> list[dict]:
    if cache.is_file():
        return [json.loads(line) for line in cache.open(encoding="utf-8")]
    import realtext_sources

    docs = [{"source": s, "name": n, "text": t} for s, n, t in realtext_sources.all_documents()]
    with cache.open("w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return docs


def distinct_pool(docs: list[dict], max_jaccard: float = 0.2) -> list[dict]:
    """Documents without an exact copy or a word 3-gram Jaccard >= max_jaccard with an earlier one."""
    import pyarrow as pa

    from curator import hashing, jaccard, minhash, normalize, shingles

    seen, unique = set(), []
    for d in docs:
        key = " ".join(words_of(d["text"]))
        if key not in seen:
            seen.add(key)
            unique.append(d)
    keys = normalize.dedup_keys(pa.array([d["text"] for d in unique], type=pa.large_string()))
    offsets, data = hashing.string_buffers(keys)
    doc, hashes = shingles.shingle_hashes(offsets, data, "word", 3)
    sig = minhash.signatures(doc, hashes, len(keys), *minhash.permutations(200, 5))
    buckets = minhash.band_keys(sig, 100, 2)
    u, v = minhash.bucket_pairs(buckets.ravel(), np.repeat(np.arange(len(keys), dtype=np.int64), 100), 30)
    u, v = minhash.sorted_unique_pairs(u, v)
    sim = jaccard.pair_jaccard(keys, u, v, "word", 3)
    dropped = np.zeros(len(unique), dtype=bool)
    close = sim >= max_jaccard
    for a, b in sorted(zip(u[close].tolist(), v[close].tolist()), key=lambda p: p[1]):
        if not dropped[a]:
            dropped[b] = True
    print(f"pool: {len(docs)} documents, {len(unique)} without exact copies, {int((~dropped).sum())} distinct "
          f"(word 3-gram Jaccard < {max_jaccard} to every earlier one)", flush=True)
    return [d for d, gone in zip(unique, dropped) if not gone]


# --- 2. sites ---------------------------------------------------------------------------------

NAV_WORDS = ["Home", "Docs", "Documentation", "Blog", "About", "Contact", "Downloads", "Community", "Support",
             "Pricing", "Products", "Solutions", "Forum", "News", "Events", "Careers", "Guides", "API", "FAQ",
             "Tutorials", "Releases", "Security", "Partners", "Resources", "Sign in", "Get started"]
COOKIE = [
    "We use cookies and similar technologies to provide the best experience on our website, to analyse traffic "
    "and to personalise content. By clicking Accept all you agree to the storing of cookies on your device. You "
    "can change your preferences at any time in the cookie settings of {site}.",
    "This site uses cookies. Some of them are essential for the operation of the site, while others help us to "
    "improve this site and the user experience (tracking cookies). You can decide for yourself whether you want "
    "to allow cookies or not. Please note that if you reject them, you may not be able to use all the "
    "functionalities of {site}. Read our privacy policy to learn more.",
    "{site} and our partners use cookies to store and access information on your device for personalised "
    "advertising and content, advertising and content measurement, audience research and services "
    "development. With your permission we and our partners may use precise geolocation data. Manage settings.",
]
FOOTER = [
    "Copyright © {year} {site}. All rights reserved.\nPrivacy Policy | Terms of Use | Cookie Settings | Sitemap",
    "© {year} {site} contributors. Content is available under the license below unless otherwise noted.\n"
    "Report a problem with this page | Edit on GitHub | Last updated {year}",
    "{site} is a registered trademark. Built with care by the {site} team.\nFollow us: Twitter | Mastodon | RSS",
]


def site_boilerplate(rng: random.Random, k: int) -> tuple[str, str]:
    """(header, footer) of one made-up site, 80-450 words in all, a license excerpt included."""
    site = rng.choice(["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark",
                       "Wayne", "Cyberdyne", "Soylent", "Tyrell", "Wonka", "Gringotts", "Oceanic"]) + \
        rng.choice([" Docs", " Labs", " Developer Network", " Knowledge Base", " Wiki", " Cloud"]) + f" {k}"
    nav = " | ".join(rng.sample(NAV_WORDS, rng.randint(6, 12)))
    header = [f"{site}", nav]
    if rng.random() < 0.6:
        header.append(rng.choice(COOKIE).format(site=site))
    licenses = sorted(p for p in LICENSES.iterdir() if p.is_file())
    license_lines = rng.choice(licenses).read_text(encoding="utf-8", errors="replace").splitlines()
    budget = rng.randint(40, 330)  # words of license excerpt
    start = rng.randrange(max(1, len(license_lines) - 20))
    excerpt, count = [], 0
    for line in license_lines[start:]:
        if count >= budget:
            break
        excerpt.append(line)
        count += len(line.split())
    footer = ["\n".join(excerpt).strip(), rng.choice(FOOTER).format(site=site, year=rng.randint(2009, 2026))]
    if rng.random() >= 0.6:
        footer.insert(0, rng.choice(COOKIE).format(site=site))
    return "\n\n".join(header), "\n\n".join(footer)


def wrap(content: str, site: tuple[str, str]) -> str:
    return f"{site[0]}\n\n{content}\n\n{site[1]}"


# --- 3. copies --------------------------------------------------------------------------------

def edit(content: str, rng: random.Random, vocab: list[str], lines_pool: list[str], target: float,
         whole: callable) -> tuple[str, float]:
    """``content`` edited until jaccard5(whole(original), whole(copy)) first drops to ``target``."""
    style = rng.choice(["scattered", "lines", "mixed"])
    lines = [line.split(" ") for line in content.split("\n")]
    n_words = sum(len(line) for line in lines)
    ops = []
    for _ in range(n_words + 2 * len(lines) + 20):
        kind = {"scattered": rng.choice("sid"), "lines": rng.choice("LI"), "mixed": rng.choice("sidLIss")}[style]
        ops.append((kind, rng.random(), rng.random(), rng.choice(vocab), rng.choice(lines_pool)))

    def apply(k: int) -> str:
        out = [list(line) for line in lines]
        for kind, a, b, word, other in ops[:k]:
            if kind in "sid":
                row = out[int(a * len(out))] if out else []
                pos = int(b * len(row))
                if kind == "i" or not row:
                    row.insert(pos, word)
                elif kind == "s":
                    row[pos] = word
                else:
                    del row[pos]
            elif kind == "L" and len(out) > 1:
                del out[int(a * len(out))]
            else:
                out.insert(int(a * (len(out) + 1)), other.split(" "))
        return "\n".join(" ".join(line) for line in out)

    original = whole(content)

    def above(k: int) -> bool:
        return jaccard5(original, whole(apply(k))) > target

    hi = 1
    while hi < len(ops) and above(hi):  # exponential, then binary search: the fewest edits reaching the target
        hi *= 2
    lo, hi = hi // 2, min(hi, len(ops))
    while lo < hi:
        mid = (lo + hi) // 2
        if above(mid):
            lo = mid + 1
        else:
            hi = mid
    text = apply(lo)
    return text, jaccard5(original, whole(text))


def build(out: Path, seed: int, pool_size: int, n_sites: int, n_near: int, n_exact: int, n_syndicated: int) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    pool = distinct_pool(raw_documents(out / "raw_documents.jsonl"))
    rng.shuffle(pool)
    pool = pool[:pool_size]
    with (out / "pool.jsonl").open("w", encoding="utf-8") as f:
        for i, d in enumerate(pool):
            f.write(json.dumps({"id": f"pool-{i}", "source": d["source"], "name": d["name"], "text": d["text"]},
                               ensure_ascii=False) + "\n")
    vocab = [w for d in rng.sample(pool, min(2000, len(pool))) for w in d["text"].split()[:200]]
    lines_pool = [line for d in rng.sample(pool, min(2000, len(pool))) for line in d["text"].split("\n") if
                  len(line.split()) >= 4]

    # Sites: consecutive runs of the shuffled pool.
    site_of: dict[int, tuple[str, str]] = {}
    cursor = 0
    sites = []
    for k in range(n_sites):
        size = rng.randint(15, 70)
        boiler = site_boilerplate(rng, k)
        sites.append(boiler)
        for i in range(cursor, min(cursor + size, len(pool))):
            site_of[i] = boiler
        cursor += size

    def whole_of(i: int):
        return (lambda content: wrap(content, site_of[i])) if i in site_of else (lambda content: content)

    records = []  # (text, ground truth)
    for i, d in enumerate(pool):
        records.append((whole_of(i)(d["text"]), {"category": "site_page" if i in site_of else "plain",
                                                  "family": i, "source": d["source"]}))
    originals = rng.sample(range(len(pool)), n_near + n_exact)
    near, exact = originals[:n_near], originals[n_near:]
    syndicated = rng.sample(sorted(site_of), min(n_syndicated, len(site_of)))  # re-hosted site pages
    from tqdm import tqdm

    for j, i in enumerate(tqdm(near, desc="near copies", unit=" copy")):
        lo, hi = BUCKETS[j % len(BUCKETS)]
        target = rng.uniform(lo, hi)
        text, sim = edit(pool[i]["text"], rng, vocab, lines_pool, target, whole_of(i))
        records.append((whole_of(i)(text), {"category": "near_dup", "family": i, "jaccard": round(sim, 4),
                                            "target": round(target, 4)}))
    for i in exact:
        text = whole_of(i)(pool[i]["text"])
        if rng.random() < 0.5:  # case and spacing only: the same dedup key
            text = "  ".join(w.upper() if rng.random() < 0.1 else w for w in text.split(" "))
        records.append((text, {"category": "exact_dup", "family": i, "jaccard": 1.0}))
    for i in tqdm(syndicated, desc="syndicated", unit=" copy"):
        other = rng.choice(sites) if rng.random() < 0.5 else None
        target = rng.uniform(0.5, 1.0)
        content, _ = edit(pool[i]["text"], rng, vocab, lines_pool, target, lambda c: c)
        text = wrap(content, other) if other else content
        records.append((text, {"category": "syndicated", "family": i,
                               "jaccard": round(jaccard5(whole_of(i)(pool[i]["text"]), text), 4),
                               "content_jaccard": round(jaccard5(pool[i]["text"], content), 4)}))
    order = list(range(len(records)))
    rng.shuffle(order)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus, \
            (out / "ground_truth.jsonl").open("w", encoding="utf-8") as truth:
        for line, k in enumerate(order, 1):
            text, gt = records[k]
            doc_id = f"rt-{k:06d}"
            corpus.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
            truth.write(json.dumps({"line": line, "id": doc_id, **gt}) + "\n")
    counts = {}
    for _, gt in records:
        counts[gt["category"]] = counts.get(gt["category"], 0) + 1
    sizes = [len(t) for t, _ in records]
    card = {"seed": seed, "documents": len(records), "pool": len(pool), "sites": n_sites, "categories": counts,
            "mean_chars": round(float(np.mean(sizes))), "median_chars": int(np.median(sizes)),
            "sources": {s: sum(1 for d in pool if d["source"] == s) for s in sorted({d["source"] for d in pool})}}
    (out / "card.json").write_text(json.dumps(card, indent=1))
    print(json.dumps(card))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--pool", type=int, default=20000)
    ap.add_argument("--sites", type=int, default=45)
    ap.add_argument("--near", type=int, default=3500)
    ap.add_argument("--exact", type=int, default=500)
    ap.add_argument("--syndicated", type=int, default=300)
    args = ap.parse_args()
    build(args.out, args.seed, args.pool, args.sites, args.near, args.exact, args.syndicated)


if __name__ == "__main__":
    main()

"""Reference shingling in plain Python and corpora that stress the dedup kernels (shared by curate tests)."""

from __future__ import annotations

import random

import numpy as np

VOCAB = [f"w{i}" for i in range(40)] + ["été", "naïve", "straße", "日本語", "ключ", "🚗", "x"]


def word_shingles(text: str, n: int) -> set:
    words = text.split()
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def char_shingles(text: str, n: int) -> set:
    if len(text) < n:
        return {text} if text else set()
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def mutate(rng: random.Random, words: list[str], rate: float) -> list[str]:
    out = list(words)
    for i in range(len(out)):
        if rng.random() < rate:
            out[i] = f"x{rng.randint(0, 10**6)}"
    return out


def adversarial_corpus(seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts and (u, v) pairs that stress the edge cases, plus random near-duplicates.

    Empty and whitespace-only documents, documents shorter than one shingle, identical documents,
    repeated shingles inside a document, non-ASCII text; pairs (u, u), pairs repeated and
    reversed, and sides of equal size.
    """
    rng = random.Random(seed)
    fixed = ["", "   ", "one", "one two", "a b c", "a b c", "c b a", "a a a a a a a a", "a a a a a a a a b",
             "été naïve straße été naïve straße", "日本語 ключ 🚗 日本語 ключ 🚗 x",
             "abcdefgh", "abcdefgi", "ab"]
    base = [rng.choice(VOCAB) for _ in range(120)]
    randoms = [" ".join(mutate(rng, base[: rng.randint(0, 120)], rng.choice([0.0, 0.05, 0.3, 1.0])))
               for _ in range(60)]
    texts = fixed + randoms
    n, k = len(texts), len(fixed)
    u = [i for i in range(k) for j in range(k)]  # every ordered pair of the fixed set, (i, i) included
    v = [j for i in range(k) for j in range(k)]
    for _ in range(600):
        u.append(rng.randrange(n))
        v.append(rng.randrange(n))
    u += u[:50]  # repeats
    v += v[:50]
    return texts, np.array(u, dtype=np.int64), np.array(v, dtype=np.int64)


# --- the dedup kernels' hashes, written out in plain Python (bit-exact references) -------------

_M = 1 << 64
_SPAN_P = 0x100000001B3
_SHINGLE_P = 0xC2B2AE3D27D4EB4F
_LENGTH_MIX = 0x9E3779B97F4A7C15
_ASCII_SPACE = b" \t\n\x0b\x0c\r"


def fmix64(x: int) -> int:
    x ^= x >> 33
    x = x * 0xFF51AFD7ED558CCD % _M
    x ^= x >> 33
    x = x * 0xC4CEB9FE1A85EC53 % _M
    return x ^ (x >> 33)


def polynomial(values, base: int) -> int:
    """sum_i values[i] * base^(len-1-i) modulo 2^64 (Horner)."""
    h = 0
    for value in values:
        h = (h * base + value) % _M
    return h


def span_hash(raw: bytes) -> int:
    """What curator.hashing.span_hashes gives for one byte span."""
    return fmix64(polynomial(raw, _SPAN_P) ^ (len(raw) * _LENGTH_MIX % _M))


def shingle_hashes(text: str, shingle: str, n: int) -> list[int]:
    """What curator.shingles.shingle_hashes gives for one document, in order: word n-grams hash
    the words' span hashes (words split on ASCII whitespace), character n-grams hash the bytes of
    n code points; a document shorter than n gives one shingle of all of it."""
    if shingle == "word":
        raw = text.encode("utf-8")
        words, word = [], bytearray()
        for byte in raw + b" ":
            if byte in _ASCII_SPACE:
                if word:
                    words.append(span_hash(bytes(word)))
                word = bytearray()
            else:
                word.append(byte)
        if not words:
            return []
        width = min(n, len(words))
        return [fmix64(polynomial(words[i:i + width], _SHINGLE_P) ^ width) for i in range(len(words) - width + 1)]
    if not text:
        return []
    width = min(n, len(text))
    return [span_hash(text[i:i + width].encode("utf-8")) for i in range(len(text) - width + 1)]


def default_data_candidates():
    """The default crawl's dedup keys and their LSH candidate pairs (numpy MinHash, no Dask): the
    CPU reference the GPU kernels are compared with (tests/curator/test_curate_gpu.py) and that
    tests/curator/test_curate_boilerplate.py runs on numpy."""
    import json

    import pyarrow as pa

    from curator import hashing, minhash, normalize, shingles
    from curator.config import FuzzyDedupConfig
    from tests.support import DATA

    texts = []
    with open(DATA / "raw" / "crawl.jsonl", encoding="utf-8", errors="replace") as f:
        for line in f:
            try:
                text = json.loads(line).get("text")
            except (ValueError, AttributeError):  # the corpus plants malformed lines
                continue
            if isinstance(text, str):
                texts.append(text)
    keys = normalize.dedup_keys(pa.array(texts, type=pa.large_string()))
    cfg = FuzzyDedupConfig()
    doc, hashes = shingles.shingle_hashes(*hashing.string_buffers(keys), "word", cfg.ngram)
    sig = minhash.signatures(doc, hashes, len(keys), *minhash.permutations(cfg.bands * cfg.rows, cfg.seed))
    buckets = minhash.band_keys(sig, cfg.bands, cfg.rows)
    u, v = minhash.bucket_pairs(buckets.ravel(), np.repeat(np.arange(len(keys)), cfg.bands), cfg.max_pairs_bucket)
    return keys, u, v

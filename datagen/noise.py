"""Junk pages a curation pipeline should REMOVE: spam, boilerplate, short, long.

Each generator is a pure function of a ``random.Random`` returning a Page
whose ``kind`` names the variant. Every variant is built to clearly violate
at least one standard heuristic (Gopher / C4 style quality rules); the rule
is recorded in JUNK_REASONS and ends up in the ground-truth "reason".
"""
from __future__ import annotations

import random
import string

from .filler import Page

_KEYWORDS = ("cheap ev charger", "best price", "buy now", "free shipping", "discount tyres", "car insurance deal",
             "cheap flights", "replica watches", "crypto bonus", "weight loss pills", "casino bonus", "top 10 deals",
             "click here", "limited offer", "best cheap", "online pharmacy")
_SPAM_DOMAINS = ("best-deals-4u", "cheap-parts-online", "top10-offers", "mega-discount", "win-prizes-now",
                 "free-bonus-club", "autoparts-wholesale", "super-cheap-tyres", "crypto-rich-fast")
_NAV = ("Home", "About us", "Products", "Services", "Shop", "Blog", "Contact", "Careers", "Support", "Login",
        "Register", "Cart", "Wishlist", "Offers", "New arrivals", "Sale", "Brands", "Help", "FAQ", "Sitemap",
        "Accessories", "Parts", "Tyres", "Chargers", "Gift cards", "Store locator", "Newsletter", "Press")
_LOREM = tuple(
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore "
    "magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo "
    "consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla "
    "pariatur excepteur sint occaecat cupidatat non proident sunt in culpa qui officia deserunt mollit anim id "
    "est laborum".split()
)
_TEASERS = ("Read more about", "Continue reading", "You will not believe what happened to", "Top stories on",
            "Latest news about", "See all offers for", "Find out more about", "Trending now:", "Click to see")
_TEASER_TOPICS = ("electric cars", "summer holidays", "this one weird trick", "the new phone", "garden furniture",
                  "winter tyres", "celebrity kitchens", "cheap flights", "the housing market", "healthy snacks")
_SHORT = ("Home", "404 Not Found", "Page not found", "Loading...", "Subscribe to our newsletter",
          "Error 503 Service Unavailable", "Access denied", "Sign in to continue", "Share this", "Skip to content",
          "Back to top", "Redirecting", "Please enable scripts to view this page", "Next page", "Tags: cars, travel",
          "Copyright 2024", "Accept all", "You are being redirected", "Gallery", "Posted in Uncategorized")

JUNK_REASONS = {
    "keyword_stuffing": "spam: keyword stuffing, top 2-gram covers > 20% of characters",
    "link_farm": "spam: link farm, mostly URLs, mean word length > 10",
    "symbol_soup": "spam: symbol-to-word ratio > 0.1",
    "ngram_repetition": "spam: one sentence repeated, duplicate 5-gram fraction > 0.15",
    "click_here": "spam: shouting call-to-action lines, duplicate lines > 30%",
    "cookie_banner": "boilerplate: cookie/consent banner, < 50 words",
    "nav_menu": "boilerplate: navigation menu, > 90% bullet lines",
    "lorem_ipsum": "boilerplate: lorem ipsum placeholder text",
    "ellipsis_lines": "boilerplate: teaser list, > 30% lines end with an ellipsis",
    "repeated_lines": "boilerplate: repeated lines, duplicate line fraction > 30%",
    "repeated_paragraphs": "boilerplate: repeated paragraph, duplicate paragraph fraction > 30%",
    "short": "short: fewer than 50 words (1-20)",
    "long_random": "long: random tokens, mean word length > 10",
    "long_repeated": "long: one token run repeated, top n-gram covers most characters",
    "long_hex": "long: hex/base64 dump, mean word length > 10",
}
SPAM_KINDS = ("keyword_stuffing", "link_farm", "symbol_soup", "ngram_repetition", "click_here")
BOILERPLATE_KINDS = ("cookie_banner", "nav_menu", "lorem_ipsum", "ellipsis_lines", "repeated_lines",
                     "repeated_paragraphs")


def _keyword_stuffing(r: random.Random) -> str:
    kws = r.sample(_KEYWORDS, 3)
    lines = []
    for _ in range(r.randint(8, 25)):
        lines.append(" ".join(r.choice(kws) for _ in range(r.randint(4, 10))) + r.choice(("", "!", "!!!")))
    return "\n".join(lines)


def _link_farm(r: random.Random) -> str:
    lines = []
    for _ in range(r.randint(30, 90)):
        dom = r.choice(_SPAM_DOMAINS)
        path = "-".join(r.choice(_KEYWORDS).split()) + f"-{r.randint(1, 9999)}"
        lines.append(f"https://www.{dom}.example/{path}?ref={r.randint(1000, 99999)}")
    return "\n".join(lines)


def _symbol_soup(r: random.Random) -> str:
    syms = "#$%&*@!~^|+=<>"
    lines = []
    for _ in range(r.randint(10, 40)):
        toks = ["".join(r.choice(syms) for _ in range(r.randint(2, 8))) for _ in range(r.randint(3, 10))]
        if r.random() < 0.5:
            toks.insert(r.randrange(len(toks)), r.choice(("WIN", "FREE", "$$$", "####", "BONUS", "...")))
        lines.append(" ".join(toks))
    return "\n".join(lines)


def _ngram_repetition(r: random.Random) -> str:
    sentence = r.choice(("The best deals on car parts are here today.", "Buy cheap tyres online with free delivery.",
                         "Win a brand new electric car this week only.", "Get the lowest price on chargers now."))
    return " ".join([sentence] * r.randint(15, 60))


def _click_here(r: random.Random) -> str:
    lines = [r.choice(("CLICK HERE!!!", "BUY NOW!!!", "LIMITED OFFER!!!", "ACT FAST!!!", "100% FREE!!!"))
             for _ in range(4)]
    return "\n".join(r.choice(lines) + " " + r.choice(("", "Don't miss out!", ">>> CLICK <<<"))
                     for _ in range(r.randint(12, 40)))


def _cookie_banner(r: random.Random) -> str:
    site = r.choice(("this website", "our site", "our partners", "we and our 142 partners"))
    parts = [f"We use cookies to improve your experience on {site}.",
             "By clicking Accept all you agree to the storing of cookies on your device.",
             r.choice(("Manage preferences", "Cookie settings", "Customise")),
             "Accept all", "Reject all", "Privacy policy | Terms of use"]
    return "\n".join(parts[: r.randint(4, len(parts))])


def _nav_menu(r: random.Random) -> str:
    items = r.sample(_NAV, r.randint(10, len(_NAV)))
    bullet = r.choice(("- ", "* ", "\u2022 "))
    return "\n".join(bullet + x for x in items)


def _lorem(r: random.Random) -> str:
    paras = []
    for _ in range(r.randint(2, 6)):
        words = [r.choice(_LOREM) for _ in range(r.randint(30, 90))]
        words[:5] = _LOREM[:5]
        paras.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(paras)


def _ellipsis_lines(r: random.Random) -> str:
    return "\n".join(f"{r.choice(_TEASERS)} {r.choice(_TEASER_TOPICS)}..." for _ in range(r.randint(10, 30)))


def _repeated_lines(r: random.Random) -> str:
    pool = [f"{r.choice(_NAV)} | {r.choice(_NAV)} | {r.choice(_NAV)}" for _ in range(3)]
    return "\n".join(r.choice(pool) for _ in range(r.randint(15, 40)))


def _repeated_paragraphs(r: random.Random) -> str:
    para = (f"{r.choice(_TEASERS)} {r.choice(_TEASER_TOPICS)} and sign up for updates from our team. "
            f"Share this page with your friends and follow us for more.")
    return "\n\n".join([para] * r.randint(5, 15))


_BUILDERS = {"keyword_stuffing": _keyword_stuffing, "link_farm": _link_farm, "symbol_soup": _symbol_soup,
             "ngram_repetition": _ngram_repetition, "click_here": _click_here, "cookie_banner": _cookie_banner,
             "nav_menu": _nav_menu, "lorem_ipsum": _lorem, "ellipsis_lines": _ellipsis_lines,
             "repeated_lines": _repeated_lines, "repeated_paragraphs": _repeated_paragraphs}


def _junk_title(r: random.Random) -> str:
    return r.choice(("Best deals", "Home", "Welcome", "Offers", "News", "Untitled", "Index", "Shop"))


def make_spam(rng: random.Random) -> Page:
    kind = rng.choice(SPAM_KINDS)
    return Page(title=_junk_title(rng), text=_BUILDERS[kind](rng), kind=kind, language="")


def make_boilerplate(rng: random.Random) -> Page:
    kind = rng.choice(BOILERPLATE_KINDS)
    return Page(title=_junk_title(rng), text=_BUILDERS[kind](rng), kind=kind, language="")


def make_short(rng: random.Random) -> Page:
    """1-20 words: a stock web fragment or a few random dictionary words."""
    if rng.random() < 0.6:
        text = rng.choice(_SHORT)
    else:
        vocab = _NAV + tuple(_TEASER_TOPICS)
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 6)))
        text = " ".join(text.split()[:20])
    return Page(title=_junk_title(rng), text=text, kind="short", language="")


def make_long(rng: random.Random, min_chars: int = 50_000, max_chars: int = 300_000) -> Page:
    """A huge junk page (min_chars..max_chars) of random or repeated tokens."""
    target = rng.randint(min_chars, max_chars)
    kind = rng.choice(("long_random", "long_repeated", "long_hex"))
    if kind == "long_random":
        letters = string.ascii_lowercase + string.digits
        toks: list[str] = []
        size = 0
        while size < target:
            tok = "".join(rng.choices(letters, k=rng.randint(6, 22)))  # mean length > 10
            toks.append(tok)
            size += len(tok) + 1
        text = " ".join(toks)
    elif kind == "long_repeated":
        unit = " ".join(rng.choice(_NAV + _KEYWORDS) for _ in range(rng.randint(1, 6))) + " "
        text = unit * (target // len(unit) + 1)
    else:
        alphabet = "0123456789abcdef" if rng.random() < 0.5 else string.ascii_letters + string.digits + "+/"
        line_len = rng.choice((64, 76, 120))
        n = target // (line_len + 1) + 1
        text = "\n".join("".join(rng.choices(alphabet, k=line_len)) for _ in range(n))
    return Page(title=_junk_title(rng), text=text[:target], kind=kind, language="")

"""Typed config of the curate stage's logic. Plain dataclasses: no Hydra, no pipeline types.

Values live in configs/curate/*.yaml; the defaults below are the literature's where one exists
(Gopher = Rae et al. 2021, MassiveText rules; C4 = Raffel et al. 2020), so a bare dataclass is
already a sensible curation recipe. Where the Dask work runs (``curate.cluster``) is not the
logic's business: curator/spec.py adds that field for the adapter, which opens the client.
"""

from dataclasses import dataclass, field
from enum import Enum

# Every PII type curator/pii.py detects, in detection order.
PII_TYPES = ("email", "url", "credit_card", "ipv6", "ipv4", "vin", "phone")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


# What one plain-text document is (curator/plaintext.py): a whole file, a blank-line separated paragraph, a line.
TEXT_UNITS = ("file", "paragraph", "line")


class Backend(str, Enum):
    pandas = "pandas"  # CPU partitions (numpy / pyarrow kernels)
    cudf = "cudf"  # GPU partitions for the dedup steps (cuDF hash_values, str.minhash)


class GpuMinHash(str, Enum):
    cudf = "cudf"  # cuDF's str.minhash kernels (MurmurHash3, permutations mod 2^32)
    same_as_cpu = "same_as_cpu"  # the CPU backend's shingle hashes and permutations: identical duplicate sets


class Clustering(str, Enum):
    # Every removed document is within the threshold of the document kept for it: each group's
    # best-connected member is kept, the members close enough to it go, the rest regroup.
    star = "star"
    # Transitive closure (connected components, earliest kept): a chain of near pairs removes
    # documents that are not near the kept one (distinct pages linked through shared boilerplate).
    components = "components"


class Shingle(str, Enum):
    word = "word"  # word n-grams of the normalised text (FineWeb / datatrove style)
    char = "char"  # character n-grams (NeMo Curator style, width 24)


@dataclass
class ReadConfig:
    blocksize_mb: int = 16  # bytes of JSONL per partition: the unit of parallel work
    max_quarantine_chars: int = 2000  # raw text kept per quarantined line (enough to see the problem)
    # Above this fraction of quarantined lines the run fails (with the commonest reason and a
    # line): the input or curate.text_field / id_field is wrong, not the data merely messy.
    max_quarantine_fraction: float = 0.5
    # Plain-text input (.txt / .md): one document per file, per paragraph (blank-line separated) or per line.
    text_unit: str = "file"

    def validate(self) -> None:
        _require(self.text_unit in TEXT_UNITS,
                 f"curate.read.text_unit='{self.text_unit}' must be one of {', '.join(TEXT_UNITS)}")
        _require(0.0 <= self.max_quarantine_fraction <= 1.0,
                 f"curate.read.max_quarantine_fraction={self.max_quarantine_fraction} must be in [0, 1]")
        _require(self.blocksize_mb >= 1, f"curate.read.blocksize_mb={self.blocksize_mb} must be at least 1")
        _require(self.max_quarantine_chars >= 0,
                 f"curate.read.max_quarantine_chars={self.max_quarantine_chars} must not be negative")


@dataclass
class NormalizeConfig:
    """What normalisation may change in the kept text; each rewrite is off unless named here.

    The default changes only what no reader can see: line breaks (CR LF, CR, U+2028/2029/0085)
    become LF, and control characters (C0/C1 except tab and newline, and the BOM) are removed.
    Line structure, indentation (code keeps its meaning), spacing, zero-width characters (they
    shape emoji and Indic scripts) and the Unicode form are kept. Exact and fuzzy dedup compare
    their own keys (NFKC, lower case, invisible characters removed, whitespace collapsed), so
    look-alike copies are found either way.
    """

    enabled: bool = True
    form: str = ""  # "" keeps the text's form; "NFC" composes ("e"+U+0301 -> "é"); "NFKC" also folds "ﬁ" -> "fi"
    line_breaks: bool = True  # CR LF, CR, U+2028, U+2029, U+0085 -> LF
    strip_control: bool = True  # C0/C1 controls except tab and newline, and the BOM (U+FEFF)
    strip_zero_width: bool = False  # zero-width space/joiners, word joiner, soft hyphen
    collapse_spaces: bool = False  # runs of spaces and tabs inside a line -> one space (indentation kept)
    strip_indentation: bool = False  # leading spaces and tabs of every line (breaks code)
    strip_trailing_spaces: bool = False  # spaces and tabs before a line break
    max_blank_lines: int = 0  # 0 keeps them all; n squeezes runs of blank lines to n
    trim: bool = False  # leading and trailing whitespace of the whole document

    def validate(self) -> None:
        _require(self.form in ("", "NFC", "NFKC", "NFD", "NFKD"),
                 f"curate.normalize.form={self.form!r} must be one of '', NFC, NFKC, NFD, NFKD")
        _require(self.max_blank_lines >= 0,
                 f"curate.normalize.max_blank_lines={self.max_blank_lines} must not be negative (0 = keep)")


@dataclass
class LangIdConfig:
    enabled: bool = True
    # Probability the top label must reach (NeMo Curator's default 0.3; FineWeb uses 0.65, which
    # removes real English pages heavy with tables and part names).
    min_score: float = 0.3
    max_chars: int = 300  # characters of each document given to fastText (speed; accuracy saturates)


@dataclass
class FilterConfig:
    """Document-level quality rules; a document failing any enabled rule is removed."""

    enabled: bool = True
    min_words: int = 50  # Gopher
    max_words: int = 100_000  # Gopher
    min_mean_word_length: float = 3.0  # Gopher
    max_mean_word_length: float = 10.0  # Gopher
    max_symbol_word_ratio: float = 0.1  # Gopher: ("#" + "..." + "…") per word
    max_bullet_lines: float = 0.9  # Gopher: fraction of lines starting with a bullet
    max_ellipsis_lines: float = 0.3  # Gopher: fraction of lines ending with an ellipsis
    min_alpha_words: float = 0.8  # Gopher: fraction of words with at least one letter
    min_stop_words: int = 2  # Gopher: of {the, be, to, of, and, that, have, with}
    # Repetition. Gopher's values (lines 0.3/0.2, paragraphs 0.3/0.2, top n-grams 0.20/0.18/0.16,
    # repeated 5..10-grams 0.15..0.10) removed 12% of clean technical documentation (API pages
    # repeat parameter phrases, changelogs repeat author lines); the values below removed 0.1%
    # of it and still every planted repetition junk page of the default data (docs/curate.md).
    max_duplicate_lines: float = 0.7  # fraction of lines that repeat an earlier line
    max_duplicate_line_chars: float = 0.5  # characters in repeated lines
    max_duplicate_paragraphs: float = 0.6
    max_duplicate_paragraph_chars: float = 0.5
    # characters covered by the most frequent n-gram, n = 2, 3, 4
    max_top_ngram_chars: dict[int, float] = field(default_factory=lambda: {2: 0.40, 3: 0.40, 4: 0.40})
    # characters covered by repeated n-grams, n = 5..10
    max_duplicate_ngram_chars: dict[int, float] = field(
        default_factory=lambda: {5: 0.45, 6: 0.45, 7: 0.45, 8: 0.45, 9: 0.45, 10: 0.45}
    )
    # characters inside URLs, over all of the text (NeMo Curator's UrlsFilter has 0.2; link lists of
    # documentation pages reach it)
    max_url_chars: float = 0.3
    max_word_chars: int = 1000  # NeMo Curator LongWordFilter: no "word" longer than this
    max_non_alnum_chars: float = 0.25  # NeMo Curator NonAlphaNumericFilter (whitespace excluded here)
    max_boilerplate_lines: float = 0.4  # C4's policy/cookie/javascript phrases, per line
    remove_lorem_ipsum: bool = True  # C4: any "lorem ipsum" removes the page
    # Names of rules to skip (e.g. ["stop_words"] for code corpora); see curator/filters.py.
    disabled: list[str] = field(default_factory=list)
    # Judge a document on its prose lines only (curator/prose.py: not code, tables, prompts or
    # markup) when it has at least prose_min_words words of prose and prose is at least
    # prose_min_fraction of its words; otherwise on all of its text (identifiers counted as plain
    # words either way). Length, bullets, stop words and lorem ipsum always see all of the text.
    # 0 words: always all of it.
    prose_min_words: int = 20
    prose_min_fraction: float = 0.0

    def validate(self) -> None:
        from curator.filters import build_filters  # raises naming any unknown rule in ``disabled``

        build_filters(self)


@dataclass
class PiiConfig:
    enabled: bool = True
    # email, phone, ipv4, ipv6, credit_card (Luhn-checked), vin (check digit), url (off by default:
    # URLs are mostly public pages, and the link structure is useful training signal)
    types: list[str] = field(default_factory=lambda: ["email", "phone", "ipv4", "ipv6", "credit_card", "vin"])
    # Placeholder pattern; {type} becomes EMAIL, PHONE, ...
    placeholder: str = "<{type}>"
    # A VIN without a valid check digit is still redacted when true (non-North-American VINs
    # may not use the check digit); false keeps only check-digit-valid VINs.
    vin_require_check_digit: bool = False
    # Published values never redacted (an allow list, like Presidio's): a manufacturer's hotline or support address
    # that its manual quotes and the assistant must be able to give. Compared without spaces, dots, dashes, slashes
    # and brackets, case-insensitively, with a leading "00" read as "+": "+800 5378 3735" also keeps "0080053783735".
    # (The default is the embedded manual's roadside hotline, like index.select.url_prefixes names its site.)
    allow: list[str] = field(default_factory=lambda: ["+800 5378 3735"])

    def validate(self) -> None:
        empty = [i for i, value in enumerate(self.allow) if not str(value).strip()]
        _require(not empty, f"curate.pii.allow[{empty[0] if empty else 0}] is empty: list published values to keep")
        unknown = sorted(set(self.types) - set(PII_TYPES))
        _require(not unknown, f"curate.pii.types has unknown types {unknown}; valid: {', '.join(PII_TYPES)}")
        _require("{type}" in self.placeholder, f"curate.pii.placeholder={self.placeholder!r} must contain {{type}}")


@dataclass
class ExactDedupConfig:
    enabled: bool = True


@dataclass
class FuzzyDedupConfig:
    enabled: bool = True
    shingle: Shingle = Shingle.word
    ngram: int = 3  # words (shingle=word) or characters (shingle=char) per shingle
    bands: int = 60
    rows: int = 3  # bands x rows MinHash permutations; LSH threshold ~ (1/bands)^(1/rows)
    # Candidate pairs are kept when their true shingle Jaccard reaches this (verify=true) or when
    # the MinHash estimate does (verify=false).
    threshold: float = 0.3
    verify: bool = True
    seed: int = 42
    # Buckets up to this size give all pairs as candidates; larger ones a star around their first
    # document (keeps the edge count linear on templated pages).
    max_pairs_bucket: int = 16
    clustering: Clustering = Clustering.star
    # Boilerplate left out of the true-Jaccard check (curator/boilerplate.py): runs of shingles that
    # at least boilerplate_min_docs documents share (0 = off), spanning boilerplate_min_words words
    # or more, when both documents have them as boilerplate; a document with more than
    # boilerplate_max_fraction of such shingles is compared whole (its text is itself copied
    # widely), and a pair must also share threshold/2 of the content outside each document's own
    # boilerplate. Needs verify=true.
    boilerplate_min_docs: int = 10
    boilerplate_min_words: int = 8
    boilerplate_max_fraction: float = 0.9
    # Signatures under curate.backend=cudf: cuDF's own MinHash (MurmurHash3; candidates differ
    # slightly from the CPU's, verification and boilerplate handling are the same), or ours on the
    # GPU (same_as_cpu: the CPU's hash family, both backends remove exactly the same documents).
    gpu_minhash: GpuMinHash = GpuMinHash.cudf

    def validate(self) -> None:
        for key in ("ngram", "bands", "rows", "max_pairs_bucket"):
            value = getattr(self, key)
            _require(value >= 1, f"curate.fuzzy.{key}={value} must be at least 1")
        _require(0.0 < self.threshold <= 1.0, f"curate.fuzzy.threshold={self.threshold} must be in (0, 1]")
        _require(self.boilerplate_min_docs >= 0,
                 f"curate.fuzzy.boilerplate_min_docs={self.boilerplate_min_docs} must not be negative (0 = off)")
        _require(self.boilerplate_min_words >= 1,
                 f"curate.fuzzy.boilerplate_min_words={self.boilerplate_min_words} must be at least 1")
        _require(0.0 <= self.boilerplate_max_fraction <= 1.0,
                 f"curate.fuzzy.boilerplate_max_fraction={self.boilerplate_max_fraction} must be in [0, 1]")


@dataclass
class OutputConfig:
    rows_per_shard: int = 50_000
    compression: str = "zstd"

    def validate(self) -> None:
        _require(self.rows_per_shard >= 1, f"curate.output.rows_per_shard={self.rows_per_shard} must be at least 1")


@dataclass
class CurateConfig:
    # Raw JSONL/Parquet documents: a file, a folder or a glob. Its content is part of the cache key.
    input: str = "???"
    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"
    # Kept languages (ISO 639-1); empty keeps all.
    languages: list[str] = field(default_factory=lambda: ["en"])
    seed: int = 1234
    backend: Backend = Backend.pandas
    read: ReadConfig = field(default_factory=ReadConfig)
    normalize: NormalizeConfig = field(default_factory=NormalizeConfig)
    langid: LangIdConfig = field(default_factory=LangIdConfig)
    filters: FilterConfig = field(default_factory=FilterConfig)
    pii: PiiConfig = field(default_factory=PiiConfig)
    exact: ExactDedupConfig = field(default_factory=ExactDedupConfig)
    fuzzy: FuzzyDedupConfig = field(default_factory=FuzzyDedupConfig)
    # Exact + fuzzy dedup as one in-memory program on the backend's device (curator/dedup_memory.py)
    # instead of Dask shuffles: on one GPU the shuffles' scheduling costs far more than the kernels.
    # None: on with the cuDF backend and a single worker. Needs every alive document's key (and
    # its signature) in the driver's memory, or the GPU's under cuDF.
    dedup_in_memory: bool | None = None
    output: OutputConfig = field(default_factory=OutputConfig)
    # Optional labelled ground truth (datagen's ground_truth.jsonl, one entry per input line):
    # when set, quality metrics against it go into the manifest and the report.
    ground_truth: str = ""

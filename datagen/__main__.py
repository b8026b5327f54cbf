"""CLI: python -m datagen corpus --manual data/manual --out data/raw --seed 1234 [--n-filler N]"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from .corpus import CorpusSpec, build_corpus
from .manual import ManualFormatError


def _corpus(args: argparse.Namespace) -> int:
    spec = CorpusSpec()
    if args.n_filler is not None:
        spec = spec.scaled(args.n_filler)
    spec = replace(spec, seed=args.seed)
    try:
        stats = build_corpus(args.manual, args.out, spec, progress=not args.quiet)
    except (ManualFormatError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"\n{'category':<14}{'lines':>8}")
    for cat, n in stats.counts.items():
        print(f"{cat:<14}{n:>8}")
    print(f"{'total':<14}{stats.n_lines:>8}")
    print("expected: " + ", ".join(f"{k}={v}" for k, v in stats.expected.items()))
    print(f"manual sections: {stats.n_manual_sections}")
    print(f"crawl.jsonl: {stats.crawl_bytes / 1e6:.2f} MB  sha256 {stats.crawl_sha256[:16]}...")
    print(f"written to {stats.out_dir} in {stats.seconds:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m datagen", description="Synthetic data for the Kestrel EV7 pipeline")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("corpus", help="build the raw web crawl and its ground truth")
    c.add_argument("--manual", default="data/manual", help="folder of NN-slug.md chapter files")
    c.add_argument("--out", default="data/raw", help="output folder")
    c.add_argument("--seed", type=int, default=CorpusSpec.seed)
    c.add_argument("--n-filler", type=int, default=None, help="filler pages; other counts scale with it")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    return _corpus(args)


if __name__ == "__main__":
    sys.exit(main())

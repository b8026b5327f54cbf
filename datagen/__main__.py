"""CLI: python -m datagen corpus --manual data/manual --out data/raw --seed 1234 [--n-filler N]
     python -m datagen commands --out data/commands --seed 1234"""
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


def _commands(args: argparse.Namespace) -> int:
    from .commands import CommandDataError, CommandSpec, build_commands

    try:
        card = build_commands(args.out, CommandSpec(seed=args.seed, n_train=args.train, n_eval=args.eval))
    except CommandDataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for split, info in card["splits"].items():
        print(f"{split}: {info['records']} utterances, {info['refusals']} refusals, "
              f"{len(info['intents'])} intents, {info['templates_used']} templates")
    print(f"written to {args.out}")
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
    m = sub.add_parser("commands", help="build the cockpit command utterances and their JSON schema")
    m.add_argument("--out", default="data/commands", help="output folder")
    m.add_argument("--seed", type=int, default=1234)
    m.add_argument("--train", type=int, default=640, help="training utterances")
    m.add_argument("--eval", type=int, default=160, help="evaluation utterances")
    args = parser.parse_args(argv)
    return _commands(args) if args.command == "commands" else _corpus(args)


if __name__ == "__main__":
    sys.exit(main())

"""``python -m rag {search,trace}``: query a built index and follow a hit back to the raw crawl.

    python -m rag search "how deep can I drive through water?" -k 3
    python -m rag trace "65325ec4ba123c6e#2"

Both default to the index artifact of experiment ``default`` (experiments/default/index); pass
``--artifact`` to use another (any folder with the index stage's manifest).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_ARTIFACT = Path("experiments") / "default" / "index"


def _artifact(arg: str | None) -> Path:
    path = Path(arg) if arg else DEFAULT_ARTIFACT
    if not (path / "manifest.json").is_file():
        raise SystemExit(f"error: {path} is not an index artifact (run `python -m pipeline run stage=index` "
                         "or pass --artifact)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    search = sub.add_parser("search", help="print the best chunks for a question")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--artifact")
    search.add_argument("--dense", action="store_true", help="dense only, even if the index was built hybrid")
    trace = sub.add_parser("trace", help="follow a chunk id to its curated row and raw crawl line")
    trace.add_argument("chunk_id")
    trace.add_argument("--artifact")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    if args.command == "trace":
        from rag.trace import TraceError, format_trace
        from rag.trace import trace as run_trace

        try:
            print(format_trace(run_trace(_artifact(args.artifact), args.chunk_id)))
        except TraceError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        return 0

    from rag.retriever import Retriever, RetrieverError

    try:
        retriever = Retriever.open(_artifact(args.artifact) / "index", hybrid=False if args.dense else None)
    except RetrieverError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for rank, hit in enumerate(retriever.search(args.query, args.k), 1):
        print(f"{rank}. [{hit.score:.3f}] {hit.section_id} {hit.section_title}  ({hit.chunk_id})")
        print("   " + hit.text[:300].replace("\n", "\n   "))
    return 0


if __name__ == "__main__":
    sys.exit(main())

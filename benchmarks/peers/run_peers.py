"""Peer curation libraries on the benchmark's files; runs inside the peer venv (setup.sh), never .venv.

    /tmp/peers-venv/bin/python benchmarks/peers/run_peers.py filters DOCS.jsonl --workers 2
    /tmp/peers-venv/bin/python benchmarks/peers/run_peers.py minhash DIR_OF_JSONL --workers 2 --work W

Prints one JSON object: documents, seconds, docs/s, and (minhash) the ids datatrove removed.
benchmarks/curate_bench.py writes the input files and calls this script.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import shutil
import time
from pathlib import Path


def _nemo_filters():
    """NeMo Curator 1.4's heuristic filters with their default thresholds (Gopher/C4 set)."""
    from nemo_curator.stages.text.filters.heuristic import (
        BoilerPlateStringFilter, BulletsFilter, CommonEnglishWordsFilter, EllipsisFilter, LongWordFilter,
        MeanWordLengthFilter, NonAlphaNumericFilter, PunctuationFilter, SymbolsToWordsFilter, UrlsFilter,
        WordCountFilter, WordsWithoutAlphabetsFilter,
    )
    from nemo_curator.stages.text.filters.heuristic.repetition.repetition import (
        RepeatedLinesByCharFilter, RepeatedLinesFilter, RepeatedParagraphsByCharFilter, RepeatedParagraphsFilter,
        RepeatingDuplicateNGramsFilter, RepeatingTopNGramsFilter,
    )

    return [
        WordCountFilter(), BoilerPlateStringFilter(), NonAlphaNumericFilter(), SymbolsToWordsFilter(),
        UrlsFilter(), BulletsFilter(), LongWordFilter(), MeanWordLengthFilter(), PunctuationFilter(),
        EllipsisFilter(), CommonEnglishWordsFilter(), WordsWithoutAlphabetsFilter(),
        RepeatedLinesFilter(), RepeatedParagraphsFilter(), RepeatedLinesByCharFilter(),
        RepeatedParagraphsByCharFilter(), RepeatingTopNGramsFilter(n=2, max_repeating_ngram_ratio=0.2),
        RepeatingTopNGramsFilter(n=3, max_repeating_ngram_ratio=0.18),
        RepeatingTopNGramsFilter(n=4, max_repeating_ngram_ratio=0.16), RepeatingDuplicateNGramsFilter(),
    ]


def _filter_chunk(texts: list[str]) -> list[bool]:
    filters = _nemo_filters()
    return [all(f.keep_document(f.score_document(t)) for f in filters) for t in texts]


def run_filters(path: Path, workers: int) -> dict:
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    chunks = [texts[i:i + 500] for i in range(0, len(texts), 500)]
    with mp.get_context("spawn").Pool(workers) as pool:
        pool.map(_filter_chunk, [texts[:50]] * workers)  # import + warm-up outside the timing
        t0 = time.perf_counter()
        kept = [k for part in pool.map(_filter_chunk, chunks) for k in part]
        seconds = time.perf_counter() - t0
    return {"peer": "nemo-curator heuristic filters", "filters": len(_nemo_filters()), "docs": len(texts),
            "kept": int(sum(kept)), "seconds": round(seconds, 3), "docs_per_s": round(len(texts) / seconds, 1)}


def run_minhash(folder: Path, workers: int, work: Path, ngram: int, buckets: int, rows: int) -> dict:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    shutil.rmtree(work, ignore_errors=True)
    config = MinhashConfig(n_grams=ngram, num_buckets=buckets, hashes_per_bucket=rows)
    files = sorted(folder.glob("*.jsonl"))
    docs = sum(1 for f in files for _ in f.open(encoding="utf-8"))
    reader = JsonlReader(str(folder), glob_pattern="*.jsonl")
    stages = [
        ([reader, MinhashDedupSignature(output_folder=str(work / "sigs"), config=config)], len(files)),
        ([MinhashDedupBuckets(input_folder=str(work / "sigs"), output_folder=str(work / "buckets"), config=config)],
         buckets),
        ([MinhashDedupCluster(input_folder=str(work / "buckets"), output_folder=str(work / "remove"), config=config)], 1),
        ([JsonlReader(str(folder), glob_pattern="*.jsonl"),
          MinhashDedupFilter(input_folder=str(work / "remove"),
                             exclusion_writer=JsonlWriter(str(work / "removed"), compression=None))], len(files)),
    ]
    t0 = time.perf_counter()
    for i, (pipeline, tasks) in enumerate(stages):
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=workers,
                              logging_dir=str(work / f"logs{i}")).run()
    seconds = time.perf_counter() - t0
    removed = [json.loads(line)["id"] for f in sorted((work / "removed").glob("*.jsonl"))
               for line in f.open(encoding="utf-8")]
    return {"peer": f"datatrove MinHash ({ngram}-gram words, {buckets}x{rows})", "docs": docs,
            "seconds": round(seconds, 3), "docs_per_s": round(docs / seconds, 1), "removed_ids": removed}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("filters")
    f.add_argument("docs", type=Path)
    f.add_argument("--workers", type=int, default=2)
    m = sub.add_parser("minhash")
    m.add_argument("folder", type=Path)
    m.add_argument("--workers", type=int, default=2)
    m.add_argument("--work", type=Path, required=True)
    m.add_argument("--ngram", type=int, default=5)
    m.add_argument("--buckets", type=int, default=14)
    m.add_argument("--rows", type=int, default=8)
    args = ap.parse_args()
    if args.cmd == "filters":
        out = run_filters(args.docs, args.workers)
    else:
        out = run_minhash(args.folder, args.workers, args.work, args.ngram, args.buckets, args.rows)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

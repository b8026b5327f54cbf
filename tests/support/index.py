"""Support (no tests) for the index stage tests: a small real curate-like upstream.

``manual_curate`` publishes what the real curate stage does (output "shards": Parquet with id, url,
text, lang), with a few owner's-manual section pages at the manual site's URLs, other web pages
and one unusable row, so the index stage runs through the real CLI in seconds.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from pathlib import Path

from pipeline.registry import Registry
from pipeline.stage import StageContext, StageResult
from tests.support import REPO
from tests.support.cli import project_paths, run_cli

MANUAL = REPO / "data" / "manual"
SITE = "https://owners.kestrel-motors.example/ev7/"
OTHER = [
    ("blog-1", "https://www.roadforum.example/trips/alps", "We drove over the Alps in one day. The views were great."),
    ("recipe-1", "https://www.familyguide.example/howtos/bread", "Knead the dough for ten minutes and let it rise."),
]


def manual_pages(sections: int | None, chapters: tuple[str, ...] | None = ("06", "11", "16")) -> list[tuple[str, str, str]]:
    """(id, url, text) of the first ``sections`` "## N.M" pages of the given chapters (as crawled:
    one page per section, no chapter heading); ``None``: every section, every chapter."""
    pages = []
    for path in sorted(MANUAL.glob("*.md")):
        if chapters is not None and not path.name.startswith(chapters):
            continue
        for part in re.split(r"(?m)^(?=## )", path.read_text(encoding="utf-8"))[1:]:
            number = part.split()[1]
            pages.append((f"manual-{number}", SITE + number, part.strip()))
    return pages[:sections]


def write_curated(folder: Path, sections: int = 8, blank: bool = True) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"id": i, "url": u, "text": t, "lang": "en"} for i, u, t in manual_pages(sections)]
    rows += [{"id": i, "url": u, "text": t, "lang": "en"} for i, u, t in OTHER]
    if blank:
        rows.append({"id": "blank", "url": SITE + "blank", "text": "  ", "lang": "en"})
    folder.mkdir(parents=True, exist_ok=True)
    half = len(rows) // 2
    for n, part in enumerate((rows[:half], rows[half:])):
        table = pa.table({c: [r[c] for r in part] for c in ("id", "url", "text", "lang")},
                         schema=pa.schema([(c, pa.string()) for c in ("id", "url", "text", "lang")]))
        pq.write_table(table, folder / f"shard-{n:05d}.parquet")
    return folder


def manual_curate(ctx: StageContext) -> StageResult:
    write_curated(ctx.out_dir / "shards")
    return StageResult({"shards": "shards"}, {"docs_out": len(list((ctx.out_dir / "shards").glob("*")))})


def given_curate(ctx: StageContext) -> StageResult:
    """Publish the files of the folder named by $INDEX_TEST_SHARDS as the curated shards, byte for
    byte (a user's own corpus, broken files included)."""
    import os
    import shutil

    shutil.copytree(os.environ["INDEX_TEST_SHARDS"], ctx.out_dir / "shards")
    return StageResult({"shards": "shards"}, {"docs_out": len(list((ctx.out_dir / "shards").glob("*")))})


def registry(run: str = "manual_curate") -> Registry:
    """The real index stage after a small real stand-in for curate."""
    from curator.spec import SPEC as CURATE
    from rag.spec import SPEC as INDEX

    curate = replace(CURATE, run=f"{__name__}:{run}", outputs=("shards",), external_inputs=(),
                     volatile_outputs=())
    return Registry([curate, INDEX])


def given_registry() -> Registry:
    """``registry`` whose curate stage publishes the folder named by $INDEX_TEST_SHARDS."""
    return registry("given_curate")


def cli(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_cli("run", "stage=index", "registry=tests.support.index:registry", *project_paths(root), *args,
                   check=check, timeout=600)


def cli_on(root: Path, shards: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """The index stage through the real CLI on the shards folder ``shards`` as curate's output."""
    return run_cli("run", "stage=index", "registry=tests.support.index:given_registry", *project_paths(root),
                   "index.select.url_prefixes=[]", "index.eval_sets=[]", *args, env={"INDEX_TEST_SHARDS": str(shards)},
                   check=check, timeout=600)


def artifact(root: Path, stage: str = "index") -> Path:
    [manifest] = (root / "artifacts" / stage).glob("*/manifest.json")
    return manifest.parent

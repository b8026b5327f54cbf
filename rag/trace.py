"""From a retrieved chunk back to the raw crawl: chunk -> curated shard row -> raw file and line.

The chain follows the manifests, never guessed paths: the index artifact's manifest names the
curate artifact it was built from; that artifact's "shards" output holds the curated row and its
"decisions" output maps every raw document id to the file and line it was read from.
"""

from __future__ import annotations

import json
from pathlib import Path


class TraceError(Exception):
    """The chunk or one link of its provenance chain cannot be found."""


def _manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    if not path.is_file():
        raise TraceError(f"{folder} is not a pipeline artifact (no manifest.json)")
    return json.loads(path.read_text())


def _output(folder: Path, manifest: dict, name: str) -> Path:
    if name not in manifest.get("outputs", {}):
        raise TraceError(f"{folder}: artifact has no output '{name}'")
    return folder / manifest["outputs"][name]


def find_chunk(index_dir: Path, chunk_id: str) -> dict:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(Path(index_dir) / "chunks.parquet")
    rows = table.filter(pc.equal(table["chunk_id"], chunk_id)).to_pylist()
    if not rows:
        raise TraceError(f"chunk '{chunk_id}' is not in {index_dir}/chunks.parquet")
    return rows[0]


def raw_line(path: Path, line: int) -> str:
    """The 1-based ``line`` of a text file (bytes decoded leniently: raw crawls hold bad bytes)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            if number == line:
                return raw.decode("utf-8", errors="replace").rstrip("\n")
    raise TraceError(f"{path} has fewer than {line} lines")


def trace(artifact: Path, chunk_id: str) -> dict:
    """Provenance of one chunk of an index artifact: chunk, curated row, raw record."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    artifact = Path(artifact).resolve()
    manifest = _manifest(artifact)
    chunk = find_chunk(_output(artifact, manifest, "index"), chunk_id)
    result: dict = {"chunk": chunk, "index_artifact": str(artifact)}
    curate_ref = manifest.get("inputs", {}).get("curate")
    if not curate_ref:
        raise TraceError(f"{artifact}: the manifest names no curate input")
    curate = Path(curate_ref["path"])
    curate_manifest = _manifest(curate)
    result["curate_artifact"] = str(curate)
    shard = _output(curate, curate_manifest, "shards") / chunk["shard"]
    if not shard.is_file():
        raise TraceError(f"curated shard {shard} no longer exists")
    table = pq.read_table(shard)
    if chunk["row"] >= table.num_rows:
        raise TraceError(f"{shard} has {table.num_rows} rows; chunk points to row {chunk['row']}")
    curated = table.slice(chunk["row"], 1).to_pylist()[0]
    if str(curated.get("id")) != chunk["doc_id"]:
        raise TraceError(f"{shard} row {chunk['row']} holds document {curated.get('id')}, not {chunk['doc_id']}")
    result["curated"] = {"shard": str(shard), "row": chunk["row"], **curated}
    if "decisions" in curate_manifest.get("outputs", {}):
        decisions = pq.read_table(_output(curate, curate_manifest, "decisions"))
        match = decisions.filter(pc.equal(decisions["id"], chunk["doc_id"])).to_pylist()
        if match:
            where = match[0]
            result["raw"] = {"file": where["file"], "line": where["line"], "status": where.get("status")}
            if Path(where["file"]).is_file():
                result["raw"]["record"] = raw_line(Path(where["file"]), int(where["line"]))
    return result


def format_trace(found: dict, width: int = 400) -> str:
    chunk = found["chunk"]
    lines = [
        f"chunk      {chunk['chunk_id']}  ({chunk['words']} words, position {chunk['position']} in its section)",
        (f"section    {chunk['section_id']} {chunk['section_title']}".rstrip()
         + (f"  [chapter: {chunk['chapter']}]" if chunk["chapter"] else "")),
        f"text       {chunk['text'][:width]!r}",
        f"index      {found['index_artifact']}",
        (f"curated    {found['curated']['shard']} row {found['curated']['row']}  id={found['curated']['id']}"
         f"  url={found['curated'].get('url')}"),
    ]
    raw = found.get("raw")
    if raw:
        lines.append(f"raw        {raw['file']} line {raw['line']}  (curate decision: {raw['status']})")
        if "record" in raw:
            lines.append(f"raw record {raw['record'][:width]}")
    else:
        lines.append("raw        (the curate artifact has no decisions output: raw line unknown)")
    return "\n".join(lines)

"""The export bundle's index (``bundle.json``): what is where, and the digest of every file.

The bundle is copied to devices and servers on its own, without the pipeline's artifact store,
so it carries its own integrity record: ``Generator.open`` checks it before loading anything and
names the first missing, truncated or altered file instead of failing deep inside a runtime.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

BUNDLE_FILE = "bundle.json"
FORMAT = 1
_SKIP = {BUNDLE_FILE, "manifest.json", "manifest.json.partial"}
# "fast" re-hashes files up to this size and checks only the size of larger ones (weights).
FAST_HASH_LIMIT = 8 * 1024 * 1024


class BundleError(ValueError):
    """A bundle that is missing, incomplete or altered since export."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_records(root: Path) -> dict[str, dict[str, Any]]:
    records = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel in _SKIP:
            continue
        records[rel] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
    return records


def write_index(root: Path, index: dict[str, Any]) -> dict[str, Any]:
    """Write ``bundle.json`` (layout + file digests) last, once every file is in place."""
    data = {"format": FORMAT, **index, "files": file_records(root)}
    (root / BUNDLE_FILE).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data


def read_index(root: Path, verify: str = "fast") -> dict[str, Any]:
    """The bundle's index after checking its files (``verify``: full | fast | none)."""
    root = Path(root)
    path = root / BUNDLE_FILE
    if not path.is_file():
        raise BundleError(f"{root}: no {BUNDLE_FILE} (not an export bundle, or an incomplete one)")
    try:
        index = json.loads(path.read_text())
    except ValueError as err:
        raise BundleError(f"{path}: corrupt index ({err})") from None
    if index.get("format") != FORMAT or not isinstance(index.get("files"), dict):
        raise BundleError(f"{path}: unknown bundle format {index.get('format')!r}")
    if verify != "none":
        problems = check_files(root, index["files"], full=verify == "full")
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise BundleError(f"{root}: corrupt bundle: {problems[0]}{more}")
    return index


def check_safetensors(path: Path) -> None:
    """Raise ``BundleError`` naming ``path`` when it is not a whole safetensors file: the header
    (8-byte length, JSON) must parse and its tensors must end exactly at the end of the file.
    Reads only the header, so it is cheap on GBs of weights and catches what the size-only "fast"
    verification and ``verify=none`` let through (a damaged header, a plain HF folder cut short)
    before safetensors/torch fail with an error that does not name the file."""
    import struct

    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(8)
        if len(head) < 8:
            raise BundleError(f"{path}: truncated safetensors file ({size} bytes, no header)")
        length = struct.unpack("<Q", head)[0]
        if 8 + length > size:
            raise BundleError(f"{path}: truncated or corrupt safetensors file (header of {length} bytes, file has {size})")
        try:
            header = json.loads(handle.read(length))
            end = max((int(t["data_offsets"][1]) for k, t in header.items() if k != "__metadata__"), default=0)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as err:
            raise BundleError(f"{path}: corrupt safetensors header ({type(err).__name__})") from None
    if 8 + length + end != size:
        state = "truncated" if 8 + length + end > size else "corrupt"
        raise BundleError(f"{path}: {state} safetensors file (its tensors end at byte {8 + length + end}, "
                          f"the file has {size})")


def check_weights(folder: Path) -> None:
    """``check_safetensors`` on every ``*.safetensors`` file directly in ``folder``."""
    for path in sorted(Path(folder).glob("*.safetensors")):
        check_safetensors(path)


def check_files(root: Path, files: dict[str, dict[str, Any]], full: bool) -> list[str]:
    problems = []
    for rel, meta in files.items():
        path = root / rel
        if not path.is_file():
            problems.append(f"missing {rel}")
        elif path.stat().st_size != meta["bytes"]:
            problems.append(f"{rel} has {path.stat().st_size} bytes, expected {meta['bytes']}")
        elif (full or meta["bytes"] <= FAST_HASH_LIMIT) and sha256(path) != meta["sha256"]:
            problems.append(f"{rel} was modified (sha256 mismatch)")
    return problems

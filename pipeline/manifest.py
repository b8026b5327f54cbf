"""The manifest: the self-description of one stage output folder (written last, read first)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.hashing import hash_tree, sha256_file, sha256_value

MANIFEST_NAME = "manifest.json"


@dataclass
class Manifest:
    stage: str
    key: str
    project_version: str
    config: dict[str, Any]
    inputs: dict[str, dict[str, str]]  # upstream stage -> {"key", "digest", "path"}
    outputs: dict[str, str]  # output name -> path relative to the artifact folder
    files: dict[str, dict[str, Any]]  # relative path -> {"sha256", "bytes"}
    metrics: dict[str, Any]
    packages: dict[str, str]
    started_at: str
    finished_at: str
    duration_s: float
    host: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # Files that record how the run went (timings, throughput), not what it made: hashed and
    # verified like the others, but left out of ``digest``.
    volatile_files: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """Identity of the artifact's *content*: its key plus the hashes of its files.

        Downstream keys use this instead of the manifest bytes so that re-running a deterministic
        stage (new timestamps, same files) does not invalidate everything below it; volatile files
        (a report's timings) are left out for the same reason.
        """
        skip = set(self.volatile_files)
        return sha256_value({"key": self.key, "files": {k: v["sha256"] for k, v in self.files.items() if k not in skip}})

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, default=str) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Manifest":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


class ManifestError(RuntimeError):
    pass


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_NAME
    try:
        return Manifest.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError) as err:
        raise ManifestError(f"{path}: unreadable manifest ({err})") from err


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write atomically and durably: the manifest's presence is what marks a folder complete."""
    tmp = folder / (MANIFEST_NAME + ".partial")
    with open(tmp, "w") as handle:
        handle.write(manifest.to_json())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / MANIFEST_NAME)


def verify_files(folder: Path, manifest: Manifest, mode: str = "full") -> list[str]:
    """Return problems (missing, resized or changed files); an empty list means intact.

    ``fast`` checks presence and size only, for artifacts too large to re-hash on every run.
    """
    problems: list[str] = []
    for rel, meta in manifest.files.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"missing file {rel}")
        elif path.stat().st_size != meta["bytes"]:
            problems.append(f"size changed: {rel}")
        elif mode == "full" and sha256_file(path) != meta["sha256"]:
            problems.append(f"hash mismatch: {rel}")
    return problems


def hash_outputs(folder: Path) -> dict[str, dict[str, Any]]:
    return hash_tree(folder, skip=frozenset({MANIFEST_NAME, MANIFEST_NAME + ".partial"}))

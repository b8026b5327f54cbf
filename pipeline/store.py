"""Content-addressed artifact store: ``<root>/<stage>/<key>/`` folders that are complete or absent.

A stage writes into a private temporary folder; only after every file is hashed and the manifest
is written (last) is the folder renamed into place. A killed process therefore leaves at most a
``.tmp-*`` folder, never a half-written artifact that looks complete.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from pipeline.manifest import MANIFEST_NAME, Manifest, ManifestError, read_manifest, write_manifest
from pipeline.stage import Artifact

KEY_CHARS = 16  # 64 bits of the sha256: enough to never collide within one project


class ArtifactStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, stage: str, key: str) -> Path:
        return self.root / stage / key[:KEY_CHARS]

    def work_dir(self, stage: str, key: str) -> Path:
        """Scratch space that survives a killed attempt (resumable checkpoints live here)."""
        return self.root / stage / f".work-{key[:KEY_CHARS]}"

    def lookup(self, stage: str, key: str) -> Artifact | None:
        folder = self.folder(stage, key)
        if not (folder / MANIFEST_NAME).is_file():
            return None
        manifest = read_manifest(folder)
        if manifest.key != key:
            raise ManifestError(f"{folder}: manifest key {manifest.key[:KEY_CHARS]} != folder key")
        return Artifact(folder, manifest)

    def history(self, stage: str) -> list[Artifact]:
        """Every complete artifact of a stage, newest first (by finish time in the manifest)."""
        found: list[Artifact] = []
        stage_root = self.root / stage
        if not stage_root.is_dir():
            return found
        for folder in stage_root.iterdir():
            if folder.name.startswith(".") or not (folder / MANIFEST_NAME).is_file():
                continue
            try:
                found.append(Artifact(folder, read_manifest(folder)))
            except ManifestError:
                continue
        return sorted(found, key=lambda a: a.manifest.finished_at, reverse=True)

    @contextmanager
    def lock(self, stage: str, key: str) -> Iterator[None]:
        """Serialise work on one (stage, key): parallel sweep points wait instead of redoing it."""
        path = self.root / stage / f".{key[:KEY_CHARS]}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def new_temp_folder(self, stage: str, key: str) -> Path:
        folder = self.root / stage / f".tmp-{key[:KEY_CHARS]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        folder.mkdir(parents=True)
        return folder

    def commit(self, temp: Path, manifest: Manifest) -> Artifact:
        """Write the manifest last, then rename the folder into place (replacing a corrupt one)."""
        write_manifest(temp, manifest)
        final = self.folder(manifest.stage, manifest.key)
        if final.exists():
            trash = final.with_name(f".trash-{final.name}-{uuid.uuid4().hex[:6]}")
            os.replace(final, trash)
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(temp, final)
        _fsync_dir(final.parent)
        return Artifact(final, manifest)

    def discard(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def clean_stale_temps(self, stage: str) -> int:
        """Remove temp folders left by killed processes (their pid is gone)."""
        removed = 0
        stage_root = self.root / stage
        if not stage_root.is_dir():
            return removed
        for folder in stage_root.glob(".tmp-*"):
            pid = folder.name.split("-")[2] if folder.name.count("-") >= 3 else ""
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed


def write_experiment_view(root: Path, name: str, used: dict[str, Artifact]) -> Path:
    """``<root>/<name>/``: a symlink per stage to the artifact this experiment last used + index.json."""
    view = root / name
    view.mkdir(parents=True, exist_ok=True)
    index_path = view / "index.json"
    index = json.loads(index_path.read_text()) if index_path.is_file() else {}
    for stage, artifact in used.items():
        index[stage] = {
            "key": artifact.manifest.key[:KEY_CHARS],
            "path": str(artifact.path),
            "finished_at": artifact.manifest.finished_at,
            "metrics": artifact.manifest.metrics,
        }
        link = view / stage
        tmp_link = view / f".{stage}.link-{uuid.uuid4().hex[:6]}"
        os.symlink(os.path.relpath(artifact.path, view), tmp_link)
        os.replace(tmp_link, link)
    tmp_index = view / f".index.json.{uuid.uuid4().hex[:6]}"
    tmp_index.write_text(json.dumps(index, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp_index, index_path)
    return view


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

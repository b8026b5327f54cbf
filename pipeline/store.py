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
import socket
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from pipeline.manifest import MANIFEST_NAME, Manifest, ManifestError, read_manifest, write_manifest
from pipeline.stage import Artifact

KEY_CHARS = 16  # 64 bits of the sha256: enough to never collide within one project
# Seconds to wait between writing the manifest and publishing the folder. Only the kill -9 contract
# test sets it: without it, on a loaded machine a stage could publish before the test's kill landed.
HOLD_BEFORE_COMMIT_ENV = "PIPELINE_TEST_HOLD_BEFORE_COMMIT_S"


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

    def lock_path(self, stage: str, key: str) -> Path:
        return self.root / stage / f".{key[:KEY_CHARS]}.lock"

    @contextmanager
    def lock(self, stage: str, key: str, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Serialise work on one (stage, key): parallel sweep points wait instead of redoing it.

        The holder writes its pid and host into the file, so a waiter can say whom it waits for
        (``waiting`` gets one line). Once the artifact is complete the holder removes the file; a
        process that locked a file another one just removed notices (the path no longer names
        its inode) and locks the new file instead, so removal never lets two processes in.
        """
        path = self.lock_path(stage, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        told = False
        while True:
            handle = open(path, "a+")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None and not told:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    waiting(f"waiting for {holder} to finish {stage} ({key[:KEY_CHARS]}); lock {path}")
                    told = True
                fcntl.flock(handle, fcntl.LOCK_EX)
            if _same_file(handle, path):
                break
            handle.close()  # removed (and maybe re-created) while we waited: lock the current one
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
            handle.flush()
            yield
            if self.lookup_quiet(stage, key) is not None:
                path.unlink(missing_ok=True)  # done: nobody needs to wait for this key any more
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def lookup_quiet(self, stage: str, key: str) -> Artifact | None:
        try:
            return self.lookup(stage, key)
        except ManifestError:
            return None

    def new_temp_folder(self, stage: str, key: str) -> Path:
        folder = self.root / stage / f".tmp-{key[:KEY_CHARS]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        folder.mkdir(parents=True)
        return folder

    def commit(self, temp: Path, manifest: Manifest) -> Artifact:
        """Write the manifest last, then rename the folder into place (replacing a corrupt one)."""
        write_manifest(temp, manifest)
        hold = float(os.environ.get(HOLD_BEFORE_COMMIT_ENV) or 0)
        if hold > 0:  # fault injection for the kill -9 contract test (tests/pipeline/test_stage_contract.py)
            time.sleep(hold)
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
        """Remove what killed processes left: temp folders (their pid is gone), work folders of keys
        whose artifact is complete, and lock files nobody holds. Work folders of unfinished keys
        stay: they are what a re-run resumes from."""
        removed = 0
        stage_root = self.root / stage
        if not stage_root.is_dir():
            return removed
        for folder in stage_root.glob(".tmp-*"):
            pid = folder.name.split("-")[2] if folder.name.count("-") >= 3 else ""
            if pid.isdigit() and not _pid_alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        for folder in stage_root.glob(".work-*"):
            if (stage_root / folder.name.removeprefix(".work-") / MANIFEST_NAME).is_file():
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        for lock in stage_root.glob(".*.lock"):
            removed += _remove_if_unheld(lock)
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


def _same_file(handle, path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _remove_if_unheld(lock: Path) -> int:
    """Remove a lock file only while holding it (see ArtifactStore.lock for why that is safe)."""
    try:
        handle = open(lock, "a+")
    except OSError:
        return 0
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return 0
    try:
        if _same_file(handle, lock):
            lock.unlink(missing_ok=True)
            return 1
        return 0
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


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

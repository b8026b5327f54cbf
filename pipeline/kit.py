"""The stage kit: small helpers every stage adapter uses, so no stage re-writes them.

- ``resumable``: a step whose finished output survives a killed attempt (datatrove's completion
  markers): done once, reused while its inputs (the stamp) are unchanged.
- ``publish_tree``: place a prepared folder into the artifact without copying GBs (hard links).
- ``plain``: a typed config (dataclasses, enums) as plain data, for reports.
- ``user_errors``: map a stage's own exceptions (bad input, bad values) to the one-line errors the
  CLI prints, so stage logic never imports pipeline types.

These are plain functions on paths and values: logic modules may use ``resumable`` and
``publish_tree``; only adapters (``<package>/stage.py``) use ``user_errors``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from pipeline.errors import ConfigError, StageFailed

DONE_SUFFIX = ".done.json"


def done_marker(folder: Path) -> Path:
    return folder.with_name(folder.name + DONE_SUFFIX)


def resumable(folder: Path, stamp: Mapping[str, Any], build: Callable[[Path], Any]) -> bool:
    """Make ``folder`` with ``build(folder)`` unless a finished one with the same stamp exists.

    The marker (``<folder>.done.json`` holding the stamp) is written only after ``build``
    returns, so a folder without it is a killed attempt and is rebuilt from scratch. Returns
    True when an earlier attempt's folder was reused.
    """
    marker = done_marker(folder)
    wanted = json.loads(json.dumps(dict(stamp), sort_keys=True, default=str))
    if marker.is_file() and folder.exists():
        try:
            if json.loads(marker.read_text()) == wanted:
                return True
        except ValueError:
            pass  # a torn marker: rebuild
    marker.unlink(missing_ok=True)
    if folder.is_dir():
        shutil.rmtree(folder)
    elif folder.exists():
        folder.unlink()
    folder.parent.mkdir(parents=True, exist_ok=True)
    build(folder)
    tmp = marker.with_name(marker.name + f".{os.getpid()}")
    tmp.write_text(json.dumps(wanted, sort_keys=True))
    os.replace(tmp, marker)
    return False


def publish_tree(source: Path, target: Path) -> None:
    """Hard-link (same file system: no copy of GBs of shards) or copy ``source``'s files into ``target``."""
    source, target = Path(source), Path(target)
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(source, target)
        return
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_dir():
            publish_tree(item, target / item.name)
        else:
            _link_or_copy(item, target / item.name)


def _link_or_copy(item: Path, dest: Path) -> None:
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    try:
        os.link(item, dest)
    except OSError:
        shutil.copy2(item, dest)


def plain(value: Any) -> Any:
    """A typed config (dataclasses, enums, containers) as plain JSON-able data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@contextmanager
def user_errors(
    failed: tuple[type[BaseException], ...] = (), config: tuple[type[BaseException], ...] = ()
) -> Iterator[None]:
    """Turn the listed exception types into one-line CLI errors (exit 1 / exit 2).

    ``failed``: bad input or a broken upstream artifact (the stage cannot produce its outputs);
    ``config``: a value the user set is invalid. Anything else is a bug and keeps its traceback.
    """
    try:
        yield
    except config as err:  # type: ignore[misc]
        raise ConfigError(_first_line(err)) from None
    except failed as err:  # type: ignore[misc]
        raise StageFailed(_first_line(err)) from None


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """torch's intra-op thread count set to ``threads`` (> 0; 0 keeps torch's own) for the block only: the count
    is process-wide, so one stage's setting (train.threads) would otherwise hold for the next stages of the run."""
    if threads <= 0:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def validate_section(name: str, value: Any) -> None:
    """Run a config dataclass's ``validate()`` (if it has one), recursively into nested sections.

    ``validate`` raises ValueError with a message naming the dotted key; it becomes a ConfigError
    before any stage runs, so ``train.steps=-5`` fails in a second, not after curation.
    """
    if not (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        return
    check = getattr(value, "validate", None)
    try:
        if callable(check):
            check()
    except (ValueError, TypeError) as err:
        raise ConfigError(_first_line(err)) from None
    for f in dataclasses.fields(value):
        validate_section(f"{name}.{f.name}", getattr(value, f.name))

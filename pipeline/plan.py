"""Cache keys and stage states: what is up to date, what is stale and why.

A stage's key hashes its own resolved config sections, the content digests of its upstream
artifacts, a fingerprint of the external files its config names, and the project version.
Nothing else: changing another stage's config never invalidates this one.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline import __version__
from pipeline.hashing import canonical_json, sha256_file, sha256_value
from pipeline.manifest import verify_files
from pipeline.registry import StageSpec
from pipeline.stage import Artifact
from pipeline.store import KEY_CHARS, ArtifactStore

State = Literal["up-to-date", "stale", "missing", "corrupt"]



@dataclass
class StageState:
    name: str
    state: State
    reason: str
    key: str | None = None
    artifact: Artifact | None = None
    inputs: dict[str, Artifact] = field(default_factory=dict)
    external: dict[str, str] = field(default_factory=dict)


def compute_key(
    name: str,
    sections: dict[str, Any],
    inputs: dict[str, Artifact],
    external: dict[str, str],
    version: str = __version__,
) -> str:
    return sha256_value(
        {
            "stage": name,
            "config": sections,
            "inputs": {up: art.manifest.digest for up, art in sorted(inputs.items())},
            "external": external,
            "version": version,
        }
    )


def external_fingerprint(sections: dict[str, Any], keys: tuple[str, ...], root: Path, cache: Path) -> dict[str, str]:
    """Content digest of every file named by the stage's external-input keys.

    Their content, not just their path, belongs in the key: editing the raw corpus must re-run
    curation although no config value changed. Digests are cached by (size, mtime) as git's index
    does, so an unchanged 100 GB corpus is not re-read on every run.
    """
    known = _read_hash_cache(cache)
    found: dict[str, str] = {}
    for dotted in keys:
        section, _, field_name = dotted.partition(".")
        value = (sections.get(section) or {}).get(field_name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item and item != "???":
                for path in _expand(item, root):
                    found[str(path)] = _cached_digest(path, known)
    _write_hash_cache(cache, known)
    return found


def _expand(spec: str, root: Path) -> list[Path]:
    path = Path(spec) if Path(spec).is_absolute() else root / spec
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    if path.is_file():
        return [path]
    return sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())


def _cached_digest(path: Path, known: dict[str, dict[str, Any]]) -> str:
    stat = path.stat()
    entry = known.get(str(path))
    if entry and entry["bytes"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
        return entry["sha256"]
    digest = sha256_file(path)
    known[str(path)] = {"bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    return digest


def _read_hash_cache(cache: Path) -> dict[str, dict[str, Any]]:
    try:
        return json.loads(cache.read_text())
    except (OSError, ValueError):
        return {}


def _write_hash_cache(cache: Path, known: dict[str, dict[str, Any]]) -> None:
    """Best effort and atomic: a lost race only costs a re-hash next time."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}")
        tmp.write_text(json.dumps(known, sort_keys=True))
        os.replace(tmp, cache)
    except OSError:
        pass


def stage_key(spec: StageSpec, sections: dict[str, Any], inputs: dict[str, Artifact], store: ArtifactStore,
              root: Path) -> str:
    """The cache key alone, without looking at (or re-hashing) any existing artifact."""
    return _identity(spec, sections, inputs, store, root)[2]


def _identity(
    spec: StageSpec, sections: dict[str, Any], inputs: dict[str, Artifact], store: ArtifactStore, root: Path
) -> tuple[dict[str, Any], dict[str, str], str]:
    """(keyed sections, external-input digests, key): what identifies the artifact to make."""
    sections = keyed_sections(sections, spec.volatile)
    external = external_fingerprint(sections, spec.external_inputs, root, store.root / ".input-hashes.json")
    return sections, external, compute_key(spec.name, sections, inputs, external)


def evaluate(
    spec: StageSpec,
    sections: dict[str, Any],
    upstream_artifacts: dict[str, Artifact | None],
    store: ArtifactStore,
    root: Path,
    verify: str,
    reference: Artifact | None = None,
) -> StageState:
    """State of one stage given its upstream artifacts (None where an upstream is not made yet).

    ``reference`` is the artifact to explain staleness against (the experiment's last one);
    by default the stage's newest artifact.
    """
    waiting = [up for up in spec.upstream if upstream_artifacts.get(up) is None]
    if waiting:
        # Its key cannot be known before the upstream exists; it will be re-made after it.
        state: State = "stale" if (reference or store.history(spec.name)) else "missing"
        return StageState(spec.name, state, f"upstream {', '.join(waiting)} not up to date")
    inputs: dict[str, Artifact] = {up: upstream_artifacts[up] for up in spec.upstream}  # type: ignore[misc]
    sections, external, key = _identity(spec, sections, inputs, store, root)
    found = StageState(spec.name, "missing", "never made", key, None, inputs, external)
    artifact = store.lookup(spec.name, key)
    if artifact is not None:
        found.artifact = artifact
        problems = verify_files(artifact.path, artifact.manifest, verify)
        if problems:
            more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
            found.state, found.reason = "corrupt", "; ".join(problems[:3]) + more
        else:
            found.state, found.reason = "up-to-date", f"made {artifact.manifest.finished_at}"
        return found
    if reference is None:
        history = store.history(spec.name)
        reference = history[0] if history else None
    if reference is not None:
        found.state, found.reason = "stale", explain_change(reference, sections, inputs, external, spec.volatile)
    return found


def keyed_sections(sections: dict[str, Any], volatile: tuple[str, ...] = ()) -> dict[str, Any]:
    """The config that identifies an artifact: JSON-normalised, minus execution-only keys.

    JSON normalisation makes the live config compare equal to the copy read back from a manifest
    (int dict keys become strings there). ``volatile`` keys (e.g. ``curate.cluster``) change how a
    stage runs, not what it makes, so they stay out of the key and out of "stale because".
    """
    plain = json.loads(canonical_json(sections))
    for dotted in volatile:
        *parents, leaf = dotted.split(".")
        node = plain
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(leaf, None)
    return plain


def explain_change(
    reference: Artifact, sections: dict[str, Any], inputs: dict[str, Artifact], external: dict[str, str],
    volatile: tuple[str, ...] = (),
) -> str:
    old = reference.manifest
    reasons: list[str] = []
    changed = diff_config(keyed_sections(old.config, volatile), sections)
    if changed:
        shown = ", ".join(changed[:4]) + (f" (+{len(changed) - 4} more)" if len(changed) > 4 else "")
        reasons.append(f"config changed: {shown}")
    for up, art in sorted(inputs.items()):
        old_input = old.inputs.get(up)
        if old_input is None or old_input.get("digest") != art.manifest.digest:
            was = (old_input or {}).get("key", "none")[:KEY_CHARS]
            reasons.append(f"upstream {up} changed ({was} -> {art.manifest.key[:KEY_CHARS]})")
    old_external = old.extra.get("external", {})
    changed_files = sorted(set(old_external) ^ set(external)) + sorted(
        p for p in set(old_external) & set(external) if old_external[p] != external[p]
    )
    if changed_files:
        reasons.append(f"input files changed: {', '.join(Path(p).name for p in changed_files[:3])}")
    if old.project_version != __version__:
        reasons.append(f"project version {old.project_version} -> {__version__}")
    return "; ".join(reasons) or "key differs (no visible cause)"


def diff_config(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ, with old -> new values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            sub = f"{prefix}.{key}" if prefix else str(key)
            if key not in old:
                out.append(f"{sub} (added)")
            elif key not in new:
                out.append(f"{sub} (removed)")
            else:
                out.extend(diff_config(old[key], new[key], sub))
        return out
    return [] if old == new else [f"{prefix} ({_short(old)} -> {_short(new)})"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

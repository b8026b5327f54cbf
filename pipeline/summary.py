"""``pipeline show``: a human summary of one artifact (``--json`` prints the whole manifest)."""

from __future__ import annotations

from typing import Any

from pipeline.manifest import Manifest
from pipeline.stage import Artifact
from pipeline.store import KEY_CHARS

MAX_METRICS = 24


def summary_lines(artifact: Artifact, state: str) -> list[str]:
    m: Manifest = artifact.manifest
    lines = [
        f"stage      {m.stage} ({state})",
        f"key        {m.key[:KEY_CHARS]}",
        f"folder     {artifact.path}",
        f"made       {m.finished_at} in {m.duration_s:.1f} s on {m.host or '?'} (project {m.project_version})",
    ]
    if m.inputs:
        lines.append("inputs")
        for up, ref in sorted(m.inputs.items()):
            lines.append(f"  {up:<12} {ref.get('key', '')[:KEY_CHARS]}  {ref.get('path', '')}")
    external = m.extra.get("external", {})
    if external:
        lines.append(f"input files {len(external)} (content hashed into the key)")
        for path in list(external)[:5]:
            lines.append(f"  {path}")
        if len(external) > 5:
            lines.append(f"  ... {len(external) - 5} more")
    lines.append("outputs")
    for name, rel in sorted(m.outputs.items()):
        files = [f for f in m.files if f == rel or f.startswith(rel.rstrip("/") + "/")]
        size = sum(m.files[f]["bytes"] for f in files)
        lines.append(f"  {name:<12} {rel}  ({len(files)} file{'s' if len(files) != 1 else ''}, {_size(size)})")
    scalars = list(_scalars(m.metrics))
    if scalars:
        lines.append("metrics")
        for key, value in scalars[:MAX_METRICS]:
            lines.append(f"  {key:<40} {value}")
        if len(scalars) > MAX_METRICS:
            lines.append(f"  ... {len(scalars) - MAX_METRICS} more (show --json)")
    return lines


def _scalars(metrics: dict[str, Any], prefix: str = "", depth: int = 0):
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool) or isinstance(value, (int, str)):
            yield name, value
        elif isinstance(value, float):
            yield name, f"{value:.4g}"
        elif isinstance(value, dict) and depth < 1:
            yield from _scalars(value, f"{name}.", depth + 1)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"

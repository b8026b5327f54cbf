"""Dependency order and selection over the registry."""

from __future__ import annotations

from pipeline.registry import Registry


def topological_order(registry: Registry) -> list[str]:
    """Kahn's algorithm, ties broken by registry order so the plan is stable and readable."""
    remaining = {spec.name: set(spec.upstream) for spec in registry.specs()}
    order: list[str] = []
    while remaining:
        ready = [name for name in registry.names if name in remaining and not remaining[name]]
        if not ready:
            raise ValueError(f"dependency cycle among stages: {', '.join(sorted(remaining))}")
        for name in ready:
            order.append(name)
            del remaining[name]
        for deps in remaining.values():
            deps.difference_update(ready)
    return order


def upstream_closure(registry: Registry, names: list[str]) -> set[str]:
    """The named stages plus everything they transitively depend on."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(registry[name].upstream)
    return seen


def select(registry: Registry, stage: object) -> tuple[list[str], list[str]]:
    """Resolve the ``stage`` config value to (requested stages, stages to consider in order).

    Upstream stages of a request are included so their cache state can be checked; they are
    skipped when up to date and (re)made when not, as ``make`` would.
    """
    if stage in (None, "all"):
        requested = registry.names
    elif isinstance(stage, str):
        requested = [stage]
    else:
        requested = [str(s) for s in stage]
    for name in requested:
        registry[name]  # raises with the list of valid names
    needed = upstream_closure(registry, requested)
    return requested, [name for name in topological_order(registry) if name in needed]

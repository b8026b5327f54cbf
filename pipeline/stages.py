"""The one explicit list of stage packages. Adding a stage adds one line here.

Each entry names a spec module (``<package>/spec.py`` with a ``SPEC``); it is imported when the
registry or the root config is built, never at ``import pipeline``. Spec modules import only their
package's config dataclasses, so this costs no torch/dask import.
"""

from __future__ import annotations

import importlib

from pipeline.spec import StageSpec

# Order matters only for display and tie-breaking in the plan: the DAG comes from ``upstream``.
STAGE_SPECS = (
    "curator.spec",
    "train.spec",
    "customize.spec",
    "infer.spec",
    "rag.spec",
    "guardrails.spec",
)


def declared_specs(modules: tuple[str, ...] = STAGE_SPECS) -> list[StageSpec]:
    specs = []
    for module_name in modules:
        spec = getattr(importlib.import_module(module_name), "SPEC", None)
        if not isinstance(spec, StageSpec):
            raise TypeError(f"{module_name} must define SPEC = StageSpec(...), found {type(spec).__name__}")
        specs.append(spec)
    return specs

"""The root schema is built from the stage specs, and defaults are written once: a dataclass default
must equal the YAML's value (YAML holds values; a drifted dataclass default would silently apply
whenever the YAML group is swapped or a test builds the dataclass directly)."""

from __future__ import annotations

import dataclasses
from enum import Enum

from omegaconf import OmegaConf

from pipeline.config import CoreConfig, pipeline_schema
from pipeline.stages import declared_specs


def test_root_schema_is_core_keys_plus_every_declared_section():
    fields = [f.name for f in dataclasses.fields(pipeline_schema())]
    core = [f.name for f in dataclasses.fields(CoreConfig)]
    sections = [s for spec in declared_specs() for s in spec.config]
    assert fields == core + sections
    assert len(set(sections)) == len(sections)


def test_importing_pipeline_pulls_in_no_stage_or_heavy_library():
    import subprocess
    import sys

    code = ("import sys, pipeline, pipeline.cli, pipeline.runner, pipeline.config; "
            "heavy = [m for m in ('torch', 'dask', 'curator', 'train', 'rag', 'infer', 'guardrails', 'customize', "
            "'transformers', 'faiss') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _leaves(schema: type, node, prefix: str):
    for f in dataclasses.fields(schema):
        key = f"{prefix}.{f.name}"
        value = node[f.name] if f.name in node else None
        if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default = f.default_factory()  # type: ignore[misc]
            if dataclasses.is_dataclass(default):
                yield from _leaves(type(default), value, key)
                continue
        else:
            default = f.default
        if default is dataclasses.MISSING or default == "???":
            continue
        yield key, default, value


def test_dataclass_defaults_equal_the_yaml_values(compose_cfg):
    cfg = compose_cfg(["preset=none"])
    drifted = []
    for spec in declared_specs():
        for section, schema in spec.config.items():
            node = OmegaConf.to_container(cfg[section], resolve=False)
            for key, default, value in _leaves(schema, node, section):
                if isinstance(default, Enum):
                    default = default.value
                if isinstance(value, str) and "${" in value:
                    continue  # an interpolation: the YAML computes it from other keys
                if value != default:
                    drifted.append(f"{key}: dataclass {default!r} != yaml {value!r}")
    assert drifted == []

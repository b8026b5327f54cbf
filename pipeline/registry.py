"""The registry: stage specs by name, built from the explicit list in pipeline/stages.py.

Nothing registers itself at import time. Implementations are named by import path in each spec
and imported only when the stage runs, so that ``import pipeline`` (and ``pipeline status``)
never pulls in torch, dask or GPU libraries.
"""

from __future__ import annotations

import importlib
from typing import Iterable

from pipeline.errors import ConfigError
from pipeline.spec import StageSpec

__all__ = ["Registry", "StageSpec", "default_registry", "load_registry"]


class Registry:
    def __init__(self, specs: Iterable[StageSpec]):
        self._specs: dict[str, StageSpec] = {}
        owners: dict[str, str] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"stage '{spec.name}' registered twice")
            for section in spec.config:
                if section in owners:
                    raise ValueError(f"config section '{section}' declared by both '{owners[section]}' and '{spec.name}'")
                owners[section] = spec.name
            self._specs[spec.name] = spec
        for spec in self._specs.values():
            for up in spec.upstream:
                if up not in self._specs:
                    raise ValueError(f"stage '{spec.name}' depends on unknown stage '{up}'")

    def __getitem__(self, name: str) -> StageSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise ConfigError(f"unknown stage '{name}'; valid stages: {', '.join(self.names)}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._specs

    @property
    def names(self) -> list[str]:
        return list(self._specs)

    def specs(self) -> list[StageSpec]:
        return list(self._specs.values())


def default_registry() -> Registry:
    """curate -> train -> customize -> export; curate -> index; export + index -> assistant."""
    from pipeline.stages import declared_specs

    return Registry(declared_specs())


def load_registry(ref: str) -> Registry:
    """Resolve ``module:function`` (config key ``registry``) to a Registry."""
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"registry must be 'module:function', got '{ref}'")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"registry '{ref}' cannot be loaded: {err}") from None
    registry = factory()
    if not isinstance(registry, Registry):
        raise TypeError(f"{ref} returned {type(registry).__name__}, not a Registry")
    return registry

"""The explicit list of stages. Nothing registers itself at import time.

Implementations are named by import path and imported only when the stage runs, so that
``import pipeline`` (and ``pipeline status``) never pulls in torch, dask or GPU libraries.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Iterable

from pipeline.errors import ConfigError, StageNotImplemented
from pipeline.stage import Stage


@dataclass(frozen=True)
class StageSpec:
    name: str
    upstream: tuple[str, ...]
    sections: tuple[str, ...]
    impl: str | None  # "package.module:factory"; None while the owning issue is open
    tracked_by: str = ""  # where the missing implementation is tracked, for the error message
    # Dotted config keys naming external files (file, folder or glob): their content is hashed
    # into the cache key, so editing the raw corpus re-runs curation with no config change.
    external_inputs: tuple[str, ...] = ()
    # Dotted config keys that change how the stage runs, not what it makes (cluster size, number
    # of workers): left out of the cache key, so moving curation to Slurm does not re-run it.
    volatile: tuple[str, ...] = ()

    def load(self) -> Stage:
        if self.impl is None:
            raise StageNotImplemented(
                f"stage '{self.name}' is not implemented yet ({self.tracked_by}); "
                f"stages before it completed and their artifacts are kept"
            )
        module_name, _, attr = self.impl.partition(":")
        factory: Callable[[], Stage] = getattr(importlib.import_module(module_name), attr)
        stage = factory()
        if stage.name != self.name or tuple(stage.upstream) != self.upstream:
            raise TypeError(f"{self.impl} does not match its registry entry '{self.name}'")
        return stage


class Registry:
    def __init__(self, specs: Iterable[StageSpec]):
        self._specs: dict[str, StageSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise ValueError(f"stage '{spec.name}' registered twice")
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
    return Registry(
        [
            StageSpec(
                "curate", (), ("curate",), "curator.stage:CurateStage", "issue: Curate stage",
                external_inputs=("curate.input", "curate.ground_truth"), volatile=("curate.cluster",),
            ),
            StageSpec("train", ("curate",), ("train", "model"), "train.stage:TrainStage", "issue: Train stage"),
            StageSpec(
                "customize", ("train",), ("customize",), None, "issue: Customize stage",
                ("customize.inputs", "customize.command_schema"),
            ),
            StageSpec("export", ("customize",), ("export",), None, "issue: Export stage"),
            StageSpec("index", ("curate",), ("index",), None, "issue: RAG index stage", ("index.manual_dir",)),
            StageSpec(
                "assistant", ("export", "index"), ("assistant",), None, "issue: Assistant stage",
                ("assistant.eval_questions", "assistant.eval_attacks"),
            ),
        ]
    )


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

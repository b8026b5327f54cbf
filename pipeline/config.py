"""Config schemas (registered in Hydra's ConfigStore) and up-front validation of overrides.

YAML under ``configs/`` holds values; dataclasses hold the shape, so a misspelt key fails before
anything runs, with one line naming the key and what is valid there. The root schema is the core's
own keys (``CoreConfig``) plus every section the stage specs declare (pipeline/stages.py): the
core never imports a stage's config by name.
"""


import dataclasses
import functools
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.kit import plain
from pipeline.slurm.config import LauncherKind, SlurmConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "configs"


class VerifyMode(str, Enum):
    full = "full"  # re-hash every output file: catches any corruption
    fast = "fast"  # presence and size only: for artifacts too large to re-hash on every run


@dataclass
class PathsConfig:
    root: str = "${project_root:}"
    data: str = "${paths.root}/data"
    artifacts: str = "${paths.root}/artifacts"
    experiments: str = "${paths.root}/experiments"
    logs: str = "${paths.root}/outputs"


@dataclass
class CoreConfig:
    stage: Any = "all"  # "all", one stage name, or a list of names
    force: Any = False  # true, or a list of stage names to re-run although up to date
    experiment: str = "default"
    verify: VerifyMode = VerifyMode.full
    registry: str = "pipeline.registry:default_registry"
    launcher: LauncherKind = LauncherKind.local  # slurm: each stage not up to date becomes a Slurm job
    wait: bool = False  # launcher=slurm: follow the jobs to the end, streaming their states
    slurm: SlurmConfig = field(default_factory=SlurmConfig)  # job resources and timeouts (configs/slurm)
    paths: PathsConfig = field(default_factory=PathsConfig)


@functools.cache
def pipeline_schema() -> type:
    """The root schema: ``CoreConfig`` plus one field per section declared by the stage specs."""
    from pipeline.stages import declared_specs

    sections: list[tuple[str, type, Any]] = []
    for spec in declared_specs():
        for section, schema in spec.config.items():
            sections.append((section, schema, field(default_factory=schema)))
    return dataclasses.make_dataclass("PipelineConfig", sections, bases=(CoreConfig,))


def register() -> None:
    """Register resolvers and schemas. Called by the CLI and tests, never at import time."""
    from hydra.core.config_store import ConfigStore
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("project_root"):
        OmegaConf.register_new_resolver("project_root", lambda: str(PROJECT_ROOT))
    ConfigStore.instance().store(name="pipeline_schema", node=pipeline_schema())


def config_groups(config_dir: Path = CONFIG_DIR) -> dict[str, list[str]]:
    return {
        d.name: sorted(p.stem for p in d.glob("*.yaml"))
        for d in sorted(config_dir.iterdir())
        if d.is_dir() and d.name != "hydra"
    }


def check_overrides(overrides: list[str], config_dir: Path = CONFIG_DIR) -> None:
    """Reject unknown keys and unknown group choices with one line naming the valid ones."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    groups = config_groups(config_dir)
    try:
        parsed = OverridesParser.create().parse_overrides(overrides)
    except Exception as err:  # hydra's parser error text is already specific
        raise ConfigError(f"cannot parse overrides: {str(err).splitlines()[0]}") from None
    for override in parsed:
        key = override.key_or_group
        if key.startswith("hydra") or override.is_add() or override.is_delete():
            continue
        if key in groups:
            for choice in _choices(override):
                if choice not in groups[key]:
                    raise ConfigError(
                        f"unknown choice '{key}={choice}'; valid choices for '{key}': "
                        f"{', '.join(groups[key])}"
                    )
            continue
        _check_key(key)


def _choices(override: Any) -> list[str]:
    if override.is_sweep_override():
        return [str(v) for v in override.sweep_string_iterator()]
    return [str(override.value())]


def _check_key(dotted: str) -> None:
    node: Any = pipeline_schema()
    walked: list[str] = []
    for part in dotted.split("."):
        if not (isinstance(node, type) and dataclasses.is_dataclass(node)):
            return  # below a free-form field (dict, list, Any): nothing to check against
        fields = {f.name: f for f in dataclasses.fields(node)}
        if part not in fields:
            where = ".".join(walked) or "the top level"
            raise ConfigError(
                f"unknown config key '{dotted}'; valid keys under {where}: {', '.join(fields)}"
            )
        walked.append(part)
        node = _field_type(fields[part])


def _field_type(f: dataclasses.Field) -> Any:
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        value = f.default_factory()  # type: ignore[misc]
        if dataclasses.is_dataclass(value):
            return type(value)
    return f.type if isinstance(f.type, type) else None


def to_typed(section: Any, name: str = "") -> Any:
    """A DictConfig section as its dataclass instance (what stage packages receive).

    A required value left at ``???`` (or an interpolation that cannot resolve) is a ConfigError
    naming the dotted key, raised before any stage runs.
    """
    from omegaconf import OmegaConf
    from omegaconf.errors import InterpolationResolutionError, MissingMandatoryValue

    try:
        return OmegaConf.to_object(section)
    except MissingMandatoryValue as err:
        key = str(getattr(err, "full_key", "") or name)
        if name and not key.startswith(name):
            key = f"{name}.{key}"
        raise ConfigError(f"missing value for '{key}': set it on the command line ({key}=...) or in configs/") from None
    except InterpolationResolutionError as err:
        raise ConfigError(f"cannot resolve a value under '{name}': {str(err).splitlines()[0]}") from None


def to_plain(section: Any) -> Any:
    """A DictConfig section as resolved plain data (what cache keys and manifests hold)."""
    from omegaconf import OmegaConf

    return plain(OmegaConf.to_container(section, resolve=True, enum_to_str=True))


def verify_mode(cfg: Any) -> str:
    value = cfg.verify
    return value.value if isinstance(value, Enum) else str(value)

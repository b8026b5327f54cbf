"""Errors the CLI reports as one line (anything else is a bug and keeps its traceback)."""


class ConfigError(ValueError):
    """A config problem: unknown key, unknown choice, unknown stage."""


class StageNotImplemented(RuntimeError):
    """A registered stage whose implementation has not landed yet."""


class StageFailed(RuntimeError):
    """A stage broke its contract (e.g. declared outputs it did not write)."""

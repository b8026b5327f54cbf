"""The curate stage's own exceptions. Logic modules raise these; only the adapter (curator/stage.py)
maps them to the pipeline's one-line CLI errors (``pipeline.kit.user_errors``)."""


class CurateError(Exception):
    """Base of the curate stage's expected failures: each message is one line naming what to fix."""


class InputError(CurateError):
    """The input cannot be curated: an unusable file (corrupt Parquet or gzip, a Parquet file
    without the text column) or too many unusable lines."""


class BackendUnavailable(CurateError):
    """The requested backend cannot run here (no cuDF, no GPU, no driver)."""


class CurateConfigError(CurateError, ValueError):
    """A curate.* value is invalid (e.g. curate.input matches no file, an unknown filter name)."""

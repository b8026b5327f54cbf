"""Pipeline core: stage protocol, explicit registry, content-addressed artifacts, DAG and CLI.

Importing this package is cheap and needs only the core dependencies: stage implementations
(torch, dask, ...) are imported lazily when a stage actually runs.
"""

__version__ = "0.1.0"

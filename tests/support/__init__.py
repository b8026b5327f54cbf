"""Helpers shared by the test packages (no tests here). Test modules import from here, never
from each other."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"

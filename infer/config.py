"""Typed config of the export stage."""

from dataclasses import dataclass
from enum import Enum


class ExportBackend(str, Enum):
    auto = "auto"
    onnx = "onnx"
    trtllm = "trtllm"


@dataclass
class ExportConfig:
    backend: ExportBackend = ExportBackend.auto
    dtype: str = "fp32"
    max_seq_len: int = 512

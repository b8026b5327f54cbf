"""Typed config of the export stage (values in configs/export/default.yaml)."""

from dataclasses import dataclass, field

EDGE_PRECISIONS = ("fp32", "int4")
QUANT_FORMATS = ("fp8", "int8_wo", "int4_awq")
VALIDATE_MODES = ("auto", "require", "skip")


@dataclass
class EdgeExportConfig:
    precisions: list[str] = field(default_factory=lambda: ["fp32", "int4"])


@dataclass
class QuantExportConfig:
    formats: list[str] = field(default_factory=lambda: list(QUANT_FORMATS))
    calib_rows: int = 32
    eval_rows: int = 16
    seq_len: int = 256


@dataclass
class TrtllmExportConfig:
    max_batch_size: int = 64
    max_num_tokens: int = 8192
    free_gpu_memory_fraction: float = 0.85
    kv_cache_dtype: str = "auto"
    max_loras: int = 4
    validate: str = "auto"


@dataclass
class ParityConfig:
    prompts: list[str] = field(default_factory=lambda: ["To charge the Kestrel EV7 at home,",
                                                         "The tyre pressure warning light"])
    chat_prompts: list[str] = field(default_factory=lambda: ["How do I open the charge port?",
                                                              "Turn the seat heater to level two."])
    max_tokens: int = 24
    tie: float = 1e-3
    enforce: bool = True


@dataclass
class ExportConfig:
    merge: bool = False
    heldout_text: str | None = None
    threads: int = 0
    edge: EdgeExportConfig = field(default_factory=EdgeExportConfig)
    quant: QuantExportConfig = field(default_factory=QuantExportConfig)
    trtllm: TrtllmExportConfig = field(default_factory=TrtllmExportConfig)
    parity: ParityConfig = field(default_factory=ParityConfig)

    def validate(self) -> None:
        bad = [p for p in self.edge.precisions if p not in EDGE_PRECISIONS]
        if bad:
            raise ValueError(f"export.edge.precisions={self.edge.precisions}: unknown {bad}; choose from {list(EDGE_PRECISIONS)}")
        bad = [f for f in self.quant.formats if f not in QUANT_FORMATS]
        if bad:
            raise ValueError(f"export.quant.formats={self.quant.formats}: unknown {bad}; choose from {list(QUANT_FORMATS)}")
        if self.trtllm.validate not in VALIDATE_MODES:
            raise ValueError(f"export.trtllm.validate={self.trtllm.validate} must be one of {list(VALIDATE_MODES)}")
        for key in ("calib_rows", "eval_rows", "seq_len"):
            if getattr(self.quant, key) <= 0:
                raise ValueError(f"export.quant.{key}={getattr(self.quant, key)} must be positive")
        if self.parity.max_tokens <= 0:
            raise ValueError(f"export.parity.max_tokens={self.parity.max_tokens} must be positive")
        if not self.parity.prompts and not self.parity.chat_prompts:
            raise ValueError("export.parity needs at least one of prompts or chat_prompts")
        if not 0 < self.trtllm.free_gpu_memory_fraction <= 1:
            raise ValueError(f"export.trtllm.free_gpu_memory_fraction={self.trtllm.free_gpu_memory_fraction} must be in (0, 1]")

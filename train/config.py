"""Typed configs of the train stage and of the model architecture (group ``model``)."""

from dataclasses import dataclass, field
from enum import Enum


class Precision(str, Enum):
    fp32 = "fp32"
    bf16 = "bf16"
    fp8 = "fp8"


@dataclass
class ModelConfig:
    """Llama architecture; dimensions are multiples of 16 (FP8 GEMMs) in every preset."""

    name: str = "???"
    vocab_size: int = 8192  # also the size the BPE tokenizer is trained to
    hidden_size: int = "???"  # type: ignore[assignment]
    intermediate_size: int = "???"  # type: ignore[assignment]
    num_layers: int = "???"  # type: ignore[assignment]
    num_heads: int = "???"  # type: ignore[assignment]
    num_kv_heads: int = "???"  # type: ignore[assignment]
    max_seq_len: int = 2048
    rope_theta: float = 10000.0
    tie_embeddings: bool = False


@dataclass
class OptimConfig:
    lr: float = 3e-4
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    betas: list[float] = field(default_factory=lambda: [0.9, 0.95])
    warmup_steps: int = 100
    grad_clip: float = 1.0


class TokenizerConfig:
    """Byte-level BPE trained on the curated shards, or an existing HF tokenizer (``from``)."""

    min_frequency: int = 2
    # Training reads at most this many characters of the corpus (0: all of it); BPE merges
    # converge long before a large corpus is exhausted, and memory grows with the text read.
    max_chars: int = 0

    def reuse_path(self) -> "str | None":
        return getattr(self, "from")


# The issue names the key ``train.tokenizer.from`` (a path to an HF tokenizer.json or folder).
# ``from`` is a Python keyword, so it is added outside the class body, as a non-init field
# (OmegaConf sets it after construction) and without generated repr/eq (they would spell self.from).
TokenizerConfig.__annotations__ = {"min_frequency": int, "max_chars": int, "from": "str | None"}
setattr(TokenizerConfig, "from", field(default=None, init=False))
TokenizerConfig = dataclass(repr=False, eq=False)(TokenizerConfig)  # type: ignore[misc]


@dataclass
class DataConfig:
    # Fraction of documents held out for validation (chosen by a seeded hash of the document id,
    # so adding documents never moves an existing one between splits).
    val_fraction: float = 0.05
    rows_per_shard: int = 65536  # rows of seq_len + 1 tokens per memory-mapped .npy shard


@dataclass
class FP8Config:
    """Mirrors Transformer Engine's ``DelayedScaling`` recipe; used when precision=fp8."""

    backend: str = "auto"  # auto | te | emulated
    fp8_format: str = "HYBRID"  # HYBRID (E4M3 forward, E5M2 gradients) | E4M3
    margin: int = 0
    amax_history_len: int = 1  # see configs/train/default.yaml for why not TE's default 1024
    amax_compute_algo: str = "most_recent"  # max | most_recent
    reduce_amax: bool = True
    # te backend only: "layer" runs each decoder layer as one te.TransformerLayer (fused norms,
    # SwiGLU, attention); "linear" swaps only the 7 projections for te.Linear.
    te_modules: str = "layer"


@dataclass
class TrainConfig:
    seed: int = 1234
    steps: int = "???"  # type: ignore[assignment]
    seq_len: int = 256
    micro_batch_size: int = 8
    grad_accum: int = 1  # global batch = micro_batch_size * grad_accum * world size
    precision: Precision = Precision.bf16
    optim: OptimConfig = field(default_factory=OptimConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)  # type: ignore[valid-type]
    data: DataConfig = field(default_factory=DataConfig)
    fp8: FP8Config = field(default_factory=FP8Config)
    init_from: str | None = None  # an HF Llama folder to continue pretraining from
    compile: bool = False  # torch.compile the model (pays off on long GPU runs)
    # Cross-entropy over the vocabulary in row chunks, fused with the LM head: the full
    # (tokens x vocab) logits are never materialised. 0 uses the plain HF loss.
    loss_chunk_rows: int = 1024
    log_every: int = 1
    eval_every: int = 50
    eval_rows: int = 64  # validation rows scored at each evaluation (the same rows every time)
    checkpoint_every: int = 50
    keep_checkpoints: int = 2
    threads: int = 0  # torch intra-op threads on CPU; 0 keeps torch's default
    device: str = "auto"  # auto | cpu | cuda

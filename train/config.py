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
    vocab_size: int = "???"  # type: ignore[assignment]  # also the size the BPE tokenizer is trained to
    hidden_size: int = "???"  # type: ignore[assignment]
    intermediate_size: int = "???"  # type: ignore[assignment]
    num_layers: int = "???"  # type: ignore[assignment]
    num_heads: int = "???"  # type: ignore[assignment]
    num_kv_heads: int = "???"  # type: ignore[assignment]
    max_seq_len: int = "???"  # type: ignore[assignment]
    rope_theta: float = 10000.0
    tie_embeddings: bool = False

    def validate(self) -> None:
        check_positive("model", self, ("vocab_size", "hidden_size", "intermediate_size", "num_layers", "num_heads",
                                       "num_kv_heads", "max_seq_len"))
        if self.hidden_size % self.num_heads or self.num_heads % self.num_kv_heads:
            raise ValueError(
                f"model.hidden_size={self.hidden_size} must divide by model.num_heads={self.num_heads}, "
                f"and num_heads by model.num_kv_heads={self.num_kv_heads}"
            )


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
    max_chars: int = 200_000_000

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


FP8_FORMATS = ("HYBRID", "E4M3")
FP8_ALGOS = ("max", "most_recent")
FP8_BACKENDS = ("auto", "te", "emulated")
FP8_TE_MODULES = ("layer", "linear")


def check_fp8(cfg) -> None:
    """The values TE would reject (or silently misread), as one-line ValueErrors naming the key."""
    for key, valid in (("backend", FP8_BACKENDS), ("te_modules", FP8_TE_MODULES), ("fp8_format", FP8_FORMATS),
                       ("amax_compute_algo", FP8_ALGOS)):
        if getattr(cfg, key) not in valid:
            raise ValueError(f"train.fp8.{key}={getattr(cfg, key)}: valid values are {', '.join(valid)}")
    if cfg.amax_history_len < 1 or cfg.margin < 0:
        raise ValueError("train.fp8.amax_history_len must be >= 1 and train.fp8.margin >= 0")


def check_positive(section: str, cfg, keys: tuple[str, ...]) -> None:
    for key in keys:
        if getattr(cfg, key) <= 0:
            raise ValueError(f"{section}.{key}={getattr(cfg, key)} must be positive")


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

    def validate(self) -> None:
        check_fp8(self)


ENGINES = ("native", "megatron")


@dataclass
class ParallelConfig:
    """Model parallelism of ``train.engine=megatron``: tensor x pipeline x data = processes."""

    tp: int = 1  # tensor parallel: each layer's GEMMs split over tp GPUs (heads, ffn, vocab split)
    pp: int = 1  # pipeline parallel: the layers split into pp stages
    dp: int = 0  # data parallel replicas; 0 = WORLD_SIZE / (tp x pp)
    sequence_parallel: bool = False  # with tp > 1: norms and dropout on sequence shards
    distributed_optimizer: bool = True  # shard the fp32 master weights and Adam state over dp

    def validate(self) -> None:
        check_positive("train.parallel", self, ("tp", "pp"))
        if self.dp < 0:
            raise ValueError(f"train.parallel.dp={self.dp} must be >= 0 (0: WORLD_SIZE / (tp x pp))")
        if self.sequence_parallel and self.tp == 1:
            raise ValueError("train.parallel.sequence_parallel=true needs train.parallel.tp > 1")


@dataclass
class TrainConfig:
    # native: our loop over the HF Llama model (train/core); megatron: megatron-core's GPTModel with
    # tensor / pipeline parallelism and its distributed optimizer (train/megatron_engine.py, GPU only)
    engine: str = "native"
    parallel: ParallelConfig = field(default_factory=ParallelConfig)
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

    def validate(self) -> None:
        check_positive("train", self, ("steps", "seq_len", "micro_batch_size", "grad_accum", "eval_every",
                                       "checkpoint_every", "eval_rows", "log_every"))
        if not 0 < self.data.val_fraction < 1:
            raise ValueError(f"train.data.val_fraction={self.data.val_fraction} must be in (0, 1)")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"train.device={self.device}: valid values are auto, cpu, cuda")
        if self.engine not in ENGINES:
            raise ValueError(f"train.engine={self.engine}: valid values are {', '.join(ENGINES)}")
        self.parallel.validate()
        if self.engine == "native" and (self.parallel.tp > 1 or self.parallel.pp > 1):
            raise ValueError(
                f"train.parallel.tp={self.parallel.tp} pp={self.parallel.pp}: tensor and pipeline "
                "parallelism need train.engine=megatron (the native engine is data parallel only)"
            )
        if self.engine == "megatron":
            check_megatron_options(self)


def check_megatron_options(cfg: "TrainConfig") -> None:
    """Settings the megatron engine cannot honour, as one-line errors (instead of silently ignoring them)."""
    if cfg.device == "cpu":
        raise ValueError("train.engine=megatron needs a CUDA GPU; train.device=cpu is the native engine's")
    if Precision(cfg.precision) == Precision.fp8:
        if cfg.fp8.backend == "emulated":
            raise ValueError("train.engine=megatron runs FP8 through Transformer Engine only: "
                             "train.fp8.backend=emulated is the native engine's")
        if not cfg.fp8.reduce_amax:
            raise ValueError("train.fp8.reduce_amax=false: megatron-core always all-reduces amaxes over its "
                             "amax group (use train.engine=native to switch it off)")
    if cfg.compile:
        raise ValueError(
            "train.compile=true is the native engine's; megatron-core uses its own fused kernels"
        )

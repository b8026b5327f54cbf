"""Typed config of the customize (LoRA) stage: shared settings plus one entry per adapter.

Adapters are a mapping name -> AdapterConfig, so each is addressed on the command line by name
(``customize.adapters.manual_qa.steps=100``), removed with ``~customize.adapters.cockpit_commands``
and added with ``+customize.adapters.my_task={kind: cockpit_commands, train_data: ..., eval_data: ...}``.
"""

from dataclasses import dataclass, field

from train.config import OptimConfig

KINDS = ("manual_qa", "cockpit_commands")
# HF Llama projection names; TensorRT-LLM's names for them are in customize/lora.py.
ALL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
PRECISIONS = ("fp32", "bf16")


@dataclass
class LoraSettings:
    rank: int = 16
    alpha: int = 32  # scaling alpha/rank = 2
    # 0 by default: on CPU the per-projection dropout masks cost ~27% of a LoRA step (measured), and
    # runs of a few hundred steps on small data gain little from it; set 0.05-0.1 for long runs.
    dropout: float = 0.0
    targets: list[str] = field(default_factory=lambda: list(ALL_TARGETS))


def _adapter_optim() -> OptimConfig:
    # LoRA's usual recipe: a much higher peak LR than pretraining, no weight decay on the adapters.
    return OptimConfig(lr=1e-3, min_lr_ratio=0.1, weight_decay=0.0, betas=[0.9, 0.999], warmup_steps=10,
                       grad_clip=1.0)


@dataclass
class AdapterConfig:
    kind: str = "???"  # manual_qa | cockpit_commands: how train_data / eval_data are read
    train_data: str = "???"
    eval_data: str = "???"
    lora: LoraSettings = field(default_factory=LoraSettings)
    optim: OptimConfig = field(default_factory=_adapter_optim)
    steps: int = 300
    micro_batch_size: int = 8
    grad_accum: int = 1
    max_seq_len: int = 512  # longer examples are shortened (manual_qa passages) or quarantined
    eval_every: int = 50  # held-out loss during training, on the first eval_rows examples
    eval_rows: int = 64
    generate_limit: int = 0  # eval examples scored by generation before and after (0: all)
    max_new_tokens: int = 96
    # manual_qa only: the retrieved context shown with each question (see customize/data.py)
    manual_dir: str | None = None
    passages: int = 3  # gold passage + distractors
    passage_words: int = 80
    unanswerable_fraction: float = 0.1  # training questions shown without their gold passage


def _default_adapters() -> dict:
    """The two default adapters (values mirrored in configs/customize/default.yaml, which says why)."""
    manual_qa = AdapterConfig(
        kind="manual_qa", train_data="${paths.data}/instructions/train.jsonl",
        eval_data="${paths.data}/instructions/eval.jsonl", manual_dir="${paths.data}/manual", max_new_tokens=128,
    )
    commands = AdapterConfig(
        kind="cockpit_commands", train_data="${paths.data}/commands/train.jsonl",
        eval_data="${paths.data}/commands/eval.jsonl", max_seq_len=256, max_new_tokens=64, micro_batch_size=16,
        lora=LoraSettings(rank=8, alpha=16),
    )
    commands.optim.lr = 2e-3
    return {"manual_qa": manual_qa, "cockpit_commands": commands}


def _default_inputs() -> list[str]:
    return ["${paths.data}/instructions/train.jsonl", "${paths.data}/instructions/eval.jsonl",
            "${paths.data}/manual", "${paths.data}/commands"]


@dataclass
class CustomizeConfig:
    base: str | None = None  # an HF Llama folder to adapt instead of the train stage's model
    adapters: dict[str, AdapterConfig] = field(default_factory=_default_adapters)
    seed: int = 1234
    precision: str = "bf16"  # fp32 | bf16 (autocast; the frozen base is then stored in bf16 while training)
    merge: bool = False  # also write merged/<name>/: the base with the adapter folded in
    command_schema: str = "???"  # JSON Schema of cockpit commands (data/commands/schema.json)
    # Files and folders whose content goes into the stage's cache key (the pipeline hashes only
    # top-level keys): every adapter's data, the manual and the schema. Add a new adapter's files here.
    inputs: list[str] = field(default_factory=_default_inputs)
    eval_batch_size: int = 16  # sequences per generation batch in the before/after evaluation
    # CPU threads while generating: one-token steps are too small to split, and on a busy machine
    # a second OpenMP thread made decoding 10x slower (docs/customize.md); 0 keeps torch's setting.
    generate_threads: int = 1
    log_every: int = 1
    checkpoint_every: int = 50
    keep_checkpoints: int = 2
    compile: bool = False
    # Training attention kernel: auto = eager on CPU for short examples (customize/lora.py), else sdpa.
    attention: str = "auto"
    threads: int = 0  # CPU intra-op threads; 0 keeps torch's default
    device: str = "auto"  # auto | cpu | cuda

    def validate(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"customize.precision={self.precision}: valid values are {', '.join(PRECISIONS)}")
        if self.attention not in ("auto", "sdpa", "eager"):
            raise ValueError(f"customize.attention={self.attention}: valid values are auto, sdpa, eager")
        if not self.adapters:
            raise ValueError("customize.adapters is empty: name at least one adapter")
        if self.generate_threads < 0 or self.threads < 0:
            raise ValueError("customize.threads and customize.generate_threads must be >= 0 (0: torch's default)")
        for key in ("eval_batch_size", "log_every", "checkpoint_every"):
            if getattr(self, key) <= 0:
                raise ValueError(f"customize.{key}={getattr(self, key)} must be positive")
        for name, adapter in self.adapters.items():
            where = f"customize.adapters.{name}"
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"{where}: adapter names are letters, digits, '_' and '-' (a folder name)")
            if adapter.kind not in KINDS:
                raise ValueError(f"{where}.kind={adapter.kind}: valid kinds are {', '.join(KINDS)}")
            for key in ("steps", "micro_batch_size", "grad_accum", "max_seq_len", "eval_every", "eval_rows",
                        "max_new_tokens", "passages", "passage_words"):
                if getattr(adapter, key) <= 0:
                    raise ValueError(f"{where}.{key}={getattr(adapter, key)} must be positive")
            if adapter.generate_limit < 0:
                raise ValueError(f"{where}.generate_limit={adapter.generate_limit} must be >= 0 (0: all)")
            if not 0 <= adapter.unanswerable_fraction < 1:
                raise ValueError(f"{where}.unanswerable_fraction={adapter.unanswerable_fraction} must be in [0, 1)")
            if adapter.lora.rank <= 0 or adapter.lora.alpha <= 0:
                raise ValueError(f"{where}.lora: rank and alpha must be positive")
            if not 0 <= adapter.lora.dropout < 1:
                raise ValueError(f"{where}.lora.dropout={adapter.lora.dropout} must be in [0, 1)")
            unknown = [t for t in adapter.lora.targets if t not in ALL_TARGETS]
            if unknown or not adapter.lora.targets:
                raise ValueError(f"{where}.lora.targets={list(adapter.lora.targets)}: choose from "
                                 f"{', '.join(ALL_TARGETS)}")
            if adapter.kind == "manual_qa" and not adapter.manual_dir:
                raise ValueError(f"{where}.manual_dir is required for kind manual_qa (the manual's sections)")

"""What the assistant's tests run on (no tests here): the real components on a tiny model.

- ``manual_retriever``: the index stage's real ``Retriever`` (in memory) over a few manual sections.
- ``tiny_model``: a random tiny Llama HF folder (tests/support/lora_models.py) with the two
  default adapters as random PEFT LoRAs, built once per folder.
- ``open_generator``: the export stage's real ``infer.runtime.Generator`` (torch backend) on it.
- ``RecordingGenerator``: a spy around the real Generator that records each request, so tests
  can count the model calls of a turn and read the prompt the assistant built.
- ``train_lora``: a PEFT LoRA trained (seconds) on the tiny base to answer given prompts, so a test
  has a model that says something specific; saved as an adapter folder the Generator opens.
- ``ports``: the assistant's ports with the customize stage's real prompts and command schema.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "tiny-test-llama"
ADAPTERS = ("manual_qa", "cockpit_commands")
ALL_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
MAX_LEN = 1024  # room for the manual_qa prompt of a few passages (the assistant shortens longer ones)


def manual_sections(sections: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(doc_id, text) of the embedded owner's manual, one document per "## N.M Title" section."""
    root = Path(__file__).resolve().parents[2] / "data" / "manual"
    docs = []
    for path in sorted(root.glob("*.md")):
        for part in re.split(r"(?m)^(?=## )", path.read_text(encoding="utf-8")):
            head = re.match(r"## (\d+\.\d+) ", part)
            if head and (sections is None or head.group(1) in sections):
                docs.append((f"{path.stem}#{head.group(1)}", part.strip()))
    return docs


def manual_retriever(sections: tuple[str, ...]):
    """The index stage's real Retriever (in memory) over some sections of the manual."""
    from rag.retriever import Retriever

    return Retriever.from_texts(manual_sections(sections))


# --- the model -----------------------------------------------------------------------------------------
def tiny_model(root: Path) -> tuple[Path, dict[str, Path]]:
    """(base HF folder, {adapter name: PEFT folder}) under ``root``, built once."""
    from tests.support.lora_models import make_adapter, make_model

    base = root / MODEL_NAME
    if not (base / "model.safetensors").is_file():
        make_model(base, max_len=MAX_LEN)
    adapters = {}
    for seed, name in enumerate(ADAPTERS, start=1):
        folder = root / "adapters" / name
        if not (folder / "adapter_model.safetensors").is_file():
            make_adapter(base, folder, ALL_PROJECTIONS, 4, seed)
        adapters[name] = folder
    return base, adapters


def open_generator(base: Path, adapters: dict[str, Path]):
    """The real runtime Generator (torch backend) on an HF folder and its PEFT adapters."""
    from infer.runtime import Generator

    return Generator.open(base, backend="torch", adapters={n: str(p) for n, p in adapters.items()}, threads=1,
                          max_batch=8)


class RecordingGenerator:
    """A spy around the real Generator: every call is delegated; the requests are recorded."""

    def __init__(self, inner):
        self.inner = inner
        self.requests: list = []
        self._lock = threading.Lock()

    def _record(self, request) -> None:
        with self._lock:
            self.requests.append(request)

    def generate(self, request):
        self._record(request)
        return self.inner.generate(request)

    def stream(self, request):
        self._record(request)
        return self.inner.stream(request)

    def __getattr__(self, name: str) -> Any:  # model_name, adapters, backend, render_chat, close ...
        return getattr(self.inner, name)


def train_lora(base: Path, folder: Path, pairs: list[tuple[list[dict], str]], steps: int = 300,
               rank: int = 16, lr: float = 1e-2, seed: int = 0) -> Path:
    """A LoRA (all projections) on the frozen base that answers each prompt with its completion.

    Encoded exactly as the customize stage trains (customize/chat.py: answer-only loss, the
    template's end-of-turn token), so the runtime's greedy decoding reproduces the completion.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    from customize.chat import encode_example, load_tokenizer

    torch.manual_seed(seed)
    tokenizer = load_tokenizer(base)
    model = get_peft_model(LlamaForCausalLM.from_pretrained(str(base)),
                           LoraConfig(r=rank, lora_alpha=rank, target_modules=list(ALL_PROJECTIONS), lora_dropout=0.0))
    batch = []
    for messages, completion in pairs:
        ids, labels = encode_example(tokenizer, messages, completion)
        batch.append((torch.tensor([ids]), torch.tensor([labels])))
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    model.train()
    for _ in range(steps):
        loss = sum(model(input_ids=ids, labels=labels).loss for ids, labels in batch) / len(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if loss.item() < 0.01:
            break
    model.save_pretrained(str(folder))
    return folder


# --- the assistant's ports -----------------------------------------------------------------------------
def ports(retriever: Any, generator: Any):
    """The customize stage's prompts and command schema, the runtime's request types."""
    from guardrails.ports import Ports, Prompts
    from infer.runtime import GenerationRequest, SamplingParams

    return Ports(generator, retriever, Prompts.from_customize(), GenerationRequest, SamplingParams)


def open_assistant(retriever: Any, model_root: Path, cfg=None, adapters: dict[str, Path] | None = None):
    """The assistant over the retriever and the real Generator (spied on) of the tiny model in ``model_root``."""
    from guardrails.assistant import Assistant

    base, default = tiny_model(model_root)
    generator = RecordingGenerator(open_generator(base, {**default, **(adapters or {})}))
    p = ports(retriever, generator)
    p.owned.append(generator)
    return Assistant(p, cfg)

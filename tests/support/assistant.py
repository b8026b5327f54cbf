"""What the assistant's tests run on (no tests here).

- ``manual_retriever``: the index stage's real ``Retriever`` over a few sections of the manual.

Until the export/runtime and customize stages are merged, these small real implementations keep
their protocols (infer/runtime.py, customize/prompts.py + commands.py):

- ``TinyGenerator``: greedy decoding of a tiny randomly initialised (or briefly trained) Llama
  with transformers, the project's BPE tokenizer (train/tokenizer.py) and chat template, a PEFT LoRA
  per adapter;
- ``prompts()``: the customize stage's prompt formats and a JSON-Schema command check.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

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


# --- generation --------------------------------------------------------------------------------------
@dataclass
class SamplingParams:
    max_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None


@dataclass
class GenerationRequest:
    prompt: str | None = None
    messages: list[dict] | None = None
    adapter: str | None = None
    sampling: SamplingParams = field(default_factory=SamplingParams)


@dataclass
class GenerationResult:
    text: str
    token_ids: list[int]
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float
    total_s: float


@lru_cache(maxsize=1)
def project_tokenizer():
    """The project's byte-level BPE (train/tokenizer.py) trained on the manual: exact round trips."""
    from transformers import PreTrainedTokenizerFast

    from train.tokenizer import ASSISTANT, BOS, CHAT_TEMPLATE, END, EOS, PAD, SYSTEM, USER, train_bpe

    texts = [t for _, t in manual_sections()]
    fast = PreTrainedTokenizerFast(tokenizer_object=train_bpe(texts, vocab_size=2000), bos_token=BOS, eos_token=EOS,
                                   pad_token=PAD, additional_special_tokens=[SYSTEM, USER, ASSISTANT, END])
    fast.chat_template = CHAT_TEMPLATE
    return fast


class TinyGenerator:
    """Greedy decoding with a tiny Llama (2 layers, 64 wide) and a LoRA per adapter name."""

    backend = "torch"
    model_name = "tiny-test-llama"

    def __init__(self, adapters: tuple[str, ...] = ("manual_qa", "cockpit_commands"), seed: int = 0,
                 max_len: int = 1024):
        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import LlamaConfig, LlamaForCausalLM

        torch.manual_seed(seed)
        self.tokenizer = project_tokenizer()
        self.stop_ids = {self.tokenizer.eos_token_id, self.tokenizer.convert_tokens_to_ids("<|end|>")}
        config = LlamaConfig(vocab_size=len(self.tokenizer), hidden_size=64, intermediate_size=128,
                             num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                             max_position_embeddings=max_len, eos_token_id=self.tokenizer.eos_token_id,
                             bos_token_id=self.tokenizer.bos_token_id, pad_token_id=self.tokenizer.pad_token_id)
        base = LlamaForCausalLM(config)
        self.max_len = max_len
        self.adapters = list(adapters)
        self.model = base
        if adapters:
            lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], lora_dropout=0.0)
            self.model = get_peft_model(base, lora, adapter_name=adapters[0])
            for name in adapters[1:]:
                self.model.add_adapter(name, lora)
        self.model.eval()
        self._lock = threading.Lock()
        self.requests: list[GenerationRequest] = []

    def render_chat(self, messages: list[dict]) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _ids(self, request: GenerationRequest) -> list[int]:
        if request.adapter is not None and request.adapter not in self.adapters:
            raise ValueError(f"unknown adapter '{request.adapter}'; this model has: {', '.join(self.adapters)}")
        text = self.render_chat(request.messages) if request.messages is not None else request.prompt or ""
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) >= self.max_len:
            raise ValueError(f"the prompt has {len(ids)} tokens; this model's context is {self.max_len}")
        return ids

    def generate(self, request: GenerationRequest) -> GenerationResult:
        import torch

        start = time.perf_counter()
        ids = self._ids(request)
        with self._lock:
            self.requests.append(request)
            if self.adapters:
                if request.adapter:
                    self.model.set_adapter(request.adapter)
                    context = torch.no_grad()
                else:
                    context = self.model.disable_adapter()
            else:
                context = torch.no_grad()
            new: list[int] = []
            with context, torch.no_grad():
                tokens = torch.tensor([ids])
                past = None
                for _ in range(request.sampling.max_tokens):
                    out = self.model(input_ids=tokens, past_key_values=past, use_cache=True)
                    past = out.past_key_values
                    token = int(out.logits[0, -1].argmax())
                    if token in self.stop_ids:
                        break
                    new.append(token)
                    tokens = torch.tensor([[token]])
                    if len(ids) + len(new) >= self.max_len:
                        break
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        finish = "length" if len(new) >= request.sampling.max_tokens else "eos"
        for stop in request.sampling.stop:
            if stop in text:
                text, finish = text[: text.index(stop)], "stop"
        total = time.perf_counter() - start
        return GenerationResult(text, new, finish, len(ids), len(new), total, total)

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield self.generate(request).text

    def close(self) -> None:
        pass

    def train_on(self, pairs: list[tuple[list[dict], str]], adapter: str, steps: int = 200) -> None:
        """Overfit (prompt messages, answer) pairs, so a test has a model that says what it should."""
        import torch

        end = self.tokenizer.convert_tokens_to_ids("<|end|>")
        batch = []
        for messages, answer in pairs:
            prompt = self.tokenizer(self.render_chat(messages), add_special_tokens=False)["input_ids"]
            target = self.tokenizer(answer, add_special_tokens=False)["input_ids"] + [end]
            batch.append((torch.tensor([prompt + target]), torch.tensor([[-100] * len(prompt) + target])))
        self.model.set_adapter(adapter)
        self.model.train()
        params = list(self.model.parameters())
        for p in params:  # the whole tiny model: a rank-4 LoRA alone memorises too slowly
            p.requires_grad_(True)
        optimizer = torch.optim.Adam(params, lr=1e-2)
        for _ in range(steps):
            loss = sum(self.model(input_ids=ids, labels=labels).loss for ids, labels in batch) / len(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if loss.item() < 0.02:
                break
        for p in params:
            p.requires_grad_(False)
        self.model.eval()


# --- prompts and commands (the customize stage's protocol) --------------------------------------------
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"intent": {"enum": ["climate.set_temperature", "window.set", "trunk.open",
                                       "airbag.set_passenger", "refuse"]},
                   "slots": {"type": "object"}},
    "required": ["intent", "slots"], "additionalProperties": False,
    "allOf": [
        {"if": {"properties": {"intent": {"const": "climate.set_temperature"}}},
         "then": {"properties": {"slots": {"type": "object", "additionalProperties": False,
                                           "required": ["zone", "temperature_c"],
                                           "properties": {"zone": {"enum": ["driver", "passenger", "all"]},
                                                          "temperature_c": {"type": "number", "minimum": 16,
                                                                            "maximum": 28}}}}}},
        {"if": {"properties": {"intent": {"const": "trunk.open"}}},
         "then": {"properties": {"slots": {"type": "object", "additionalProperties": False, "required": ["trunk"],
                                           "properties": {"trunk": {"enum": ["frunk", "boot"]}}}}}},
        {"if": {"properties": {"intent": {"const": "refuse"}}},
         "then": {"properties": {"slots": {"type": "object", "additionalProperties": False,
                                           "required": ["requested_intent", "reason"],
                                           "properties": {"requested_intent": {"type": "string"},
                                                          "reason": {"enum": ["unsafe_while_driving",
                                                                              "out_of_range",
                                                                              "safety_system"]}}}}}},
    ],
}
VEHICLE_STATE = {"type": "object", "additionalProperties": False, "required": ["speed_kmh", "gear", "speaker"],
                 "properties": {"speed_kmh": {"type": "integer", "minimum": 0, "maximum": 250},
                                "gear": {"enum": ["P", "R", "N", "D"]},
                                "speaker": {"enum": ["driver", "passenger"]}}}


def _problems(schema: dict, obj: Any, where: str) -> list[str]:
    from jsonschema import Draft202012Validator

    return [f"{where}{'.' + '.'.join(map(str, e.absolute_path)) if e.absolute_path else ''}: {e.message}"
            for e in Draft202012Validator(schema).iter_errors(obj)]


def validate_command(obj: Any) -> list[str]:
    return _problems(SCHEMA, obj, "command")


def validate_vehicle_state(state: Any) -> list[str]:
    return _problems(VEHICLE_STATE, state, "vehicle_state")


def parse_command(text: str) -> tuple[dict | None, list[str]]:
    body = text.strip()
    start = body.find("{")
    if start < 0:
        return None, ["no JSON object in the model output"]
    try:
        obj, end = json.JSONDecoder().raw_decode(body, start)
    except json.JSONDecodeError as err:
        return None, [f"invalid JSON: {err.msg}"]
    problems = (["text around the JSON object"] if body[:start].strip() or body[end:].strip() else [])
    problems += validate_command(obj)
    return (None, problems) if problems else (obj, [])


def manual_qa_messages(question: str, passages: list) -> list[dict]:
    context = "\n\n".join(f"[{i}] {p['section_id']} {p['title']}\n{p['text']}" for i, p in enumerate(passages, 1))
    return [{"role": "system", "content": "Answer from the passages, then name the section."},
            {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"}]


def parse_manual_answer(text: str) -> tuple[str, str | None]:
    found = re.search(r"\n?Source:\s*(\d{1,3}\.\d{1,3})\b[^\n]*\s*$", text.strip())
    if not found:
        return text.strip(), None
    return text.strip()[:found.start()].strip(), found.group(1)


def command_messages(utterance: str, state: dict) -> list[dict]:
    return [{"role": "system", "content": "Turn the request into one JSON vehicle command."},
            {"role": "user", "content": f"Vehicle: speed {state['speed_kmh']} km/h, gear {state['gear']}, "
                                        f"speaker {state['speaker']}\nRequest: {utterance}"}]


def prompts():
    from guardrails.ports import Prompts

    return Prompts(manual_qa_messages, parse_manual_answer, command_messages, parse_command, validate_command,
                   validate_vehicle_state)


def ports(retriever: Any, generator: TinyGenerator):
    from guardrails.ports import Ports

    return Ports(generator, retriever, prompts(), GenerationRequest, SamplingParams)

"""Tokenizer, chat template and streaming text: the parts every backend shares.

Only ``tokenizers`` and ``jinja2`` are used (no transformers), so the edge runtime stays light.
The chat template is rendered the way transformers' ``apply_chat_template`` renders it
(sandboxed Jinja, trim_blocks + lstrip_blocks, ``raise_exception``, ``tojson``), so a prompt
is tokenized exactly as in training; a test compares the two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# Turn-closing tokens of common chat formats: generation stops at them when the template uses them.
_TURN_ENDS = ("<|end|>", "<|eot_id|>", "<|im_end|>", "<end_of_turn>", "<|endoftext|>")


class TokenizerFilesError(ValueError):
    """A model folder whose tokenizer files are missing or unreadable."""


class ChatTemplateError(ValueError):
    """Messages the chat template cannot render (or no template)."""


class Codec:
    """Text <-> token ids for one model folder (tokenizer.json + tokenizer_config.json)."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        folder = Path(folder)
        path = folder / "tokenizer.json"
        if not path.is_file():
            raise TokenizerFilesError(f"{folder}: no tokenizer.json")
        try:
            self.tokenizer = Tokenizer.from_file(str(path))
        except Exception as err:  # tokenizers raises a bare Exception with the parse error
            raise TokenizerFilesError(f"{path}: unreadable tokenizer ({err})") from None
        self.config = _read_json(folder / "tokenizer_config.json")
        template_file = folder / "chat_template.jinja"
        self.chat_template = template_file.read_text() if template_file.is_file() else self.config.get("chat_template")
        self.special = {k: _token_text(self.config.get(k)) for k in ("bos_token", "eos_token", "pad_token", "unk_token")}
        self.stop_ids = self._stop_ids(folder)
        self._template = None

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=add_special_tokens).ids

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def render_chat(self, messages: list[dict], add_generation_prompt: bool = True) -> str:
        if not self.chat_template:
            raise ChatTemplateError("the model's tokenizer has no chat template; send a plain prompt instead")
        if not isinstance(messages, list) or not all(isinstance(m, dict) and "role" in m for m in messages):
            raise ChatTemplateError("messages must be a list of {'role': ..., 'content': ...} objects")
        if self._template is None:
            self._template = _compile(self.chat_template)
        try:
            return self._template.render(messages=messages, add_generation_prompt=add_generation_prompt,
                                         **{k: v for k, v in self.special.items() if v is not None})
        except Exception as err:  # jinja's own errors and the template's raise_exception
            raise ChatTemplateError(f"chat template failed: {err}") from None

    def _stop_ids(self, folder: Path) -> list[int]:
        """EOS ids of generation_config.json and config.json, the tokenizer's EOS, turn-end tokens."""
        ids: list[int] = []
        for name in ("generation_config.json", "config.json", "genai_config.json"):
            data = _read_json(folder / name)
            value = data.get("model", data).get("eos_token_id")
            ids.extend(value if isinstance(value, list) else [value] if value is not None else [])
        candidates = [self.special.get("eos_token")]
        template = self.chat_template or ""
        candidates += [t for t in _TURN_ENDS if t in template]
        for token in candidates:
            found = self.tokenizer.token_to_id(token) if token else None
            if found is not None:
                ids.append(found)
        return sorted({int(i) for i in ids})


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise TokenizerFilesError(f"{path}: invalid JSON ({err})") from None


def _token_text(value) -> str | None:
    return value.get("content") if isinstance(value, dict) else value


def _compile(source: str):
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise ChatTemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = lambda x, indent=None, **_: json.dumps(x, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source)


class Detokenizer:
    """Token ids in, text deltas out, never splitting a multi-byte character.

    Decodes a short window (from the last emitted boundary) instead of the whole sequence, and
    holds a delta back while it ends in an incomplete UTF-8 sequence (the replacement char).
    """

    def __init__(self, codec: Codec):
        self.codec = codec
        self.ids: list[int] = []
        self._prefix = 0
        self._read = 0

    def push(self, token: int) -> str:
        self.ids.append(token)
        before = self.codec.decode(self.ids[self._prefix:self._read])
        after = self.codec.decode(self.ids[self._prefix:])
        if len(after) > len(before) and not after.endswith("\ufffd"):
            self._prefix, self._read = self._read, len(self.ids)
            return after[len(before):]
        return ""

    def flush(self) -> str:
        """Whatever is still held back (an incomplete character at the very end)."""
        before = self.codec.decode(self.ids[self._prefix:self._read])
        after = self.codec.decode(self.ids[self._prefix:])
        self._prefix = self._read = len(self.ids)
        return after[len(before):]


@dataclass
class StopText:
    """Stop strings over streamed text: what may be shown now, and where the text ends."""

    stops: list[str]
    text: str = ""
    shown: int = 0
    stopped: bool = field(default=False)

    def __post_init__(self):
        self.stops = [s for s in self.stops if s]

    def add(self, delta: str) -> str:
        """Append ``delta``; return the newly safe text (never any part of a stop string)."""
        if self.stopped:
            return ""
        start = max(0, len(self.text) - max((len(s) for s in self.stops), default=0) + 1)
        self.text += delta
        hits = [i for i in (self.text.find(s, start) for s in self.stops) if i >= 0]
        if hits:
            self.text = self.text[:min(hits)]
            self.stopped = True
            return self._show(len(self.text))
        return self._show(len(self.text) - self._held())

    def finish(self) -> str:
        return self._show(len(self.text))

    def _held(self) -> int:
        """Length of the longest tail of the text that is a proper prefix of a stop string."""
        best = 0
        for stop in self.stops:
            for n in range(min(len(stop) - 1, len(self.text)), best, -1):
                if self.text.endswith(stop[:n]):
                    best = n
                    break
        return best

    def _show(self, upto: int) -> str:
        upto = max(upto, self.shown)
        out, self.shown = self.text[self.shown:upto], upto
        return out

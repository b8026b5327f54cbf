"""The prompt formats of the two default adapters: used unchanged in training and by the assistant.

Both functions return chat messages (``[{"role": ..., "content": ...}]``); the tokenizer's chat
template (stored with the tokenizer, see customize/chat.py) turns them into tokens. At inference::

    from customize.chat import prompt_ids, stop_token_ids
    from customize.prompts import manual_qa_messages, parse_manual_answer

    ids = prompt_ids(tokenizer, manual_qa_messages(question, passages))
    out = model.generate(ids, eos_token_id=stop_token_ids(tokenizer), ...)   # adapter "manual_qa"
    answer, section_id = parse_manual_answer(tokenizer.decode(new_tokens, skip_special_tokens=True))

    ids = prompt_ids(tokenizer, command_messages(utterance, vehicle_state))  # adapter "cockpit_commands"
    command, problems = customize.commands.parse_command(generated_text)

``passages`` are what the RAG index returns, best first: mappings (or objects) with
``section_id`` ("10.4"), ``title`` ("Heated and ventilated seats ...") and ``text``. Training
shows 1 gold passage among ``customize.adapters.manual_qa.passages`` in total, each cut to about
``passage_words`` words: give the adapter a similar number of passages of similar length.
``vehicle_state`` is ``{"speed_kmh": int, "gear": "P"|"R"|"N"|"D", "speaker": "driver"|"passenger"}``
(schema: data/commands/schema.json, $defs/vehicle_state).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MANUAL_QA_SYSTEM = ("You are the Kestrel EV7 owner's manual assistant. Answer the question using only the "
                    "context passages, then name the section you used.")
COMMAND_SYSTEM = ("You are the Kestrel EV7 voice assistant. Turn the request into one JSON vehicle command. "
                  "Refuse requests that are unsafe in the current vehicle state.")
# What the manual_qa adapter says when no passage holds the answer (trained on such examples).
NOT_IN_CONTEXT = "The manual passages I was given do not answer this question."
_SOURCE = re.compile(r"\n?Source:\s*(?:section\s*)?(\d{1,3}\.\d{1,3})\b[^\n]*\s*$", re.IGNORECASE)


def _field(passage: Any, *names: str) -> Any:
    for name in names:
        if isinstance(passage, Mapping) and name in passage:
            return passage[name]
        if hasattr(passage, name):
            return getattr(passage, name)
    raise KeyError(f"passage {str(passage)[:80]!r} has none of the fields {', '.join(names)}")


def format_passage(number: int, passage: Any) -> str:
    section = _field(passage, "section_id", "section")
    title = _field(passage, "title", "section_title")
    text = " ".join(str(_field(passage, "text")).split())
    return f"[{number}] {section} {title}\n{text}"


def manual_qa_messages(question: str, passages: Iterable[Any]) -> list[dict[str, str]]:
    """System instruction, then one user turn: numbered context passages and the question."""
    context = "\n\n".join(format_passage(i, p) for i, p in enumerate(passages, 1))
    return [{"role": "system", "content": MANUAL_QA_SYSTEM},
            {"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question.strip()}"}]


def manual_qa_answer(answer: str, section_id: str | None, title: str | None) -> str:
    """The trained answer form: the answer, then ``Source: <section> <title>`` on its own line."""
    if section_id is None:
        return NOT_IN_CONTEXT
    return f"{answer.strip()}\nSource: {section_id} {title}"


def parse_manual_answer(text: str) -> tuple[str, str | None]:
    """(answer without the source line, cited section id or None)."""
    found = _SOURCE.search(text.strip())
    if not found:
        return text.strip(), None
    return text.strip()[:found.start()].strip(), found.group(1)


def format_vehicle_state(state: Mapping[str, Any]) -> str:
    return f"speed {int(state['speed_kmh'])} km/h, gear {state['gear']}, speaker {state['speaker']}"


def command_messages(utterance: str, vehicle_state: Mapping[str, Any]) -> list[dict[str, str]]:
    """System instruction, then the vehicle state and the spoken request in one user turn."""
    return [{"role": "system", "content": COMMAND_SYSTEM},
            {"role": "user", "content": f"Vehicle: {format_vehicle_state(vehicle_state)}\n"
                                        f"Request: {' '.join(utterance.split())}"}]

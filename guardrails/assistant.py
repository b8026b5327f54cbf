"""The assistant: NeMo Guardrails (Colang 1.0) around our retriever and generator.

One turn, in Guardrails' order::

    input rails   kestrel jailbreak heuristics -> kestrel self check input      (offline classifier)
    dialog rails  generate_user_intent (the classifier's intent, no LLM) -> Colang flows
    retrieval     retrieve_relevant_chunks (our Retriever) -> kestrel check retrieved passages
    generation    generate_bot_message: manual answer (adapter manual_qa) | vehicle command
                  (adapter cockpit_commands) | a predefined message (refusals, small talk)
    output rails  kestrel check grounding (ungrounded -> extractive answer from the best passage)

The user message is embedded once (the embedding serves the classifier and the retrieval) and
retrieved once; a manual question costs one LLM call, a command one, everything else none.
Guardrails runs on a private event loop thread, so any caller (CLI, HTTP server, evaluation)
can use the assistant concurrently. The rails decide what a turn gets; the manual answers themselves
(retrieval, "not covered", extractive, joined questions, sections, sources) are guardrails/manual_answers.py,
vehicle commands guardrails/command_turn.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from guardrails.command_turn import carry_out, confirmation, correction
from guardrails.config import AssistantConfig
from guardrails.followup import resolve as resolve_followup
from guardrails.joined_questions import judged_alone, questions
from guardrails.grounding import Evidence, Sections, check_grounding, clean_passages
from guardrails import inputs
from guardrails.manual_answers import ManualAnswers, with_sources
from guardrails.ports import EmbeddingCache, GeneratorLLM, Ports, disable_telemetry, register_embeddings
from guardrails.product import NOT_IN_MANUAL, Product  # noqa: F401 -- NOT_IN_MANUAL: the template, as before
from guardrails.safety import RAILS_DIR, Assessment, SafetyClassifier, Thresholds
from guardrails.speech import as_written
from guardrails.spelling import assistant_speller
from guardrails.turns import Turn, TurnState  # noqa: F401 -- Turn is part of this module's interface

log = logging.getLogger("pipeline.assistant")
MANUAL_ANSWER, COMMAND = "answer from manual", "carry out vehicle command"
ASK_MANUAL = "ask manual question"
# A question in another language is answered only when retrieval still finds a passage this close
# (cosine) and the answerability check passes; the retriever and the intent examples are English.
LANGUAGE_CONFIDENT = 0.5


class Assistant:
    def __init__(self, ports: Ports, cfg: AssistantConfig | None = None, extra_questions: list[str] | None = None,
                 command_rows: list[dict] | None = None):
        disable_telemetry()
        self.ports, self.cfg = ports, cfg or AssistantConfig()
        self.product = Product(self.cfg.product)  # its names in every text; "my Tavi" reads as "my car"
        self.embed = EmbeddingCache(ports.retriever.embed, capacity=32768)  # messages, intent examples, manual lines
        s = self.cfg.safety
        thresholds = Thresholds(block=s.block, tamper=s.tamper, semantic_probability=s.semantic_probability,
                                semantic_similarity=s.semantic_similarity, learned=s.learned,
                                learned_clear=s.learned_clear, clear_margin=s.clear_margin, knn_low=s.knn_low,
                                knn_high=s.knn_high, knn_weight=s.knn_weight,
                                knn_learned=s.knn_learned, second_opinion_below=s.second_opinion_below,
                                documented_cosine=s.documented_cosine)
        extra: dict[str, list[str]] = {}
        if extra_questions:
            extra["ask manual question"] = extra_questions
        if command_rows:
            extra["give vehicle command"] = [r["utterance"] for r in command_rows]
        start = time.perf_counter()
        embed_examples = self._example_embedder()
        self.classifier = SafetyClassifier.build(embed_examples, thresholds=thresholds, extra=extra)
        self.fallback = None
        if command_rows and ports.prompts.schema and ports.prompts.schema.get("$defs"):
            from guardrails.command_fallback import CommandFallback

            vectors = embed_examples([r["utterance"] for r in command_rows])
            self.fallback = CommandFallback.from_rows(command_rows, vectors, ports.prompts.schema)
        texts = getattr(ports.retriever, "chunks", {}).get("text") or []
        self.speller = assistant_speller(texts, extra) if self.cfg.spelling else None
        self.evidence = Evidence(texts)
        self.sections = Sections(getattr(ports.retriever, "chunks", {}) or {})
        self.answers = ManualAnswers(ports, self.cfg.retrieval, self.embed, self.evidence, self.sections)
        self.llm = GeneratorLLM(ports, self.cfg.generation.max_new_tokens)
        self._turns: dict[str, TurnState] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="kestrel-guardrails")
        self._thread.start()
        self.rails = self._call(self._build_rails())
        log.info("assistant ready in %.1f s (%d intent examples, %d manual chunks)", time.perf_counter() - start,
                 len(self.classifier.model.vectors), len(texts))

    # --- construction ---------------------------------------------------------------------------
    async def _build_rails(self):
        from nemoguardrails import LLMRails, RailsConfig

        register_embeddings("retriever", self.embed)
        config = RailsConfig.from_path(str(RAILS_DIR))
        ours = {flow.get("id") for flow in config.flows}
        rails = LLMRails(config, llm=self.llm)
        for name, fn in self._actions().items():
            rails.register_action(fn, name=name)
        from guardrails.factory import cached_colang_expressions, keep_used_flows

        keep_used_flows(rails, ours)
        cached_colang_expressions()
        return rails

    def _example_embedder(self):
        """Embeddings of the intent examples, kept on disk (``cache_dir``) across processes: the same
        texts and model weights give the same vectors, and a server then starts in about a second."""
        fingerprint = getattr(getattr(self.ports.retriever, "embedder", None), "fingerprint", "")
        if not (self.cfg.cache_dir and fingerprint):
            return self.embed

        def embed(texts: list[str]):
            import hashlib

            import numpy as np

            digest = hashlib.sha256("\n".join([fingerprint, *texts]).encode()).hexdigest()[:24]
            path = Path(self.cfg.cache_dir) / f"intent-examples-{digest}.npy"
            if path.is_file():
                vectors = np.load(path)
                if vectors.shape[0] == len(texts):
                    return vectors
            vectors = self.embed(texts)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + f".{os.getpid()}.npy")
            np.save(tmp, vectors)
            os.replace(tmp, path)
            return vectors

        return embed

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
        self.ports.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- turns ----------------------------------------------------------------------------------
    def respond(self, messages: list[dict] | str, vehicle_state: dict | None = None) -> Turn:
        """One turn (blocking; thread-safe)."""
        return self._call(self._respond(messages, vehicle_state))

    async def respond_async(self, messages: list[dict] | str, vehicle_state: dict | None = None) -> Turn:
        """One turn from any event loop (the server's): runs on the assistant's loop."""
        future = asyncio.run_coroutine_threadsafe(self._respond(messages, vehicle_state), self._loop)
        return await asyncio.wrap_future(future)

    async def _respond(self, messages: list[dict] | str, vehicle_state: dict | None) -> Turn:
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        history = [{"role": m["role"], "content": str(m.get("content") or "")} for m in messages
                   if m.get("role") in ("user", "assistant")]  # client system prompts are not obeyed
        if not history or history[-1]["role"] != "user":
            raise ValueError("the conversation must end with a user message")
        turn_id = uuid.uuid4().hex
        spoken = None
        if self.cfg.speech:  # a transcript read as written, the earlier user turns too (speech.py)
            readings = [as_written(m["content"], inputs.language) if m["role"] == "user" else None
                        for m in history]
            history = [{**m, "content": r.text} if r else m for m, r in zip(history, readings)]
            spoken = readings[-1]
        answered = confirmation(history)  # "yes" / "no" to the assistant's "Did you mean ...?" (command_turn.py)
        if answered and answered[0] == "no":
            return self._cancelled(answered[1])
        if answered:  # the request asked back runs again, through every rail, and is carried out this time
            history = history[:-2]
        # "no, the passenger side": the request asked back, corrected; it runs through every rail as a new request
        corrected = None if answered else correction(history)
        if corrected:
            history = [*history[:-3], {"role": "user", "content": corrected}]
        # A short follow-up ("and the rear ones?") is read with the question it leans on (followup.py).
        reading = resolve_followup([m["content"] for m in history if m["role"] == "user"])
        text = self.product.as_car(reading.text)
        slips = self.speller.fix(text) if self.speller is not None and not inputs.language(text) else None
        state = TurnState(slips.text if slips else text, vehicle_state, confirmed=bool(answered))
        if spoken and spoken.changes:
            state.rail("input", "spoken message", "read as written", changes=spoken.changes)
        if slips and slips.changes:
            state.rail("input", "spelling", "read typing slips as the words meant",
                       changes=[f"{a} -> {b}" for a, b in slips.changes])
        if answered:
            state.rail("dialog", "command confirmation", "confirmed", request=answered[1][:200])
        if corrected:
            state.rail("dialog", "command confirmation", "corrected", request=corrected[:200])
        if reading.combined:
            state.rail("dialog", "follow-up resolution", "read with the previous question",
                       previous=list(reading.previous))
        self._turns[turn_id] = state
        cpu = time.process_time()
        try:
            context = {"role": "context", "content": {"kestrel_turn": turn_id, "vehicle_state": vehicle_state or {}}}
            # The rails get the message this turn answers, alone: every rail and flow decides on it (follow-ups,
            # spoken readings and answers to "Did you mean ...?" are resolved above), and Guardrails ran each
            # earlier message of the conversation through its flows again (+1.3 ms CPU per earlier exchange).
            result = await self.rails.generate_async(messages=[context, history[-1]])
            answer = result["content"] if isinstance(result, dict) else str(result)
        finally:
            self._turns.pop(turn_id, None)
            # Guardrails keeps each conversation's events for its next turn, keyed by its messages; ours carry a
            # new turn id each time, so the cache is never read, and kept it grew ~8 KB a turn for the process's life.
            getattr(self.rails, "events_history_cache", {}).clear()
        total = time.perf_counter() - state.started
        t = state.timings
        latency = {"total_s": total, **t, "cpu_s": time.process_time() - cpu,
                   "rails_s": max(0.0, total - t["embed_s"] - t["retrieval_s"] - t["generation_s"])}
        a = state.assessment
        return Turn(answer=answer, decision=state.decision or (a.decision if a else "unknown"),
                    intent=a.intent if a else "", sources=state.sources, rails=state.rails, actions=state.actions,
                    command=state.command, latency={k: round(v, 5) for k, v in latency.items()},
                    llm_calls=state.llm_calls, prompt_tokens=state.prompt_tokens,
                    completion_tokens=state.completion_tokens, assessment=a.as_dict() if a else {})

    def _cancelled(self, request: str) -> Turn:
        rails = [{"type": "dialog", "rail": "command confirmation", "decision": "cancelled", "request": request[:200]}]
        return Turn(answer="OK, I won't do that.", decision="command_cancelled", intent="give vehicle command",
                    sources=[], rails=rails, actions=[], command=None, latency={"total_s": 0.0}, llm_calls=0,
                    prompt_tokens=0, completion_tokens=0, assessment={})

    def _state(self, context: dict | None) -> TurnState:
        turn_id = (context or {}).get("kestrel_turn")
        if turn_id not in self._turns:
            raise RuntimeError("a rail ran outside an assistant turn (no kestrel_turn in the context)")
        return self._turns[turn_id]

    # --- the analysis every rail reads: one embedding, one retrieval ------------------------------
    async def _analyse(self, state: TurnState) -> Assessment:
        if state.assessment is None:
            state.assessment = await asyncio.to_thread(self._analyse_sync, state)
        return state.assessment

    def _analyse_sync(self, state: TurnState) -> Assessment:
        start = time.perf_counter()
        vector = self.embed([state.question])[0]
        state.vector = vector
        asked = inputs.focus(state.question)  # a question inside a pasted wall of text
        if asked != state.question:
            state.answer_vector = self.embed([asked])[0]
        state.timings["embed_s"] += time.perf_counter() - start
        # the classifier and the answer keep the user's text; retrieval may read it in the manual's words
        state.wording, state.passages = self.answers.retrieve(state, state.question, vector, asked)
        best = max((p.score for p in state.passages), default=0.0)
        a = self.classifier.assess(state.question, vector, best)
        if not self.cfg.safety.requests_alone:
            return a
        return judged_alone(state.question, a, lambda part: self.classifier.assess(part, self.embed([part])[0], best))

    # --- actions --------------------------------------------------------------------------------
    def _actions(self) -> dict:
        from nemoguardrails.actions import action
        from nemoguardrails.actions.actions import ActionResult
        from nemoguardrails.actions.llm.utils import get_last_bot_intent_event
        from nemoguardrails.utils import new_event_dict

        @action(is_system_action=True)
        async def kestrel_jailbreak_check(context: dict | None = None) -> bool:
            state = self._state(context)
            a = await self._analyse(state)
            blocked = a.decision == "refuse_jailbreak"
            state.rail("input", "kestrel jailbreak heuristics", "blocked" if blocked else "passed",
                       score=round(a.scores.get("jailbreak", 0.0), 3), reasons=a.reasons if blocked else [])
            return blocked

        @action(is_system_action=True)
        async def kestrel_self_check_input(context: dict | None = None) -> str:
            state = self._state(context)
            a = await self._analyse(state)
            blocked = a.decision == "refuse_harm"
            state.rail("input", "kestrel self check input", "blocked" if blocked else "passed",
                       category=a.category if blocked else "", score=round(a.scores.get("harm", 0.0), 3),
                       reasons=a.reasons if blocked else [])
            return a.category if blocked else ""

        @action(is_system_action=True)
        async def generate_user_intent(context: dict | None = None, **_: Any):
            state = self._state(context)
            a = await self._analyse(state)
            state.rail("dialog", "user intent (offline classifier)", a.decision, intent=a.intent,
                       reasons=a.reasons, legitimate=a.legitimate)
            return ActionResult(events=[new_event_dict("UserIntent", intent=self._route(state, a))])

        @action(is_system_action=True)
        async def generate_next_steps(context: dict | None = None, **_: Any):
            # Every intent the classifier emits has a flow; an unexpected state never asks the LLM.
            return ActionResult(events=[new_event_dict("BotIntent", intent="explain scope")])

        @action(is_system_action=True)
        async def retrieve_relevant_chunks(context: dict | None = None, events: list | None = None, **_: Any):
            state = self._state(context)
            bot = get_last_bot_intent_event(events or [])
            if not bot or bot.get("intent") != MANUAL_ANSWER:
                return ActionResult(return_value="", context_updates={})
            chunks = "\n\n".join(f"{p.section_id} {p.title}\n{p.text}" for p in state.passages)
            return ActionResult(return_value=chunks, context_updates={"relevant_chunks": chunks,
                                                                      "relevant_chunks_sep": [p.text for p in state.passages]})

        @action(is_system_action=True)
        async def kestrel_clean_passages(context: dict | None = None) -> bool:
            state = self._state(context)
            if not state.passages:
                return True
            kept, findings = clean_passages(state.passages)
            if findings:
                state.passages = kept
                state.rail("retrieval", "kestrel check retrieved passages", "removed injected instructions",
                           findings=findings)
            return True

        @action(is_system_action=True)
        async def generate_bot_message(events: list | None = None, context: dict | None = None, **_: Any):
            state = self._state(context)
            bot = get_last_bot_intent_event(events or [])
            intent = bot["intent"] if bot else "explain scope"
            if state.reply and not (state.assessment and state.assessment.blocked):
                text, skip = state.reply, True  # emojis only (inputs.py); never for a refused turn
            elif intent == MANUAL_ANSWER:
                text, skip = await self._manual_draft(state)
            elif intent == COMMAND:
                text, skip = await self._command(state), True
            else:
                messages = self.rails.config.bot_messages.get(intent) or []
                text, skip = (self.product.text(messages[0]) if messages else "I can't help with that."), True
                if state.assessment and not state.decision:
                    state.decision = state.assessment.decision
            updates = {"skip_output_rails": True} if skip else {}
            return ActionResult(events=[new_event_dict("BotMessage", text=text)], context_updates=updates)

        @action(is_system_action=True)
        async def kestrel_check_grounding(context: dict | None = None) -> str:
            return self._ground(self._state(context))

        return {f.__name__: f for f in (kestrel_jailbreak_check, kestrel_self_check_input, generate_user_intent,
                                        generate_next_steps, retrieve_relevant_chunks, kestrel_clean_passages,
                                        generate_bot_message, kestrel_check_grounding)}

    # --- manual answers -------------------------------------------------------------------------
    def _route(self, state: TurnState, a: Assessment) -> str:
        """The intent the dialog rails act on: the classifier's, except for messages that are not a plain
        English question (inputs.py). Only allowed turns are rerouted; a refusal stays a refusal."""
        if a.blocked:
            return a.intent
        if inputs.no_words(state.question):
            state.reply, state.decision = inputs.NO_WORDS, "no_words"
            return a.intent
        state.section = inputs.section_reference(state.question)
        if state.section:
            state.rail("dialog", "section reference", state.section)
            return ASK_MANUAL
        asked = inputs.focus(state.question)
        if a.decision == "command" and asked != state.question and inputs.asks(asked):
            # the classifier read a pasted story as a command; its last sentences ask a question
            state.rail("dialog", "long message", "question", focus=asked[:200])
            return ASK_MANUAL
        if a.decision in ("off_topic", "answer"):
            state.language = inputs.language(state.question)
            if state.language:
                state.rail("dialog", "language", state.language)
                return ASK_MANUAL  # answered if retrieval is confident, else the English-only reply
        return a.intent

    async def _manual_draft(self, state: TurnState) -> tuple[str, bool]:
        """(draft text, skip the output rails): not answerable -> say so; else the model's draft."""
        if state.section:
            return "", False  # the output rail shows the section
        check = self.answers.answerable(state.wording or state.question, state.passages, state.question)
        if state.language and not (check.answerable and check.score >= LANGUAGE_CONFIDENT):
            state.decision = "other_language"
            state.rail("generation", "answerability", "other language, no confident match",
                       language=state.language, score=round(check.score, 3))
            return inputs.ENGLISH_ONLY, True
        if not check.answerable:
            state.decision = "not_in_manual"
            state.rail("generation", "answerability", "not in the manual", reason=check.reason)
            return self.product.not_in_manual, True
        g = self.cfg.generation
        if not g.use_llm:
            return "", False
        words = self.cfg.retrieval.passage_words
        passages = self.answers.rank(state.wording or state.question, state.passages)[: self.cfg.retrieval.prompt_passages]
        for attempt in range(3):  # a prompt longer than the model's context: fewer, shorter passages
            shown = [{"section_id": p.section_id, "title": p.title, "text": " ".join(p.text.split()[:words])}
                     for p in passages]
            messages = self.ports.prompts.manual_qa_messages(state.question, shown)
            try:
                state.draft = await self._generate(state, messages, g.qa_adapter, g.max_new_tokens)
                return state.draft, False
            except Exception as err:
                if "token" in str(err) and "context" in str(err) and attempt < 2:
                    passages, words = passages[: max(1, len(passages) - 1)], max(30, words // 2)
                    continue
                state.rail("generation", "manual_qa", "generation failed", error=str(err).splitlines()[0][:200])
                return "", False
        return "", False

    async def _generate(self, state: TurnState, messages: list[dict], adapter: str, max_tokens: int) -> str:
        start = time.perf_counter()
        try:
            response = await self.llm.generate_async(None, messages=messages, adapter=adapter or None,
                                                     max_tokens=max_tokens)
        finally:
            state.timings["generation_s"] += time.perf_counter() - start
        state.llm_calls += 1
        if response.usage:
            state.prompt_tokens += response.usage.input_tokens
            state.completion_tokens += response.usage.output_tokens
        return response.content

    def _ground(self, state: TurnState) -> str:
        """The output rail: the model's answer if grounded, else the extractive answer; with sources."""
        if state.section:
            return self.answers.show_section(state)
        parse = self.ports.prompts.parse_manual_answer
        answer, cited = parse(state.draft) if state.draft else ("", None)
        wording = state.wording or state.question  # the question's words as the manual says them
        ranked = self.answers.rank(wording, state.passages)
        if state.draft:
            verdict = check_grounding(answer, cited, state.passages)
            if verdict.grounded:
                used = [p for p in ranked if p.section_id == cited][:1]
                state.decision = "answer"
                state.rail("output", "kestrel check grounding", "grounded", support=round(verdict.support, 3))
                return with_sources(state, answer, used)
            state.rail("output", "kestrel check grounding", "ungrounded: extractive fallback",
                       support=round(verdict.support, 3), reasons=verdict.reasons[:4])
        else:
            state.rail("output", "kestrel check grounding", "no model answer: extractive")
        parts = questions(state.question) if self.cfg.retrieval.joined_questions else [state.question]
        if len(parts) > 1:
            text, used = self.answers.joined(state, parts)
        else:
            text, used = self.answers.extractive(state, wording, ranked)
        if not text:
            state.decision = "not_in_manual"
            return self.product.not_in_manual
        state.decision = "answer_extractive"
        note = inputs.unit_note(state.question, text)  # "in psi?" and the manual gives bar
        return with_sources(state, f"{text} {note}" if note else text, used)

    # --- vehicle commands (guardrails/command_turn.py) -------------------------------------------
    async def _command(self, state: TurnState) -> str:
        g = self.cfg.generation

        async def generate(messages: list[dict]) -> str:
            return await self._generate(state, messages, g.command_adapter, g.command_max_tokens)

        return await carry_out(state, generate, self.embed, self.fallback, self.cfg.parked_only, self.ports.prompts,
                               self.cfg.confirm_below)

"""Typed config of the assistant stage (values and the reasons for them: configs/assistant/default.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RetrievalSettings:
    top_k: int = 4  # passages retrieved per question (the manual_qa adapter was trained on 4)
    min_score: float = 0.25  # below this cosine no passage is related: "not in the manual"
    max_unknown: float = 0.5  # share of the question's rare words the manual never uses: not covered
    # "is there / can I fit X?" with the best passage holding less than this share of X: not covered
    # (0 = off: on held-out sets it declined as many look-alikes as unanswerable questions it caught)
    feature_coverage: float = 0.0
    # extractive answers: the learned answer-line ranker and section chooser (guardrails/answer_ranker.py);
    # false: the hand-tuned line score (round nine, docs/assistant.md)
    answer_ranker: bool = True
    # "not covered" also when the learned answerability model (guardrails/answerability_model.py) says so
    # although the rules answer (near-miss features). Round ten kept it off at its file's threshold 0.93
    # (3 held-out qa_v6 questions declined); round eleven turns it on at 0.98, the lowest threshold at which
    # it declined no answerable training (out of fold) or dev QA question (docs/assistant.md)
    answerability_model: bool = True
    # its threshold on P(not covered); 0: the weight file's own (0.93, chosen on training folds)
    answerability_threshold: float = 0.98
    # extractive answers also cite (once) a retrieved section that states a quoted figure or line, so an
    # answer quoted from the 20.x tables names the chapter that explains it too (guardrails/citations.py, round eleven)
    also_cite: bool = True
    # extractive answers: the word budget goes to the likeliest lines first, and a quoted sentence that
    # points back ("It stops when...", "This is normal.") comes with the sentence it points to (and the
    # one that points back at it). Round twelve: +4 of 230 dev questions, none lost, but the held-out
    # qa_v5-v8 unchanged, so off by the shipping rule (guardrails/answer_lines.py, docs/assistant.md)
    line_context: bool = False
    # a message joining questions that stand alone ("how do I open the frunk and what tyre pressure should
    # I use?") gets an extractive answer per question, each from its own retrieval (guardrails/joined_questions.py)
    joined_questions: bool = True
    prompt_passages: int = 3  # best passages shown to the model (the manual_qa adapter's training count)
    passage_words: int = 80  # each is cut to about this many words (the adapter's training length)


@dataclass
class GenerationSettings:
    backend: str = "auto"  # Generator backend: auto | edge | torch | trtllm
    max_new_tokens: int = 128
    command_max_tokens: int = 64
    use_llm: bool = True  # false: answers are always extractive (no model call for manual questions)
    qa_adapter: str = "manual_qa"  # LoRA adapter for manual answers ("" = base model)
    command_adapter: str = "cockpit_commands"
    threads: int = 0  # generator threads (0 = the backend's default)


@dataclass
class SafetySettings:
    block: float = 1.0  # lexical + semantic evidence at which an input rail blocks
    # a message of two or more requests is refused when one of them, judged alone, is: a harmless question
    # must not carry an unsafe one (guardrails/joined_questions.py: requests, judged_alone)
    requests_alone: bool = True
    tamper: float = 2.0  # safety-system tampering score at which the dialog rail refuses
    semantic_probability: float = 0.55
    semantic_similarity: float = 0.62
    # Learned head (guardrails/safety_head.py): P(unsafe) at which it refuses on its own, and the
    # P(unsafe) below which it overrules a rule hit less than clear_margin over the rule's threshold.
    learned: float = 0.75
    learned_clear: float = 0.1
    clear_margin: float = 1.0
    # Nearest-example vote (guardrails/safety_knn.py): asked when the head's P(unsafe) is in
    # [knn_low, knn_high); its P is mixed in with weight knn_weight (0: never loaded nor asked).
    # The mixed P(unsafe) refuses at knn_learned (the head alone at learned).
    knn_low: float = 0.3
    knn_high: float = 0.9
    knn_weight: float = 0.0  # 0.4 with knn_learned 0.6: round eight's dev choice (docs/assistant.md)
    knn_learned: float = 0.6
    # Second opinion on the head's lone refusals below this P(unsafe) (guardrails/second_opinion.py):
    # answered when no unsafe structure is found and the best manual passage is at cosine >=
    # documented_cosine. 0 = off (round ten: 0.9 lost unseen blocked requests, docs/assistant.md).
    second_opinion_below: float = 0.0
    documented_cosine: float = 0.45
    # More examples of the "ask manual question" intent for the offline classifier (JSONL with a
    # "question" field); the QA training split. "" = only the examples in guardrails/rails/*.co.
    extra_questions: str = ""
    # Training utterances of the cockpit_commands adapter (JSONL: utterance, command, values): more
    # "vehicle command" examples, and the nearest-neighbour fallback when the model's command is
    # invalid. "" = neither.
    extra_commands: str = ""


@dataclass
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str = ""  # "" = no authentication; else clients send "Authorization: Bearer <key>"
    max_request_bytes: int = 65536
    max_message_chars: int = 4000
    rate_limit_per_minute: int = 120  # per client address; 0 = unlimited
    max_concurrent: int = 64  # requests processed at once; more get 503 (clients retry)
    shutdown_grace_s: float = 10.0


@dataclass
class ProductSettings:
    """The product the assistant serves, named in every user-facing text (guardrails/product.py).

    The defaults are the embedded Kestrel EV7's; a user's own manual sets its own name, so that no
    greeting, refusal or "not covered" answer names another maker's car or support line.
    """

    name: str = "Kestrel EV7"  # "I'm your Kestrel EV7 assistant", "questions about your Kestrel EV7"
    short_name: str = "EV7"  # "using your EV7 safely" ("" = name)
    support: str = "Kestrel Assist or an authorised Kestrel workshop"  # where "not covered" sends the user
    workshop: str = "an authorised Kestrel workshop"  # who checks a safety system that seems faulty
    # Words that mean "the car" in a message ("my Tavi", "an Aster"): read as "car", so safety rules,
    # routing and answer selection treat them as they treat "car". [] = the words of name and
    # short_name, except vehicle-type words (hybrid, electric, EV...).
    aliases: list[str] = field(default_factory=list)


@dataclass
class AssistantConfig:
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    safety: SafetySettings = field(default_factory=SafetySettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    product: ProductSettings = field(default_factory=ProductSettings)
    # Intents the car carries out only when parked (gear P, 0 km/h): otherwise refused.
    parked_only: list[str] = field(default_factory=lambda: [
        "trunk.open", "airbag.set_passenger", "dog_mode.set", "wiper_service_mode.set", "phone.pair"])
    # A command read by the fallback (the model's was invalid) whose intent probability is below this, or
    # with a slot the request does not state, is asked back ("Did you mean: ...? Say yes") instead of
    # carried out; 0 = never asked. 0.4: dev choice (docs/assistant.md "Asking back unsure commands").
    confirm_below: float = 0.4
    # Typing slips read as the words meant ("disbale the airbga") before any rail (guardrails/spelling.py).
    spelling: bool = True
    # A speech recogniser's transcript read as written ("um how do how do i open the frunk") (guardrails/speech.py).
    speech: bool = True
    cache_dir: str = ""  # embeddings of the intent examples, reused across runs ("" = none)
    # Evaluation sets (JSONL). QA: question, answer, section_id. Unanswerable: question.
    # Attacks / look-alikes: prompt (+ category / kind). Commands: utterance, vehicle_state, command.
    eval_questions: str = "???"
    eval_unsafe: str = "???"
    eval_lookalikes: str = "???"
    eval_commands: str = ""
    heldout_unanswerable: str = ""
    heldout_unsafe: str = ""
    heldout_jailbreaks: str = ""
    heldout_lookalikes: str = ""
    # Written after the rules were tuned on the sets above, and run once: the honest generalisation figure.
    heldout_unsafe_v2: str = ""
    heldout_lookalikes_v2: str = ""
    # Written before the second round of changes and measured once before and once after them.
    heldout_unsafe_v3: str = ""
    heldout_lookalikes_v3: str = ""
    heldout_qa_v3: str = ""
    # Written before the learned safety head and its training data (round four); rates only.
    heldout_unsafe_v4: str = ""
    heldout_lookalikes_v4: str = ""
    # Written before any change of round five (frames, averaged head, vetoes); rates only.
    heldout_unsafe_v5: str = ""
    heldout_lookalikes_v5: str = ""
    eval_limit: int = 0  # evaluate at most this many items per set (0 = all)
    eval_workers: int = 4  # concurrent turns during the evaluation (the generator batches them)

    def validate(self) -> None:
        r, g, s = self.retrieval, self.generation, self.safety
        if r.top_k <= 0 or r.prompt_passages <= 0 or r.passage_words <= 0:
            raise ValueError("assistant.retrieval.top_k, prompt_passages and passage_words must be positive")
        if not 0 <= r.min_score < 1:
            raise ValueError(f"assistant.retrieval.min_score={r.min_score} must be in [0, 1)")
        if g.backend not in ("auto", "edge", "torch", "trtllm"):
            raise ValueError(f"assistant.generation.backend={g.backend} must be auto, edge, torch or trtllm")
        if g.max_new_tokens <= 0 or g.command_max_tokens <= 0:
            raise ValueError("assistant.generation.max_new_tokens and command_max_tokens must be positive")
        if s.block <= 0 or s.tamper <= 0:
            raise ValueError("assistant.safety.block and assistant.safety.tamper must be positive")
        if not 0 < s.semantic_probability <= 1 or not -1 <= s.semantic_similarity <= 1:
            raise ValueError("assistant.safety.semantic_probability must be in (0, 1], semantic_similarity in [-1, 1]")
        if not 0 <= s.knn_low <= s.knn_high <= 1 or not 0 <= s.knn_weight <= 1 or not 0 < s.knn_learned <= 1:
            raise ValueError(f"assistant.safety.knn_low={s.knn_low} <= knn_high={s.knn_high} must lie in [0, 1], "
                             f"knn_weight={s.knn_weight} in [0, 1], knn_learned={s.knn_learned} in (0, 1]")
        if not 0 <= s.second_opinion_below <= 1 or not -1 <= s.documented_cosine <= 1:
            raise ValueError(f"assistant.safety.second_opinion_below={s.second_opinion_below} must be in [0, 1], "
                             f"documented_cosine={s.documented_cosine} in [-1, 1]")
        if not 0 < s.learned <= 1 or not 0 <= s.learned_clear < s.learned or s.clear_margin < 0:
            raise ValueError(f"assistant.safety.learned={s.learned} must be in (0, 1], learned_clear="
                             f"{s.learned_clear} in [0, learned), clear_margin={s.clear_margin} >= 0")
        if not 0 <= self.confirm_below <= 1:
            raise ValueError(f"assistant.confirm_below={self.confirm_below} must be in [0, 1] (0 = never ask back)")
        if self.eval_workers <= 0 or self.eval_limit < 0:
            raise ValueError("assistant.eval_workers must be positive and assistant.eval_limit >= 0")
        if not self.product.name.strip():
            raise ValueError("assistant.product.name is empty: name your product (it is used in every greeting and "
                             "refusal), e.g. assistant.product.name=\"Aster Tavi Hybrid\"")
        v = self.serve
        if not 0 < v.port < 65536 or v.max_request_bytes <= 0 or v.max_message_chars <= 0 or v.max_concurrent <= 0:
            raise ValueError("assistant.serve: port in 1..65535; max_request_bytes, max_message_chars and "
                             "max_concurrent positive")
        if v.rate_limit_per_minute < 0:
            raise ValueError(f"assistant.serve.rate_limit_per_minute={v.rate_limit_per_minute} must be >= 0")

    def validate_run(self) -> None:
        """What the stage's evaluation needs (pipeline/runner.py calls it before any stage runs; chat and
        serve do not need the evaluation sets)."""
        for key, fields in (("eval_questions", "question, answer, section_id"), ("eval_unsafe", "prompt, category"),
                            ("eval_lookalikes", "prompt")):
            path = getattr(self, key)
            if not path.strip():
                raise ValueError(f"assistant.{key} is not set: name a JSONL file with {fields} per line")
            if not Path(path).is_file():
                raise ValueError(f"assistant.{key}={path}: file not found")

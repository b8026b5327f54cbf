"""Is the answer ranker's best-line probability a "not covered" signal? (round eleven, docs/assistant.md)

Replays every development question as a turn retrieves it (whole manual, the question in the
manual's words, top 4 chunks, whole sections): answerable = the 500 QA training questions, the given
eval, qa_v3, qa_v4; not covered = the four development unanswerable sets; look-alikes = the given and
dev..dev5 look-alike prompts. For each it records the learned answerability check's P(not covered)
(out of fold for the check's own training rows), whether the rules decline it, the answer ranker's
best-line probability over the retrieved sections and the best question-line MiniLM cosine. Prints the
AUC of those two signals among the questions the check finds hard (P >= 0.5, rules answer), and the
declines of each threshold of the check. No held-out set is read.

    OMP_NUM_THREADS=1 python benchmarks/answerability_signals.py     # ~3 min on 2 shared cores
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

POSITIVE = ["data/instructions/train.jsonl", "data/instructions/eval.jsonl", "data/assistant/qa_v3.jsonl",
            "data/assistant/qa_v4.jsonl"]
NEGATIVE = [f"data/assistant/{n}.jsonl" for n in ("unanswerable", "dev_unanswerable", "dev2_unanswerable",
                                                  "unanswerable_v2")]
LOOKALIKE = ["data/instructions/safe_lookalikes.jsonl"] + [
    f"data/assistant/{n}_lookalikes.jsonl" for n in ("dev", "dev2", "dev3", "dev4", "dev5")]


def questions(path: str) -> list[str]:
    rows = [json.loads(line) for line in (REPO / path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r.get("question") or r["prompt"] for r in rows]


def signals(manual, question: str) -> tuple[np.ndarray, bool, float, float]:
    """(check features, rules decline, best-line probability, best line cosine) of one question."""
    from guardrails import answer_lines, inputs
    from guardrails import answerability_model as am
    from guardrails.grounding import Passage, answerable, clean_passages, rank_passages

    asked = inputs.focus(question)
    wording = manual.retriever.query_text(asked)
    vector = manual.embed([asked])[0]
    search = vector if " ".join(wording.lower().split()) == " ".join(question.lower().split()) \
        else manual.embed([wording])[0]
    passages = [Passage.from_hit(h) for h in manual.retriever.search_vectors([question], search[None, :], manual.top_k)[0]]
    x = am.features(wording, passages, manual.evidence, original=question,
                    section_of=lambda p: manual.sections.expand(p).text)
    declined = not answerable(wording, passages, manual.evidence, original=question).answerable
    ranked = rank_passages(wording, passages, manual.evidence)
    expanded, _ = clean_passages([manual.sections.expand(p) for p in ranked])
    c = answer_lines.candidate_lines(wording, expanded or ranked, manual.evidence,
                                     lambda texts: manual.embed(texts) @ vector)
    scores = answer_lines.default_ranker().scores(c, manual.evidence) if c.flat else {}
    return x, declined, max(scores.values(), default=0.0), max(c.meaning, default=0.0)


def auc(a: np.ndarray, b: np.ndarray) -> float:
    """P(a value of ``a`` > one of ``b``), ties half."""
    return float((a[:, None] > b[None, :]).mean() + 0.5 * (a[:, None] == b[None, :]).mean())


def main() -> None:
    from guardrails import answerability_model as am
    from guardrails.answer_ranker_train import Manual
    from guardrails.answerability_train import out_of_fold

    manual = Manual()
    groups = {"answerable": POSITIVE, "not covered": NEGATIVE, "look-alikes": LOOKALIKE}
    data = {}
    for name, paths in groups.items():
        rows = [signals(manual, q) for p in paths for q in questions(p)]
        data[name] = {"x": np.array([r[0] for r in rows]), "rules": np.array([r[1] for r in rows]),
                      "line": np.array([r[2] for r in rows]), "cosine": np.array([r[3] for r in rows])}
    n_train = len(questions(POSITIVE[0]))
    model = am.shipped()
    p = {k: np.array([model.probability(x) for x in v["x"]]) for k, v in data.items()}
    # the check's own training rows (training questions, development negatives): out of fold
    x = np.vstack([data["answerable"]["x"][:n_train], data["not covered"]["x"]])
    y = np.r_[np.zeros(n_train), np.ones(len(data["not covered"]["x"]))]
    oof = out_of_fold(x, y)
    p["answerable"][:n_train], p["not covered"] = oof[:n_train], oof[n_train:]
    hard = {k: (p[k] >= 0.5) & ~data[k]["rules"] for k in data}
    for signal in ("line", "cosine"):
        a, n, look = (data[k][signal][hard[k]] for k in ("answerable", "not covered", "look-alikes"))
        print(f"{signal:7s} hard questions {len(a)}/{len(n)}/{len(look)}: AUC answerable > not covered "
              f"{auc(a, n):.3f}, look-alikes > not covered {auc(look, n):.3f}; medians "
              f"{np.median(a):.3f} / {np.median(n):.3f} / {np.median(look):.3f}")
    for threshold in (0.93, 0.95, 0.97, 0.98, 0.99):
        extra = {k: int(((p[k] >= threshold) & ~data[k]["rules"]).sum()) for k in data}
        print(f"threshold {threshold}: declined beyond the rules - training {int(((oof[:n_train] >= threshold) & ~data['answerable']['rules'][:n_train]).sum())}"
              f"/{n_train} (out of fold), all answerable {extra['answerable']}/{len(p['answerable'])}, "
              f"look-alikes {extra['look-alikes']}/{len(p['look-alikes'])}, not covered "
              f"{extra['not covered'] + int(data['not covered']['rules'].sum())}/{len(p['not covered'])} "
              f"(rules {int(data['not covered']['rules'].sum())})")


if __name__ == "__main__":
    main()

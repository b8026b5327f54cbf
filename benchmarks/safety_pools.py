"""Dev-pool and held-out-pool rates of the safety classifier in one process (round thirteen).

    OMP_NUM_THREADS=1 python benchmarks/safety_pools.py [--head=PATH] [--learned=0.7] [--heldout] [--show-dev]
                                                        [--typos=0.3] [--no-spelling] [--no-joined] [--smuggle]
                                                        [--spoken] [--no-speech]

Dev pool (tuned on): dev, dev_unsafe/lookalikes, dev2-5, the older held-out sets already looked at
(unsafe/lookalikes.jsonl), jailbreaks, v2-v5, the given unsafe / look-alike files, the QA eval
questions, command eval utterances and dev_routing. ``--heldout`` adds the unseen v6-v13 sets,
printed as aggregates only (never their items); v14-v16 and the other-language sets on their own lines. Classifier alone, retrieval fixed at 0.5, off-topic
counts as blocked for unsafe rows (as benchmarks/safety_sets.py). Each message is read as the assistant
reads it, typing slips as the words meant (``--no-spelling``: as typed); ``--typos=0.3`` first misspells
30 % of its long words (benchmarks/typos.py). A message joining questions is refused when one of them,
judged alone, is (guardrails/joined_questions.py; ``--no-joined``: the whole message only); ``--smuggle``
puts each unsafe request behind a harmless manual question ("What tyre pressure should I use ...? <request>");
``--spoken`` reads every message as a speech recogniser writes it (benchmarks/spoken.py: lower case, no
punctuation, fillers), after the smuggling; a transcript is read as written (guardrails/speech.py; ``--no-speech``:
as it is).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
A = ROOT / "data" / "assistant"
DEV = ["dev", "dev_unsafe", "dev_lookalikes", "dev2_unsafe", "dev2_lookalikes", "dev3_lookalikes", "dev4_unsafe",
       "dev4_lookalikes", "dev5_unsafe", "dev5_lookalikes", "unsafe", "lookalikes", "jailbreaks",
       "unsafe_v2", "lookalikes_v2", "unsafe_v3", "lookalikes_v3", "unsafe_v4", "lookalikes_v4", "unsafe_v5",
       "lookalikes_v5", "dev_routing", "dev6_unsafe", "dev6_lookalikes"]  # dev6: round fourteen
HELDOUT = [f"{k}_v{i}" for i in range(6, 14) for k in ("unsafe", "lookalikes")]  # v13: round fourteen
# Later held-out pairs, each reported on its own line (label, version):
# v14 (2026-12-07, third session): written and measured once, nothing tuned on it;
# v15 (eighth session): written by a helper who saw neither the code nor the earlier sets; measured once before and
#   once after that session's first safety rule, then read (dev);
# v16 (the eighth session's end): another helper, no code or set seen; measured at the session's start and end commits.
FRESH = [("held-out v14 (unseen, 2026-12-07)", 14), ("held-out v15 (unseen, eighth session)", 15),
         ("held-out v16 (unseen, eighth session's end)", 16)]
# Other languages (2026-12-07, fourth session): de / fr / es / it / nl, a few pt / pl. dev7_ml was read and
# tuned on (rule stems for stealing, drinking, bypassing); ml1 was written before any change and measured once.
MULTILINGUAL_DEV = ["dev7_ml_unsafe", "dev7_ml_lookalikes"]
MULTILINGUAL = ["unsafe_ml1", "lookalikes_ml1"]


# ``--smuggle``: each unsafe request behind a harmless manual question, as one message
SMUGGLE = "What tyre pressure should I use for a normal load? "


def rows_of(name: str) -> list[dict]:
    if name == "qa_eval":
        return [{"prompt": json.loads(l)["question"], "expected": "answer"}
                for l in (ROOT / "data/instructions/eval.jsonl").read_text().splitlines() if l.strip()]
    if name == "commands_eval":
        rows = [json.loads(l) for l in (ROOT / "data/commands/eval.jsonl").read_text().splitlines() if l.strip()]
        return [{"prompt": r["utterance"], "expected": "answer"} for r in rows  # the refusals are not safe text
                if r["command"]["intent"] != "refuse"]
    if name.startswith("given_"):
        f = {"given_unsafe": "unsafe.jsonl", "given_lookalikes": "safe_lookalikes.jsonl"}[name]
        return [json.loads(l) for l in (ROOT / "data/instructions" / f).read_text().splitlines() if l.strip()]
    return [json.loads(l) for l in (A / f"{name}.jsonl").read_text().splitlines() if l.strip()]


def main(argv: list[str]) -> None:
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    from guardrails.ports import EmbeddingCache
    from guardrails.safety import SafetyClassifier, Thresholds
    from guardrails.safety_head import SafetyHead
    from rag.embed import Embedder

    embed = EmbeddingCache(Embedder(threads=1).encode, capacity=65536)
    extra = {"ask manual question": [json.loads(l)["question"] for l in (ROOT / "data/instructions/train.jsonl").read_text().splitlines()],
             "give vehicle command": [json.loads(l)["utterance"] for l in (ROOT / "data/commands/train.jsonl").read_text().splitlines()]}
    head = SafetyHead.load(Path(opts["head"])) if "head" in opts else "default"
    t = Thresholds(**{k: float(opts[k]) for k in ("learned", "learned_clear") if k in opts})
    clf = SafetyClassifier.build(embed, extra=extra, head=head, thresholds=t)
    # as the assistant reads a message: typing slips as the words meant (guardrails/spelling.py)
    from guardrails import inputs
    from guardrails.spelling import assistant_speller

    speller = None if "--no-spelling" in argv else assistant_speller(
        [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data/manual").glob("*.md"))], extra)
    typos = float(opts.get("typos", 0))
    from guardrails.joined_questions import judged_alone
    from guardrails.speech import as_written

    joined = "--no-joined" not in argv
    smuggle = "--smuggle" in argv

    spoken = "--spoken" in argv

    def message(text: str) -> str:
        if spoken:
            from benchmarks.spoken import transcribe

            text = transcribe(text)
        if typos:
            from benchmarks.typos import misspell

            text = misspell(text, typos)
        text = text if "--no-speech" in argv else as_written(text, inputs.language).text  # guardrails/speech.py
        return speller.fix(text).text if speller is not None and not inputs.language(text) else text

    def run(names: list[str], show: bool) -> dict:
        out = {}
        for name in names:
            rows = [{**r, "prompt": message(SMUGGLE + r["prompt"] if smuggle and r.get("expected") == "refuse"
                                            else r["prompt"])} for r in rows_of(name)]
            vecs = embed([r["prompt"] for r in rows])
            u = s = ub = sf = 0
            for r, v in zip(rows, vecs):
                a = clf.assess(r["prompt"], v, 0.5)
                if joined:  # as the assistant: joined questions are each judged alone too
                    a = judged_alone(r["prompt"], a, lambda part: clf.assess(part, embed([part])[0], 0.5))
                if r.get("expected") == "refuse":
                    u += 1
                    hit = a.blocked or a.decision == "off_topic"
                    ub += hit
                    if show and not hit:
                        print("   MISS", name, r["prompt"][:140])
                else:
                    s += 1
                    sf += a.blocked
                    if show and a.blocked:
                        print("   FALSE", name, a.reasons[:2], r["prompt"][:140])
            out[name] = (u, ub, s, sf)
        return out

    dev = run(DEV + ["given_unsafe", "given_lookalikes", "qa_eval", "commands_eval"], "--show-dev" in argv)
    report("dev", dev, per_set="--per-set" in argv)
    if "--heldout" in argv:
        held = run(HELDOUT, False)
        report("held-out v6-v13", held, per_set=True)
        report("held-out v6-v12 (round thirteen's pool)", {k: v for k, v in held.items() if not k.endswith("_v13")}, per_set=False)
        for label, version in FRESH:
            report(label, run([f"{k}_v{version}" for k in ("unsafe", "lookalikes")], False), per_set=False)
        report("other languages, dev7_ml (tuned on)", run(MULTILINGUAL_DEV, False), per_set=False)
        report("other languages, held-out ml1", run(MULTILINGUAL, False), per_set=False)


def report(title: str, res: dict, per_set: bool) -> None:
    tot = [sum(x[i] for x in res.values()) for i in range(4)]
    if per_set:
        for name, (u, ub, s, sf) in res.items():
            print(f"  {name:18s} " + (f"blocked {ub}/{u}" if u else "") + (f" false {sf}/{s}" if s else ""))
    print(f"{title}: blocked {tot[1]}/{tot[0]} = {100 * tot[1] / max(1, tot[0]):.1f}%  "
          f"false refusals {tot[3]}/{tot[2]} = {100 * tot[3] / max(1, tot[2]):.1f}%", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

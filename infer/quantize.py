"""Curated text for calibration and perplexity, and the modelopt quantization driver.

Text: the train stage's packed rows (curated shards tokenized by train's tokenizer): the train
split calibrates, the validation split (documents held out by a seeded hash of their id) measures
perplexity. If the base model's tokenizer differs (``customize.base=<someone's model>``), rows are
decoded with train's tokenizer and re-encoded with the model's. ``export.heldout_text`` (a text
file, JSONL with "text", or a folder of .md/.txt) replaces that source for any model.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger("pipeline.infer")
MODELOPT_HINT = ("pip install nvidia-modelopt (the core package: its [hf] extra pins transformers<5.15, "
                 "which this project does not use)")


class QuantizeError(RuntimeError):
    """modelopt is missing or failed, or the model cannot take a requested format."""


class HeldoutError(ValueError):
    """No usable curated text for calibration / perplexity."""


def _chunks(ids: list[int], length: int, count: int) -> np.ndarray:
    rows = [ids[i:i + length] for i in range(0, len(ids) - length + 1, length)][:count]
    return np.asarray(rows, dtype=np.int64).reshape(len(rows), length)


def rows_from_train(data_dir: Path, train_tokenizer: Path, codec, length: int, calib: int, heldout: int):
    """(calibration rows, held-out rows) from train's packed train / val splits."""
    from train.packing import PackedRows, PackingError

    try:
        train_rows, val_rows = PackedRows.open(data_dir, "train"), PackedRows.open(data_dir, "val")
    except (OSError, PackingError, ValueError) as err:
        raise HeldoutError(f"{data_dir}: cannot read train's packed rows ({err})") from None
    same = _same_tokenizer(train_tokenizer, codec)
    out = []
    for rows, count in ((train_rows, calib), (val_rows, heldout)):
        picked = rows.take(np.arange(min(count, len(rows))))
        if same:
            out.append(picked[:, :length])
            continue
        from tokenizers import Tokenizer

        source = Tokenizer.from_file(str(train_tokenizer / "tokenizer.json"))
        text = "".join(source.decode(list(map(int, r)), skip_special_tokens=False) for r in picked)
        out.append(_chunks(codec.encode(text, add_special_tokens=False), length, count))
    if len(out[1]) == 0:
        raise HeldoutError(f"{data_dir}: no held-out rows")
    return out[0], out[1], f"train artifact packed rows ({data_dir})"


def _same_tokenizer(folder: Path, codec) -> bool:
    try:
        return json.loads((folder / "tokenizer.json").read_text())["model"] == json.loads(codec.tokenizer.to_str())["model"]
    except (OSError, ValueError, KeyError):
        return False


def rows_from_text(path: Path, codec, length: int, calib: int, heldout: int):
    """Split a text source in two halves by document: the first calibrates, the second is held out."""
    path = Path(path)
    if path.is_dir():
        docs = [p.read_text() for p in sorted(path.rglob("*")) if p.suffix in (".md", ".txt")]
    elif path.suffix == ".jsonl":
        docs = []
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.strip():
                try:
                    docs.append(json.loads(line)["text"])
                except (ValueError, KeyError, TypeError):
                    raise HeldoutError(f"{path}:{number}: not a JSON object with a 'text' field") from None
    elif path.is_file():
        docs = [path.read_text()]
    else:
        raise HeldoutError(f"export.heldout_text={path}: no such file or folder")
    if not docs:
        raise HeldoutError(f"export.heldout_text={path}: no text found")
    half = max(1, len(docs) // 2) if len(docs) > 1 else 0
    first, second = ("\n\n".join(docs[:half]), "\n\n".join(docs[half:])) if half else (docs[0][: len(docs[0]) // 2], docs[0][len(docs[0]) // 2:])
    calib_rows = _chunks(codec.encode(first, add_special_tokens=False), length, calib)
    held_rows = _chunks(codec.encode(second, add_special_tokens=False), length, heldout)
    if len(held_rows) == 0 or len(calib_rows) == 0:
        raise HeldoutError(f"export.heldout_text={path}: fewer than 2 x {length} tokens of text")
    return calib_rows, held_rows, f"export.heldout_text ({path})"


def modelopt_available() -> bool:
    return importlib.util.find_spec("modelopt") is not None


def check_formats(formats: list[str], hf_config: dict) -> None:
    from infer.quant_worker import FORMATS

    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise QuantizeError(f"export.quant.formats: unknown {unknown}; choose from {', '.join(FORMATS)}")
    if "int4_awq" in formats:
        dims = {"hidden_size": hf_config["hidden_size"], "intermediate_size": hf_config["intermediate_size"]}
        bad = {k: v for k, v in dims.items() if v % 128}
        if bad:
            raise QuantizeError(f"export.quant.formats has int4_awq but the model's {bad} are not multiples of 128 "
                                f"(AWQ quantizes in groups of 128 input features)")


def quantize(model_dir: Path, out_root: Path, formats: list[str], calib: np.ndarray, heldout: np.ndarray,
             work_dir: Path, threads: int = 0, timeout: int = 3600) -> dict:
    """Run infer.quant_worker in a subprocess; returns its per-format results."""
    if not modelopt_available():
        raise QuantizeError(f"export.quant.formats={formats} needs nvidia-modelopt, which is not installed: {MODELOPT_HINT}")
    work_dir.mkdir(parents=True, exist_ok=True)
    np.save(work_dir / "calib.npy", calib)
    np.save(work_dir / "heldout.npy", heldout)
    job = {"model": str(model_dir), "out": str(out_root), "formats": formats, "calib": str(work_dir / "calib.npy"),
           "heldout": str(work_dir / "heldout.npy"), "result": str(work_dir / "quant_result.json"), "threads": threads}
    (work_dir / "quant_job.json").write_text(json.dumps(job, indent=2))
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join([str(repo), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "infer.quant_worker", str(work_dir / "quant_job.json")],
                          check=False, capture_output=True, text=True, env=env, timeout=timeout, cwd=repo)
    (work_dir / "quant_worker.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        lines = [l for l in proc.stderr.strip().splitlines() if l.strip()]
        raise QuantizeError(f"modelopt quantization failed ({work_dir / 'quant_worker.log'}): "
                            f"{lines[-1][:300] if lines else 'no output'}")
    result = json.loads((work_dir / "quant_result.json").read_text())
    for name, info in result["formats"].items():
        log.info("export: modelopt %s: ppl %.3f -> %.3f (%+.2f%%), rope_theta %s, %.1f s", name,
                 result["ppl_reference"], info["ppl"], info["ppl_delta_pct"], info["rope"]["final"], info["total_s"])
    return result

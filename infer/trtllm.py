"""The TensorRT-LLM part of the bundle: LLM-API options as YAML and the launch commands.

Current TensorRT-LLM serves HF checkpoints with its PyTorch backend (the engine builder was
removed after 1.2.1), so the bundle points it at ``hf/base`` (or a ``quant/<format>`` modelopt
checkpoint) plus the PEFT adapters; in-flight batching and the paged KV cache are always on.
``tensorrt_llm`` installs only from NVIDIA's index on a GPU machine: when it is importable the
stage loads the bundle with it and generates once; otherwise it records why it did not.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from infer.lora import TRTLLM_NAMES

OPTIONS_FILE = "llm_api.yaml"
LAUNCH_FILE = "launch.sh"
MISSING = ("tensorrt_llm is not importable: TensorRT-LLM installs only from NVIDIA's package index "
           "on a machine with an NVIDIA GPU")


class TrtllmUnavailable(RuntimeError):
    """TensorRT-LLM was required but cannot be imported here."""


def available() -> bool:
    return importlib.util.find_spec("tensorrt_llm") is not None


def llm_options(cfg, max_seq_len: int, adapters: dict[str, str], max_rank: int, hf_targets: list[str]) -> dict:
    """The LLM(...) / ``--extra_llm_api_options`` keyword arguments; paths relative to the bundle root."""
    options: dict = {
        "backend": "pytorch",
        "max_batch_size": cfg.max_batch_size,
        "max_num_tokens": cfg.max_num_tokens,
        "max_seq_len": max_seq_len,
        "kv_cache_config": {"free_gpu_memory_fraction": cfg.free_gpu_memory_fraction,
                            "enable_block_reuse": True, "dtype": cfg.kv_cache_dtype},
    }
    if adapters:
        modules = [TRTLLM_NAMES[m] for m in hf_targets]
        options["lora_config"] = {
            "lora_dir": list(adapters.values()),
            "max_lora_rank": max_rank,
            "max_loras": min(cfg.max_loras, len(adapters)),
            "max_cpu_loras": max(cfg.max_loras, len(adapters)),
            "lora_target_modules": modules,
            "trtllm_modules_to_hf_modules": {TRTLLM_NAMES[m]: m for m in hf_targets},
        }
    return options


def write_bundle_part(folder: Path, options: dict, adapters: dict[str, str], quantized: list[str]) -> dict:
    """Write ``llm_api.yaml`` and ``launch.sh``; return what the manifest records."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    serve_options = {k: v for k, v in options.items() if k != "backend"}
    header = ("# TensorRT-LLM LLM-API options for this bundle (trtllm-serve --extra_llm_api_options, or\n"
              "# LLM(model=..., **options)). Paths are relative to the bundle root: run from there.\n")
    (folder / OPTIONS_FILE).write_text(header + yaml.safe_dump(serve_options, sort_keys=False))
    serve = (f"trtllm-serve ${{MODEL:-hf/base}} --backend pytorch --host 0.0.0.0 --port ${{PORT:-8000}} "
             f"--extra_llm_api_options trtllm/{OPTIONS_FILE}")
    lines = [
        "#!/usr/bin/env bash",
        "# OpenAI-compatible TensorRT-LLM server for this bundle (in-flight batching, paged KV cache).",
        f"# MODEL=hf/base (default) or a modelopt checkpoint: {', '.join(f'quant/{q}' for q in quantized) or 'none exported'}.",
        "# Per-request LoRA: extra_body={'lora_request': {'lora_name': NAME, 'lora_int_id': N, 'lora_path': PATH}}",
        *(f"#   {name}: lora_int_id {i}, lora_path {path}" for i, (name, path) in enumerate(adapters.items())),
        "set -euo pipefail",
        'cd "$(dirname "$0")/.."',
        f'exec {serve} "$@"',
    ]
    launch = folder / LAUNCH_FILE
    launch.write_text("\n".join(lines) + "\n")
    os.chmod(launch, 0o755)
    python = ("from tensorrt_llm import LLM; from tensorrt_llm.lora_manager import LoraConfig; "
              "from tensorrt_llm.llmapi import KvCacheConfig; "
              "llm = LLM(model='hf/base', lora_config=LoraConfig(**opts['lora_config']), "
              "kv_cache_config=KvCacheConfig(**opts['kv_cache_config']), max_batch_size=..., max_num_tokens=...)")
    return {"options": f"trtllm/{OPTIONS_FILE}", "launch": f"trtllm/{LAUNCH_FILE}", "serve_command": serve,
            "python": python, "adapters": {name: {"lora_int_id": i, "lora_path": path}
                                           for i, (name, path) in enumerate(adapters.items())}}


def validate(root: Path, options: dict, adapters: dict[str, str], mode: str) -> dict:
    """Load the bundle with TensorRT-LLM and generate once per adapter, when it is importable.

    ``mode``: auto (validate when importable), require (fail when not), skip.
    """
    if mode == "skip":
        return {"validated": False, "reason": "export.trtllm.validate=skip"}
    if not available():
        if mode == "require":
            raise TrtllmUnavailable(f"export.trtllm.validate=require but {MISSING}")
        return {"validated": False, "reason": MISSING}
    from infer.trtllm_backend import build_llm, lora_request

    cwd = os.getcwd()
    os.chdir(root)  # the options use bundle-relative paths
    try:
        llm = build_llm("hf/base", options)
        from tensorrt_llm import SamplingParams

        results = {}
        for index, (name, path) in enumerate([(None, None), *adapters.items()]):
            output = llm.generate(["The charging port"], SamplingParams(max_tokens=8),
                                  lora_request=[lora_request(name, index - 1, path)] if name else None)
            results[name or "base"] = output[0].outputs[0].text
        llm.shutdown()
    finally:
        os.chdir(cwd)
    return {"validated": True, "samples": results}


def summary(info: dict) -> str:
    return json.dumps(info, sort_keys=True)

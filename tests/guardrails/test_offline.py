"""The assistant runs with no network at all (a fresh network namespace) and sends no telemetry."""

import json
import os
import subprocess
import sys

import pytest

from tests.support import REPO


def _unshare_works() -> str:
    try:
        proc = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return "unshare is not installed"
    return "" if proc.returncode == 0 else f"unshare -n is not permitted here: {proc.stderr.strip()[:120]}"


def test_assistant_answers_in_a_network_namespace_without_telemetry(tmp_path, tiny_model):
    reason = _unshare_works()
    if reason:
        pytest.skip(reason)
    # A clean environment: no CI/pytest markers (Guardrails silences telemetry under them), an empty HOME.
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "PYTEST_CURRENT_TEST", "NEMO_GUARDRAILS_NO_USAGE_STATS", "DO_NOT_TRACK")}
    env.update(HOME=str(tmp_path), OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
    proc = subprocess.run(["unshare", "-n", sys.executable, "-m", "tests.support.assistant_offline",
                           str(tiny_model[0].parent)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["decisions"][0] in ("answer", "answer_extractive")
    assert result["decisions"][1] == "refuse_jailbreak"
    assert result["telemetry_default"] is True  # Guardrails would report usage here ...
    assert result["telemetry_enabled"] is False  # ... the assistant switched it off
    assert result["usage_file"] is False
    # No network inside: the namespace has only a down loopback interface.
    probe = subprocess.run(["unshare", "-n", sys.executable, "-c",
                            "import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0


def test_the_assistant_process_keeps_one_blas_thread():
    # numpy's OpenBLAS left its second thread spinning after the rails' tiny products: the demo's
    # probe counted 46-49 ms of process CPU per turn for ~21 ms of work on 2 cores
    code = ("import numpy, threadpoolctl; from guardrails.ports import single_threaded_blas; "
            "single_threaded_blas(); "
            "print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'}))")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "[1]"

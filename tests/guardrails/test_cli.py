"""``pipeline chat`` / ``serve`` argument handling through the real CLI (no artifacts needed)."""

from guardrails.cli import vehicle_state
from tests.support.cli import project_paths, run_cli


def test_chat_without_artifacts_says_which_stage_to_run(tmp_path):
    proc = run_cli("chat", 'question=hello', *project_paths(tmp_path), check=False)
    assert proc.returncode == 1
    assert "no export artifact for this config" in proc.stderr and "python -m pipeline run stage=export" in proc.stderr


def test_serve_rejects_a_bad_setting_in_one_line(tmp_path):
    proc = run_cli("serve", "assistant.serve.port=0", *project_paths(tmp_path), check=False)
    assert proc.returncode == 2 and "assistant.serve" in proc.stderr
    proc = run_cli("serve", "assistant.serve.prot=80", *project_paths(tmp_path), check=False)
    assert proc.returncode == 2 and "unknown config key 'assistant.serve.prot'" in proc.stderr


def test_vehicle_state_options():
    assert vehicle_state({"speed": "50"}) == {"speed_kmh": 50, "gear": "D", "speaker": "driver"}
    assert vehicle_state({"speed": "0"}) == {"speed_kmh": 0, "gear": "P", "speaker": "driver"}
    assert vehicle_state({"state": '{"speed_kmh": 3, "gear": "R", "speaker": "passenger"}'})["gear"] == "R"
    assert vehicle_state({}) is None

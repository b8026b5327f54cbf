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


def test_an_empty_question_is_refused_before_any_artifact_or_model(tmp_path):
    for empty in ("", "   \t "):
        proc = run_cli("chat", f"question={empty}", *project_paths(tmp_path), check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert proc.stderr.strip().splitlines() == [
            'error: question is empty; ask something (question="How do I open the charge port?") or leave '
            "question= out for the interactive prompt"]


def test_an_over_long_question_is_refused_with_the_servers_limit(tmp_path):
    from guardrails.cli import question_problem

    assert question_problem("How do I open the charge port?", 4000) is None
    proc = run_cli("chat", "question=" + "why " * 25000, f"bundle={tmp_path / 'none'}", f"index={tmp_path / 'none'}",
                   *project_paths(tmp_path), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: question has 100000 characters; the limit is 4000 (assistant.serve.max_message_chars, the same as "
        "the server's)"]


def test_a_cut_model_file_is_one_line_naming_it(tmp_path):
    from tests.support.lora_models import make_model

    base = make_model(tmp_path / "model", hidden=32, layers=1, max_len=64)
    weights = base / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    proc = run_cli("chat", "question=hello", f"bundle={base}", f"index={tmp_path / 'none'}", *project_paths(tmp_path),
                   check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"error: {weights}: truncated")

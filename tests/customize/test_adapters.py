"""PEFT adapters: reload gives identical logits, merge equals unmerged, two adapters switched per request."""

from __future__ import annotations

import torch
from torch import nn

from customize import chat, lora, prompts
from customize.generate import generate
from tests.support.customize import tiny_base

STATE = {"speed_kmh": 0, "gear": "P", "speaker": "driver"}


def _adapter(base_dir, name: str, targets: list[str], seed: int, out) -> tuple[nn.Module, object]:
    """A saved adapter whose B matrices are non-zero (as after training), and the live model."""
    model = lora.wrap(lora.load_base(base_dir), name, rank=4, alpha=8, dropout=0.0, targets=targets, seed=seed)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param_name, param in model.named_parameters():
            if "lora_B" in param_name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    model.eval()
    return model, lora.save_adapter(model, name, out / name)


def _ids(tokenizer, texts):
    rows = [chat.prompt_ids(tokenizer, prompts.command_messages(t, STATE)) for t in texts]
    width = max(map(len, rows))
    return torch.tensor([r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows])


def test_reload_gives_identical_logits_and_merge_matches(tmp_path):
    base_dir = tiny_base(tmp_path)
    tokenizer = chat.load_tokenizer(base_dir)
    model, folder = _adapter(base_dir, "commands", list(lora.HF_TO_TRTLLM), 3, tmp_path)
    assert {p.name for p in folder.iterdir()} >= {"adapter_config.json", "adapter_model.safetensors"}
    ids = _ids(tokenizer, ["open the boot", "it's cold in here"])
    with torch.no_grad():
        live = model(input_ids=ids).logits
        base_logits = model.get_base_model()  # LoRA layers injected: compare against the disabled adapter
        with model.disable_adapter():
            plain = base_logits(input_ids=ids).logits
        assert (live - plain).abs().max() > 1e-2  # the adapter changes the output
        from peft import PeftModel

        reloaded = PeftModel.from_pretrained(lora.load_base(base_dir), str(folder)).eval()
        assert torch.equal(reloaded(input_ids=ids).logits, live)
        merged_dir = lora.merge(base_dir, folder, tmp_path / "merged")
        merged = lora.load_base(merged_dir).eval()
        assert not any("lora" in n for n, _ in merged.named_parameters())
        # fp32 rounding of W + BA vs W x + B(A x): ~1e-5 on AVX2 CPUs, far below the adapter's own effect (> 1e-2)
        assert (merged(input_ids=ids).logits - live).abs().max() < 1e-4


def test_two_adapters_on_one_base_switched_per_request(tmp_path):
    base_dir = tiny_base(tmp_path)
    tokenizer = chat.load_tokenizer(base_dir)
    qa, qa_dir = _adapter(base_dir, "manual_qa", ["q_proj", "k_proj", "v_proj", "o_proj"], 11, tmp_path)
    cmd, cmd_dir = _adapter(base_dir, "cockpit_commands", ["gate_proj", "up_proj", "down_proj"], 12, tmp_path)
    texts = ["set the temperature to 21 degrees", "call Anna", "navigate home", "volume up"]
    prompt_rows = [chat.prompt_ids(tokenizer, prompts.command_messages(t, STATE)) for t in texts]
    stops = chat.stop_token_ids(tokenizer)
    own = {"manual_qa": generate(qa, tokenizer, prompt_rows, 12, 4, stops),
           "cockpit_commands": generate(cmd, tokenizer, prompt_rows, 12, 4, stops)}
    assert own["manual_qa"] != own["cockpit_commands"]

    both = lora.load_adapters(lora.load_base(base_dir), {"manual_qa": qa_dir, "cockpit_commands": cmd_dir})
    # per request in one mixed batch: alternate the adapters across the rows
    names = ["manual_qa", "cockpit_commands", "manual_qa", "cockpit_commands"]
    mixed = generate(both, tokenizer, prompt_rows, 12, 4, stops, adapter_names=names)
    assert mixed == [own[name][i] for i, name in enumerate(names)]
    # and by switching the active adapter between requests
    for name in ("cockpit_commands", "manual_qa"):
        both.set_adapter(name)
        assert generate(both, tokenizer, prompt_rows, 12, 4, stops) == own[name]
    ids = _ids(tokenizer, texts[:2])
    with torch.no_grad():
        both.set_adapter("cockpit_commands")
        assert torch.allclose(both(input_ids=ids).logits, cmd(input_ids=ids).logits, atol=1e-6)

"""megatron-core's GPTModel configured as our Llama presets, and the checks that FP8 really runs.

The model equals the HF ``LlamaForCausalLM`` of the same preset: RMSNorm (eps 1e-5), SwiGLU
(``gated_linear_unit`` + SiLU), RoPE with the preset's ``rope_theta``, grouped-query attention
(``num_query_groups``), no biases, tied or untied embeddings; weights come from an HF state dict
(train/megatron_map.py), so a fresh run starts from exactly the weights the native engine would
(``llama.create`` with the same seed) and ``init_from`` is the same path.

Layer spec: Transformer Engine's (fused norm + GEMM, TE attention; FP8 possible) when TE imports,
megatron's local spec otherwise (bf16 / fp32 only: megatron-core silently runs FP8 as bf16
without TE, so fp8 without TE is refused here, and ``fp8_probe`` checks after a step that TE's
scales really moved).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import torch

from train.config import Precision
from train.megatron_map import LlamaShape

log = logging.getLogger("pipeline.train")


class MegatronSetupError(ValueError):
    """A setting this machine or megatron-core cannot run (one line, names the key)."""


def megatron_status() -> tuple[bool, str]:
    """(usable, why not): megatron-core importable and a CUDA GPU visible."""
    from train.fp8 import preload_te

    preload_te()  # megatron imports TE when present: TE must load before torch's CUDA libraries (fp8.py)
    if not torch.cuda.is_available():
        return False, "train.engine=megatron needs a CUDA GPU, and torch sees none (use train.engine=native)"
    try:
        import megatron.core  # noqa: F401
    except Exception as err:  # noqa: BLE001 ImportError, or a dependency (triton, ...) broken underneath
        return False, (
            f"train.engine=megatron needs megatron-core, which does not import "
            f"({type(err).__name__}: {str(err)[:100]}); pip install megatron-core"
        )
    return True, ""


def te_available() -> bool:
    try:
        import transformer_engine.pytorch  # noqa: F401
    except Exception:  # noqa: BLE001 ImportError, or a CUDA extension that does not load
        return False
    return True


@dataclass(frozen=True)
class ModelPlan:
    """What ``build`` makes: the shape, the layer spec and the compute dtype."""

    shape: LlamaShape
    rope_theta: float
    max_seq_len: int
    norm_eps: float
    precision: str  # fp32 | bf16 | fp8
    layout: str  # te | local (megatron_map.LAYOUTS)
    tp: int = 1
    pp: int = 1
    sequence_parallel: bool = False

    @property
    def params_dtype(self) -> torch.dtype:
        return torch.float32 if self.precision == "fp32" else torch.bfloat16


def check_parallel_early(cfg, model_cfg) -> None:
    """``check_layout`` on the preset (or ``init_from``'s config.json) and WORLD_SIZE, so a bad
    tp / pp / dp fails before data preparation; the model's final vocabulary is checked again later."""
    from train.megatron_map import check_layout

    if cfg.init_from:
        from pathlib import Path

        from transformers import LlamaConfig

        if not (Path(cfg.init_from) / "config.json").is_file():
            raise FileNotFoundError(
                f"train.init_from={cfg.init_from}: no config.json (need an HF Llama folder)"
            )
        shape = LlamaShape.from_hf(LlamaConfig.from_pretrained(cfg.init_from))
    else:
        shape = LlamaShape(
            model_cfg.num_layers,
            model_cfg.hidden_size,
            model_cfg.intermediate_size,
            model_cfg.num_heads,
            model_cfg.num_kv_heads,
            model_cfg.vocab_size,
            model_cfg.tie_embeddings,
        )
    world = int(os.environ.get("WORLD_SIZE", "1"))
    check_layout(shape, cfg.parallel.tp, cfg.parallel.pp, cfg.parallel.dp, world)


def plan_for(hf_config, precision, parallel, use_te: bool | None = None) -> ModelPlan:
    precision = Precision(precision).value
    use_te = te_available() if use_te is None else use_te
    if precision == "fp8" and not use_te:
        raise MegatronSetupError(
            "train.precision=fp8 with train.engine=megatron needs Transformer Engine "
            "(without it megatron-core silently trains in bf16); see docs/gpu.md"
        )
    params = getattr(hf_config, "rope_parameters", None) or {}
    if params.get("rope_type", "default") != "default":
        raise MegatronSetupError(
            f"train.engine=megatron supports plain RoPE only, not {params['rope_type']!r}"
        )
    theta = float(params.get("rope_theta", getattr(hf_config, "rope_theta", 10000.0)))
    return ModelPlan(
        LlamaShape.from_hf(hf_config),
        theta,
        hf_config.max_position_embeddings,
        float(hf_config.rms_norm_eps),
        precision,
        "te" if use_te else "local",
        parallel.tp,
        parallel.pp,
        bool(parallel.sequence_parallel),
    )


def transformer_config(plan: ModelPlan, fp8_cfg=None):
    import torch.nn.functional as F
    from megatron.core.transformer.transformer_config import TransformerConfig

    shape, te = plan.shape, plan.layout == "te"
    fp8 = {}
    if plan.precision == "fp8":
        from train.fp8_recipe import Recipe

        recipe = Recipe.from_config(fp8_cfg)
        fp8 = {
            "fp8": recipe.fp8_format.lower(),
            "fp8_recipe": "delayed",
            "fp8_margin": recipe.margin,
            "fp8_amax_history_len": recipe.amax_history_len,
            "fp8_amax_compute_algo": recipe.amax_compute_algo,
        }
    return TransformerConfig(
        num_layers=shape.num_layers,
        hidden_size=shape.hidden_size,
        ffn_hidden_size=shape.intermediate_size,
        num_attention_heads=shape.num_heads,
        num_query_groups=shape.num_kv_heads,
        kv_channels=shape.head_dim,
        normalization="RMSNorm",
        layernorm_epsilon=plan.norm_eps,
        gated_linear_unit=True,
        activation_func=F.silu,
        add_bias_linear=False,
        add_qkv_bias=False,
        hidden_dropout=0.0,
        attention_dropout=0.0,
        tensor_model_parallel_size=plan.tp,
        pipeline_model_parallel_size=plan.pp,
        sequence_parallel=plan.sequence_parallel,
        bf16=plan.precision != "fp32",
        params_dtype=plan.params_dtype,
        pipeline_dtype=plan.params_dtype,
        # Every weight is loaded from an HF state dict right after construction.
        perform_initialization=False,
        # Fused SwiGLU / bias-dropout-add are megatron's own jit kernels; RoPE fusion and the
        # fused softmax need TE / megatron's CUDA extensions, absent in the local spec's setting.
        bias_activation_fusion=True,
        bias_dropout_fusion=True,
        apply_rope_fusion=te,
        masked_softmax_fusion=False,
        persist_layer_norm=False,
        gradient_accumulation_fusion=False,
        **fp8,
    )


def layer_spec(plan: ModelPlan):
    from megatron.core.models.gpt.gpt_layer_specs import (
        get_gpt_layer_local_spec,
        get_gpt_layer_with_transformer_engine_spec,
    )

    if plan.layout == "te":
        return get_gpt_layer_with_transformer_engine_spec()
    return get_gpt_layer_local_spec(normalization="RMSNorm")


def build(plan: ModelPlan, config, pre_process: bool = True, post_process: bool = True):
    """One pipeline stage's GPTModel (uninitialised weights: load them with ``load_weights``)."""
    from megatron.core.models.gpt import GPTModel

    # TE >= 2.18 refuses to unpickle its FP8 metadata from a checkpoint unless allowed; our
    # checkpoints are our own files.
    os.environ.setdefault("NVTE_ALLOW_UNSAFE_PICKLE_EXTRA_STATE", "1")
    shape = plan.shape
    theta = plan.rope_theta
    return GPTModel(
        config=config,
        transformer_layer_spec=layer_spec(plan),
        vocab_size=shape.vocab_size,
        max_sequence_length=plan.max_seq_len,
        pre_process=pre_process,
        post_process=post_process,
        share_embeddings_and_output_weights=shape.tie_embeddings,
        position_embedding_type="rope",
        rotary_base=int(theta) if float(theta).is_integer() else theta,
        parallel_output=True,
    )


def load_weights(model: torch.nn.Module, weights: dict[str, torch.Tensor]) -> None:
    """Load one rank's shard (megatron_map.shard); TE's ``_extra_state`` entries are not weights."""
    missing, unexpected = model.load_state_dict(weights, strict=False)
    missing = [k for k in missing if not k.endswith("_extra_state")]
    if missing or unexpected:
        raise MegatronSetupError(
            f"GPTModel weights do not map: missing {missing[:4]}, unexpected {unexpected[:4]}"
        )


def fp8_modules(model: torch.nn.Module) -> list[torch.nn.Module]:
    """TE modules that keep FP8 delayed-scaling state (their ``fp8_meta``)."""
    return [m for m in model.modules() if isinstance(getattr(m, "fp8_meta", None), dict)]


def fp8_probe(model: torch.nn.Module) -> dict[str, int]:
    """How many TE modules ran under FP8: a forward scale that left its initial 1.0 is proof that
    the recipe computed amaxes and updated scales (true for every history length and algorithm)."""
    modules = fp8_modules(model)
    active = 0
    for module in modules:
        state = module.fp8_meta.get("scaling_fwd")
        ready = getattr(module, "fp8_meta_tensors_initialized", False) and state is not None
        if ready and bool((state.scale != 1.0).any()):
            active += 1
    return {"te_modules": len(modules), "fp8_active": active}


def param_counts(shape: LlamaShape) -> dict[str, int]:
    """Parameters of the whole model (as the HF model counts them: a tied head is not counted twice)."""
    h, f, layers = shape.hidden_size, shape.intermediate_size, shape.num_layers
    kv = shape.num_kv_heads * shape.head_dim
    per_layer = h * h + 2 * kv * h + h * h + 3 * f * h + 2 * h
    embedding = shape.vocab_size * h
    head = 0 if shape.tie_embeddings else shape.vocab_size * h
    total = embedding + layers * per_layer + h + head
    return {"params": total, "params_non_embedding": total - embedding}

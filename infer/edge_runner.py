"""The edge backend: the onnxruntime-genai-built ONNX model run by our continuous batcher.

Why not onnxruntime-genai's own ``Engine``: on CPU (0.18) it batches statically - a request that
arrives while a batch runs waits until the whole batch has finished (measured; its dynamic,
paged mode needs CUDA or WebGPU with fp16) - and its adapters are per generator, so one batch
cannot mix LoRA adapters. The model it builds, however, is exactly what continuous batching
needs: GroupQueryAttention over a shared past/present buffer with a per-row sequence length
taken from the attention mask. So we keep one KV buffer of ``max_slots`` rows per layer, bind
row views of it as both past and present (updated in place), and run one batched step for all
active rows, each at its own length.

LoRA: the export adds the adapter weights as overridable graph inputs (zero defaults = the base
model). onnxruntime-genai switches them per generator from ``.onnx_adapter`` files; here a step
feeds either one adapter's 2-D weights, or, when rows use different adapters, a 3-D stack with
one adapter per row (a batched MatMul), so base and adapter requests share one batch.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from infer.scheduler import NumpyLogits

log = logging.getLogger("pipeline.infer")


class EdgeModelError(ValueError):
    """An edge folder that is not a loadable model built by the export stage."""


def read_genai_config(folder: Path) -> dict:
    path = Path(folder) / "genai_config.json"
    if not path.is_file():
        raise EdgeModelError(f"{folder}: no genai_config.json (not an onnxruntime-genai model folder)")
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise EdgeModelError(f"{path}: invalid JSON ({err})") from None


def read_onnx_adapter(path: Path) -> dict[str, np.ndarray]:
    import onnxruntime as ort

    try:
        adapter = ort.AdapterFormat.read_adapter(str(path))
        # copy while the reader is alive: its arrays point into its own buffer
        return {name: value.numpy().copy() for name, value in adapter.get_parameters().items()}
    except Exception as err:  # onnxruntime raises its own Fail/RuntimeError types
        raise EdgeModelError(f"{path}: unreadable .onnx_adapter ({str(err).splitlines()[0]})") from None


class EdgeRunner:
    def __init__(self, folder: Path, adapters: dict[str, Path], max_slots: int = 16,
                 max_len: int | None = None, threads: int = 0):
        import onnxruntime as ort

        folder = Path(folder)
        config = read_genai_config(folder)
        decoder = config["model"]["decoder"]
        self.layers = decoder["num_hidden_layers"]
        kv_heads, head = decoder["num_key_value_heads"], decoder["head_size"]
        self.max_slots = max_slots
        self.max_len = min(max_len or config["model"]["context_length"], config["model"]["context_length"])
        names = decoder["inputs"]
        self.past_k = [names["past_key_names"] % i for i in range(self.layers)]
        self.past_v = [names["past_value_names"] % i for i in range(self.layers)]
        outs = decoder["outputs"]
        self.present_k = [outs["present_key_names"] % i for i in range(self.layers)]
        self.present_v = [outs["present_value_names"] % i for i in range(self.layers)]
        self.logits_name = outs["logits"]
        options = ort.SessionOptions()
        options.log_severity_level = 3  # the LoRA inputs are overridable initializers by design: no warning
        if threads > 0:
            options.intra_op_num_threads = threads
        model_path = folder / decoder["filename"]
        try:
            self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        except Exception as err:
            raise EdgeModelError(f"{model_path}: onnxruntime cannot load it ({str(err).splitlines()[0][:300]})") from None
        self.ort = ort
        kv_type = {i.name: i.type for i in self.session.get_inputs()}[self.past_k[0]]
        dtype = np.float16 if "float16" in kv_type else np.float32
        shape = (max_slots, kv_heads, self.max_len, head)
        self.k = [np.zeros(shape, dtype) for _ in range(self.layers)]
        self.v = [np.zeros(shape, dtype) for _ in range(self.layers)]
        self._views: dict[tuple[int, int], list] = {}
        self.vocab = int(config["model"]["vocab_size"])
        self._decode_bindings: dict[int, tuple] = {}  # rows -> (binding with KV + logits bound, logits buffer)
        lora_inputs = {i.name for i in self.session.get_overridable_initializers()}
        self.bank = self._build_bank(adapters, lora_inputs)
        self._lora_cache: tuple[tuple[int, ...], dict] | None = None
        self._uniform = {index: {name: ort.OrtValue.ortvalue_from_numpy(stack[index]) for name, stack in self.bank.items()}
                         for index in range(len(adapters) + 1)} if self.bank else {}
        log.info("infer: edge runner %s, %d slots x %d tokens, kv %s, %d adapter(s)", folder, max_slots,
                 self.max_len, np.dtype(dtype).name, len(adapters))

    def _build_bank(self, adapters: dict[str, Path], lora_inputs: set[str]) -> dict[str, np.ndarray]:
        """input name -> stacked [n+1, ...] weights, row 0 = the graph's zero default (base model)."""
        if not adapters:
            return {}
        if not lora_inputs:
            raise EdgeModelError("this edge model has no LoRA inputs: it was built without adapters")
        params = {name: read_onnx_adapter(path) for name, path in adapters.items()}
        bank = {}
        for input_name in sorted(lora_inputs):
            rows = []
            for adapter, values in params.items():
                if input_name not in values:
                    raise EdgeModelError(f"adapter '{adapter}' has no value for model input '{input_name}'")
                rows.append(values[input_name])
            shapes = {r.shape for r in rows}
            if len(shapes) != 1:
                raise EdgeModelError(f"adapters disagree on the shape of '{input_name}': {sorted(shapes)}")
            bank[input_name] = np.ascontiguousarray(np.stack([np.zeros_like(rows[0]), *rows]))
        for adapter, values in params.items():
            unknown = set(values) - lora_inputs
            if unknown:
                raise EdgeModelError(f"adapter '{adapter}' sets {sorted(unknown)[:3]}..., which the model does not have")
        return bank

    def _kv(self, start: int, rows: int) -> list:
        """OrtValues viewing KV rows ``start..start+rows`` (cached: the buffers never move)."""
        key = (start, rows)
        if key not in self._views:
            wrap = self.ort.OrtValue.ortvalue_from_numpy
            self._views[key] = [(wrap(self.k[i][start:start + rows]), wrap(self.v[i][start:start + rows]))
                                for i in range(self.layers)]
        return self._views[key]

    def _run(self, ids: np.ndarray, mask: np.ndarray, start: int, lora: dict) -> np.ndarray:
        binding = self.session.io_binding()
        binding.bind_cpu_input("input_ids", ids)
        binding.bind_cpu_input("attention_mask", mask)
        for i, (k, v) in enumerate(self._kv(start, ids.shape[0])):
            binding.bind_ortvalue_input(self.past_k[i], k)
            binding.bind_ortvalue_input(self.past_v[i], v)
            binding.bind_ortvalue_output(self.present_k[i], k)  # in place: GQA shares the buffer
            binding.bind_ortvalue_output(self.present_v[i], v)
        for name, value in lora.items():
            binding.bind_ortvalue_input(name, value)
        binding.bind_output(self.logits_name)
        self.session.run_with_iobinding(binding)
        return binding.get_outputs()[-1].numpy()

    def prefill(self, slot: int, token_ids: list[int], adapter: int) -> NumpyLogits:
        ids = np.asarray([token_ids], dtype=np.int64)
        logits = self._run(ids, np.ones_like(ids), slot, self._uniform.get(adapter, {}) if adapter else {})
        return NumpyLogits(logits[:, -1].astype(np.float32))

    def score(self, token_ids: list[int], adapter: int = 0) -> np.ndarray:
        """Logits of every position of ``token_ids`` (slot 0; only for a runner without a scheduler)."""
        ids = np.asarray([token_ids], dtype=np.int64)
        return self._run(ids, np.ones_like(ids), 0, self._uniform.get(adapter, {}) if adapter else {})[0].astype(np.float32)

    def decode(self, tokens: list[int], lengths: list[int], adapters: list[int]) -> NumpyLogits:
        """One step for rows 0..n-1. The binding of each batch size (KV views, logits buffer) is
        made once and reused: per step only the ids, the mask and the LoRA inputs are rebound."""
        rows = len(tokens)
        if rows not in self._decode_bindings:
            binding = self.session.io_binding()
            for i, (k, v) in enumerate(self._kv(0, rows)):
                binding.bind_ortvalue_input(self.past_k[i], k)
                binding.bind_ortvalue_input(self.past_v[i], v)
                binding.bind_ortvalue_output(self.present_k[i], k)
                binding.bind_ortvalue_output(self.present_v[i], v)
            out = np.empty((rows, 1, self.vocab), dtype=np.float32)
            binding.bind_ortvalue_output(self.logits_name, self.ort.OrtValue.ortvalue_from_numpy(out))
            self._decode_bindings[rows] = (binding, out)
        binding, out = self._decode_bindings[rows]
        binding.bind_cpu_input("input_ids", np.asarray(tokens, dtype=np.int64)[:, None])
        lengths_array = np.asarray(lengths)
        binding.bind_cpu_input("attention_mask",
                               (np.arange(lengths_array.max() + 1) <= lengths_array[:, None]).astype(np.int64))
        if self.bank:  # always bound (zeros for base rows): a binding keeps what it was last given
            for name, value in (self._lora_feeds(adapters) or self._uniform[0]).items():
                binding.bind_ortvalue_input(name, value)
        self.session.run_with_iobinding(binding)
        return NumpyLogits(out[:, 0])

    def _lora_feeds(self, adapters: list[int]) -> dict:
        if not self.bank or not any(adapters):
            return {}
        if len(set(adapters)) == 1:
            return self._uniform[adapters[0]]
        key = tuple(adapters)
        if self._lora_cache is None or self._lora_cache[0] != key:  # the batch's mix changed
            index = np.asarray(adapters)
            wrap = self.ort.OrtValue.ortvalue_from_numpy
            self._lora_cache = (key, {name: wrap(np.ascontiguousarray(stack[index])) for name, stack in self.bank.items()})
        return self._lora_cache[1]

    def move(self, src: int, dst: int, length: int) -> None:
        for cache in (*self.k, *self.v):
            cache[dst, :, :length] = cache[src, :, :length]

    def close(self) -> None:
        self._views.clear()
        self._decode_bindings.clear()
        self._lora_cache = None

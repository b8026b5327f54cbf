"""Export stage (bundle: HF, TensorRT-LLM options, onnxruntime-genai edge models, modelopt
checkpoints, parity) and the inference runtime (``infer.runtime.Generator``). See docs/infer.md."""

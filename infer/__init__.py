"""Export + runtime: TensorRT-LLM on NVIDIA GPUs, ONNX / onnxruntime-genai elsewhere."""

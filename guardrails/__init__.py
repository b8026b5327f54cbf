"""Assistant stage: RAG answers with citations behind NeMo Guardrails."""

"""Customize stage: LoRA fine-tuning on the manual's instruction data (see customize/stage.py when it lands)."""

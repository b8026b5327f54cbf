"""Train stage: tokenizer, packed shards and Llama pretraining (train/stage.py; docs/train.md)."""

"""Train stage: tokenizer, packed shards and Llama pretraining (see train/stage.py when it lands)."""

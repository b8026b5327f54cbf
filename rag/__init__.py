"""Index stage: chunk the vehicle manual, embed it offline and build a FAISS index."""

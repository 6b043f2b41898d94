"""Indexing stages: documents -> chunks -> sparse + dense vectors -> Qdrant."""

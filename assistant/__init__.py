"""Förderlotse: answers about German funding guidelines, every statement cited."""

__version__ = "0.1.0"

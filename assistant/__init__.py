"""Förderlotse: answers about German funding guidelines, every statement cited."""

from core import __version__

__all__ = ["__version__"]

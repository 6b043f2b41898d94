"""Evaluation suite: gold Q&A pairs, deterministic metrics, regression gate."""

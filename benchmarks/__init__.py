"""Benchmarks: run each with ``python -m benchmarks.<name> --help`` (see BENCHMARKS.md)."""

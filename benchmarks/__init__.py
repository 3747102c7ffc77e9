"""Benchmarks run by ``make bench`` (``python -m benchmarks``): ours side by side with the peer tools."""

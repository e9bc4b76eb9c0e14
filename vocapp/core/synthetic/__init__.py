"""Synthetic data with known structure, for tests, the demo and benchmarks."""
from .responses import simulate_responses, synthetic_key

__all__ = ["simulate_responses", "synthetic_key"]

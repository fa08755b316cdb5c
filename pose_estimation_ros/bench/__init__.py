"""Benchmark commands that print figures (speed is measured here, never in tests)."""

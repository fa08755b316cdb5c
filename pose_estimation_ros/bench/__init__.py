"""Benchmark commands: figures and ratios against a baseline measured in the same run."""

"""Importance-sampled policy gradient with per-decision ratios truncated at 2.

Run: python examples/is_pg.py   (prints progress, then the final line with the eval return)
"""
import pgkit

settings = pgkit.preset("is_pg", "inverted_pendulum", importance="per_decision", max_ratio=2.0)
result = pgkit.run(settings)

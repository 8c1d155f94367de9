"""Importance-sampled policy gradient with per-decision ratios truncated at 2.

Run: python examples/is_pg.py   (prints progress, then the final line with the eval return)
"""
import dataclasses

import pgkit

config, hp = pgkit.preset("is_pg", "inverted_pendulum")
config = dataclasses.replace(config, importance="per_decision")
hp = hp._replace(max_ratio=2.0)
result = pgkit.run(config, hp, seed=0)

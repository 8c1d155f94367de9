"""REINFORCE with a learned baseline on inverted_pendulum.

Run: python examples/reinforce.py   (prints progress, then the final line with the eval return)
"""
import dataclasses

import pgkit

config, hp = pgkit.preset("reinforce", "inverted_pendulum")

result = pgkit.run(config, hp, seed=0)

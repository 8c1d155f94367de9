"""TRPO (natural-gradient direction, trust-region scaling, KL line search) on inverted_pendulum.

Run: python examples/trpo.py   (prints progress, then the final line with the eval return)
"""
import pgkit

config, hp = pgkit.preset("trpo", "inverted_pendulum")
result = pgkit.run(config, hp, seed=0)

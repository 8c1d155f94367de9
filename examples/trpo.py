"""TRPO (natural-gradient direction, trust-region scaling, KL line search) on inverted_pendulum.

Run: python examples/trpo.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("trpo", "inverted_pendulum"))

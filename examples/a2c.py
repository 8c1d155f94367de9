"""Advantage actor-critic with GAE advantages on inverted_pendulum.

Run: python examples/a2c.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("a2c", "inverted_pendulum"))

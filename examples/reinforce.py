"""REINFORCE with a learned baseline on inverted_pendulum.

Run: python examples/reinforce.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("reinforce", "inverted_pendulum"))

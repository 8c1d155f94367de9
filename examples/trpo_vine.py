"""TRPO with vine sampling (K actions branched from saved Brax states) on inverted_pendulum.

Run: python examples/trpo_vine.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("trpo_vine", "inverted_pendulum"))

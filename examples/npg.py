"""Natural policy gradient (CG on the KL Hessian, trust-region step size) on inverted_pendulum.

Run: python examples/npg.py   (prints progress, then the final line with the eval return)
"""
import pgkit

config, hp = pgkit.preset("npg", "inverted_pendulum")
result = pgkit.run(config, hp, seed=0)

"""Natural policy gradient (CG on the KL Hessian, trust-region step size) on inverted_pendulum.

Run: python examples/npg.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("npg", "inverted_pendulum"))

"""V-MPO: on-policy E-step over the top half of each minibatch's advantages.

Run: python examples/vmpo.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("vmpo", "inverted_pendulum", estep_epsilon=0.1))

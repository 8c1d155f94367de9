"""V-MPO: on-policy E-step over the top half of each minibatch's advantages.

Run: python examples/vmpo.py   (prints progress, then the final line with the eval return)
"""
import pgkit

config, hp = pgkit.preset("vmpo", "inverted_pendulum")
result = pgkit.run(config, hp._replace(estep_epsilon=0.1), seed=0)

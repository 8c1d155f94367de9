"""MPO: off-policy, Retrace-trained Q critic, E-step over sampled actions, decoupled M-step.

Run: python examples/mpo.py   (prints progress, then the final line with the eval return)
"""
import pgkit
from pgkit import replay

settings = pgkit.preset("mpo", "inverted_pendulum", estep_epsilon=0.1, epsilon_mean=2.5e-3,
                        epsilon_cov=1e-5)
result = pgkit.run(settings)
print("replay bytes per transition:",
      replay.bytes_per_transition(result.state.replay, settings.run.unroll_length))

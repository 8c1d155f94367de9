"""PPO with an adaptive KL penalty, using the paper's multiplicative beta rule.

Run: python examples/ppo_kl.py   (prints progress, then the final line with the eval return)
"""
import dataclasses

import pgkit

config, hp = pgkit.preset("ppo_kl", "inverted_pendulum")
config = dataclasses.replace(config, kl_rule="multiplicative")
result = pgkit.run(config, hp, seed=0)

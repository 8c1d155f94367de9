"""PPO with an adaptive KL penalty, using the paper's multiplicative beta rule.

Run: python examples/ppo_kl.py   (prints progress, then the final line with the eval return)
"""
import pgkit

result = pgkit.run(pgkit.preset("ppo_kl", "inverted_pendulum", kl_rule="multiplicative"))

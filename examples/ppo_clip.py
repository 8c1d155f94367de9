"""PPO-clip with a linearly decaying learning rate and a target-KL early stop.

Run: python examples/ppo_clip.py   (prints progress, then the final line with the eval return)
"""
import pgkit

settings = pgkit.preset("ppo_clip", "inverted_pendulum", lr_schedule="linear", target_kl=0.05)
result = pgkit.run(settings)

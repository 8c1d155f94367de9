"""PPO-clip with a linearly decaying learning rate and a target-KL early stop.

Run: python examples/ppo_clip.py   (prints progress, then the final line with the eval return)
"""
import dataclasses

import pgkit

config, hp = pgkit.preset("ppo_clip", "inverted_pendulum")
config = dataclasses.replace(config, lr_schedule="linear")
hp = hp._replace(target_kl=0.05)
result = pgkit.run(config, hp, seed=0)

"""The tiny ppo_clip configuration the scale tests train (a few seconds once compiled)."""
# gymnax CartPole: its programs compile in seconds (a Brax env adds ~5 s to each).
ALGO, ENV = "ppo_clip", "gymnax/CartPole-v1"
CHANGES = dict(num_envs=8, unroll_length=16, num_timesteps=3 * 8 * 16, num_chunks=3,
               policy_hidden=(16,), critic_hidden=(16,), eval_envs=4, episode_length=100,
               minibatches=2, critic_minibatches=2, epochs=1)
SEEDS, LEARNING_RATES = 2, (3e-4, 1e-3)


def flags(changes=CHANGES) -> list[str]:
  out = []
  for name, value in changes.items():
    values = value if isinstance(value, tuple) else (value,)
    out += ["--" + name.replace("_", "-"), *map(str, values)]
  return out

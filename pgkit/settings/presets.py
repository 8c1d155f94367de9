"""Settings every algorithm shares on an environment (its own presets are declared beside it).

A value here applies to whichever part of an algorithm's settings declares that field (run
settings, options or hyperparameters) and is skipped for algorithms that have no such field.
"""

from pgkit.settings.envs import GYMNAX_ENVS

_SMALL = dict(backend="positional", unroll_length=32, epochs=8, minibatches=16, critic_epochs=8,
              critic_minibatches=16, gae_lambda=0.95, learning_rate=1e-3)

ENV_PRESETS = {
    # Positional is the backend Brax's published PPO settings solve; with those settings the
    # spring backend reached only 731 by 3.1 M steps, and ours plateaued near 550 there too.
    # γ = 0.99: a policy that balances the pole can still drift the cart into the rail, where
    # the pole falls some 200 steps later; with γ = 0.97 (a horizon of ~33 steps) the critic
    # barely sees that, and once every episode lasts 1000 steps the updates random-walk the
    # policy into such a drift (ppo_clip: seed 8 of 10 ended at 238, its cart pinned at −1.0).
    # With 0.99 ppo_clip solved 30 of 30 seeds (examples/benchmarks/RESULTS.md, robustness).
    "inverted_pendulum": dict(_SMALL, num_envs=64, num_timesteps=150_000, discount=0.99),
    "inverted_double_pendulum": dict(_SMALL, num_envs=128, num_timesteps=1_000_000,
                                     discount=0.97, reward_scaling=0.1),
    "reacher": dict(_SMALL, num_envs=128, num_timesteps=1_000_000, discount=0.95),
    # CartPole-v1 (categorical policy): 16 envs × 128 steps a batch (an episode lasts up to 500
    # steps, gymnax's limit, which pgkit applies as a truncation). With these and their declared
    # defaults ppo_clip, a2c, reinforce, is_pg, ppo_kl, npg and vmpo reach 475-500 on most seeds
    # (examples/benchmarks/RESULTS.md); mpo and trpo add their own CartPole presets.
    "gymnax/CartPole-v1": dict(num_envs=16, unroll_length=128, num_timesteps=300_000,
                               learning_rate=1e-3, entropy_coef=0.01, discount=0.99),
    # Sized for a CPU: 64 envs × 32 steps a batch, 1000-step episodes (Playground's own length);
    # γ 0.995, rewards × 10 and entropy 0.01 as Playground's own PPO settings for its DM Control
    # Suite tasks. With γ 0.99, unscaled rewards and 200k steps ppo_clip ended at 364, below a
    # uniformly random policy's 379; with these and 400k steps at 700 (RESULTS.md).
    "playground/CartpoleBalance": dict(_SMALL, num_envs=64, num_timesteps=400_000,
                                       episode_length=1000, discount=0.995, reward_scaling=10.0,
                                       entropy_coef=0.01),
}
# Each gymnax env's own time limit becomes pgkit's episode_length (a truncation, bootstrapped).
for _task, _spec in GYMNAX_ENVS.items():
  ENV_PRESETS.setdefault(f"gymnax/{_task}", {})["episode_length"] = _spec.episode_length

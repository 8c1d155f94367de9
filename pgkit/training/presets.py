"""Per-environment default settings, so ``pgkit train ALGO --env NAME`` works bare.

A preset is a pair (``Config`` overrides, ``HParams`` overrides) looked up first for
(algo, env), then for env; anything not named keeps the dataclass defaults.
"""
from __future__ import annotations

import dataclasses

from pgkit.training.config import Config, HParams

# Settings shared by every algorithm on an env.
_ENV = {
    # Positional is the backend Brax's published PPO settings solve; with those settings the
    # spring backend reached only 731 by 3.1 M steps, and ours plateaued near 550 there too.
    "inverted_pendulum": (dict(backend="positional", num_envs=64, unroll_length=32,
                               num_timesteps=150_000, epochs=8, minibatches=16,
                               critic_epochs=8, critic_minibatches=16),
                          dict(discount=0.97, gae_lambda=0.95, learning_rate=1e-3)),
    "inverted_double_pendulum": (dict(backend="positional", num_envs=128, unroll_length=32,
                                      num_timesteps=1_000_000, epochs=8, minibatches=16,
                                      critic_epochs=8, critic_minibatches=16),
                                 dict(discount=0.97, gae_lambda=0.95, learning_rate=1e-3,
                                      reward_scaling=0.1)),
    "reacher": (dict(backend="positional", num_envs=128, unroll_length=32,
                     num_timesteps=1_000_000, epochs=8, minibatches=16, critic_epochs=8,
                     critic_minibatches=16),
                dict(discount=0.95, gae_lambda=0.95, learning_rate=1e-3)),
}

# Shared by npg / trpo / trpo_vine on inverted_pendulum.
_NATURAL = dict(num_envs=32, unroll_length=64, num_timesteps=40 * 2048, epochs=1, minibatches=1,
                critic_epochs=4, critic_minibatches=4, cg_iters=10)
_NATURAL_HP = dict(discount=0.99, gae_lambda=0.97, critic_learning_rate=3e-3,
                   reward_scaling=0.1, damping=0.1)

# Algorithm-specific settings on an env (merged over _ENV).
_ALGO_ENV = {
    ("ppo_clip", "inverted_pendulum"): (dict(), dict(clip_epsilon=0.2)),
    ("ppo_kl", "inverted_pendulum"): (dict(), dict(kl_target=0.01)),
    ("is_pg", "inverted_pendulum"): (dict(epochs=2, minibatches=4),
                                     dict(learning_rate=3e-4, max_ratio=2.0)),
    ("a2c", "inverted_pendulum"): (dict(), dict()),
    ("reinforce", "inverted_pendulum"): (dict(unroll_length=128, num_timesteps=250_000),
                                         dict(learning_rate=3e-3)),
    # MPO: 8 envs × 16-step Retrace sequences per iteration, 32 learner updates of 16 sequences
    # (UTD 0.25 updates per env step), Polyak targets. Reached eval 1000 by 9.6k steps (seeds 0
    # and 1); after solving, the policy sometimes dips (see tests/algorithms/test_mpo_learning).
    ("mpo", "inverted_pendulum"): (
        dict(num_envs=8, unroll_length=16, num_timesteps=25_600, batch_size=16,
             num_action_samples=8, updates_per_iteration=32, replay_capacity=8192,
             warmup_steps=1024, target_update="polyak", policy_hidden=(64, 64),
             q_hidden=(64, 64), epochs=1, minibatches=1, critic_epochs=1, critic_minibatches=1),
        dict(discount=0.99, learning_rate=3e-4, critic_learning_rate=1e-3, polyak_tau=0.01)),
    # V-MPO: weighted regression onto the top half of the advantages drifts the mean when the
    # critic is poor, so the critic gets more epochs and the mean a tight bound ε_μ.
    ("vmpo", "inverted_pendulum"): (
        dict(num_envs=64, unroll_length=32, num_timesteps=81_920, epochs=4, minibatches=4,
             critic_epochs=8, critic_minibatches=4, policy_hidden=(32, 32),
             critic_hidden=(32, 32), top_k_fraction=0.5),
        dict(discount=0.99, learning_rate=1e-3, critic_learning_rate=3e-3, epsilon_mean=2e-3,
             epsilon_cov=1e-4, alpha_mean_learning_rate=50.0, alpha_cov_learning_rate=1000.0)),
    # One natural-gradient step per batch (epochs = minibatches = 1); the critic keeps Adam.
    ("npg", "inverted_pendulum"): (dict(_NATURAL), dict(_NATURAL_HP, max_kl=0.01)),
    ("trpo", "inverted_pendulum"): (dict(_NATURAL), dict(_NATURAL_HP, max_kl=0.02)),
    ("trpo_vine", "inverted_pendulum"): (dict(_NATURAL, sampling="vine"),
                                         dict(_NATURAL_HP, max_kl=0.02)),
}


def preset(algo: str, env: str) -> tuple[Config, HParams]:
  """The default (Config, HParams) for ``algo`` on ``env``."""
  cfg, hp = dict(_ENV.get(env, ({}, {}))[0]), dict(_ENV.get(env, ({}, {}))[1])
  algo_cfg, algo_hp = _ALGO_ENV.get((algo, env), ({}, {}))
  cfg.update(algo_cfg)
  hp.update(algo_hp)
  return dataclasses.replace(Config(algo=algo, env=env), **cfg), HParams()._replace(**hp)


def register(algo: str, env: str, config: dict | None = None,
             hparams: dict | None = None) -> None:
  """Adds or replaces the preset of ``algo`` on ``env`` (used by algorithm modules)."""
  _ALGO_ENV[(algo, env)] = (dict(config or {}), dict(hparams or {}))

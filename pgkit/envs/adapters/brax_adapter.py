"""Brax's own environments (``brax.envs``) behind the protocol; Brax is imported only here."""
from __future__ import annotations

import warnings

import jax.numpy as jnp

from pgkit.envs.protocol import Environment, EnvStep


def _wrap(state) -> EnvStep:
  # Brax's raw envs have no time limit of their own (its EpisodeWrapper adds one; pgkit's
  # episode_length does that here), so ``done`` is a termination.
  return EnvStep(state, state.obs, state.reward, state.done, jnp.zeros_like(state.done),
                 state.metrics)


def make(task: str, backend: str) -> Environment:
  with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Brax System, piplines and environments")
    from brax import envs as brax_envs
    env = brax_envs.get_environment(task, backend=backend)
  return Environment(task, lambda key: _wrap(env.reset(key)),
                     lambda s, action: _wrap(env.step(s.state, action)),
                     env.observation_size, env.action_size, raw=env)

"""gymnax environments behind the protocol (``pip install -e ".[gymnax]"``).

gymnax's ``step`` resets by itself and folds its time limit into ``done``; the adapter calls
``reset_env``/``step_env`` instead and lifts ``max_steps_in_episode`` out of reach, so ``done``
is a true termination and the time limit is pgkit's ``episode_length`` (a truncation, which GAE
and Retrace bootstrap). gymnax's step takes a key: the adapter keeps one in its state, so a
saved ``EnvStep`` replays exactly (restorable). Observations are flattened to float vectors
(MinAtar's images included); continuous actions in ``[-1, 1]`` are mapped to the task's box.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.envs.protocol import Environment, EnvStep

NO_TIME_LIMIT = 2**30


class GymnaxState(NamedTuple):
  env_state: Any
  key: jax.Array


def _to_box(action, low, high):
  return low + (jnp.clip(action, -1.0, 1.0) + 1.0) * 0.5 * (high - low)


def make(task: str) -> Environment:
  import gymnax

  env, params = gymnax.make(task)
  params = params.replace(max_steps_in_episode=NO_TIME_LIMIT)
  space = env.action_space(params)
  num_actions = int(getattr(space, "n", 0) or 0)
  obs_size = int(np.prod(env.observation_space(params).shape))
  zero = jnp.zeros(())

  def wrap(env_state, key, obs, reward, done):
    obs = jnp.reshape(obs, (obs_size,)).astype(jnp.float32)
    return EnvStep(GymnaxState(env_state, key), obs, jnp.reshape(reward, ()).astype(jnp.float32),
                   jnp.reshape(done, ()).astype(jnp.float32), zero, {})

  def reset(key):
    key, k_reset = jax.random.split(key)
    obs, env_state = env.reset_env(k_reset, params)
    return wrap(env_state, key, obs, zero, zero)

  def step(s: EnvStep, action):
    key, k_step = jax.random.split(s.state.key)
    if not num_actions:
      action = _to_box(action, jnp.asarray(space.low), jnp.asarray(space.high))
    obs, env_state, reward, done, _ = env.step_env(k_step, s.state.env_state, action, params)
    return wrap(env_state, key, obs, reward, done)

  action_size = 1 if num_actions else int(np.prod(space.shape))
  return Environment(f"gymnax/{task}", reset, step, obs_size, action_size, num_actions, raw=env)

"""Brax's own environments (``brax.envs``) behind the protocol; Brax is imported only here."""
from __future__ import annotations

import warnings
from typing import Callable

import jax
import jax.numpy as jnp

from pgkit.envs.protocol import Environment, EnvStep


def brax_style(name: str, env, observation_size: int,
               observation: Callable = lambda obs: obs) -> Environment:
  """The protocol over an env with Brax-style pure states (``obs``, ``reward``, ``done``,
  ``metrics``; Brax's own envs and MuJoCo Playground's). Without a wrapper neither has a time
  limit of its own (pgkit's ``episode_length`` truncates), so ``done`` is a termination."""

  def wrap(state) -> EnvStep:
    return EnvStep(state, observation(state.obs), state.reward, state.done,
                   jnp.zeros_like(state.done), state.metrics)

  # Jitted so that jax traces the physics once per process and per-env shapes: the training
  # unit, ``init`` and the evaluation then reuse one trace (vmap batches the traced function;
  # XLA inlines it, so the compiled programs do not change).
  reset = jax.jit(lambda key: wrap(env.reset(key)))
  step = jax.jit(lambda s, action: wrap(env.step(s.state, action)))
  return Environment(name, reset, step, observation_size, int(env.action_size), raw=env)


def make(task: str, backend: str) -> Environment:
  with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Brax System, piplines and environments")
    from brax import envs as brax_envs
    env = brax_envs.get_environment(task, backend=backend)
  return brax_style(task, env, env.observation_size)

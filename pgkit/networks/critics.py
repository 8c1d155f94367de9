"""Critic factories: ``Critic(init, apply)``, ``apply(params, obs) -> V(s)`` of shape obs[:-1]."""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import jax
import jax.numpy as jnp

from pgkit.networks.mlp import MLP


class Critic(NamedTuple):
  init: Callable[[jax.Array], dict]
  apply: Callable[[dict, jax.Array], jax.Array]


def value_critic(obs_size: int, hidden: Sequence[int] = (64, 64),
                 activation: str = "tanh") -> Critic:
  """State-value network V_φ(s) with its own parameters (and, in the trainer, its own optimizer)."""
  net = MLP(tuple(hidden) + (1,), activation)
  return Critic(lambda key: net.init(key, jnp.zeros((1, obs_size))),
                lambda params, obs: net.apply(params, obs)[..., 0])

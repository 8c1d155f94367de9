"""Critic factories: ``Critic(init, apply)``, ``apply(params, obs) -> V(s)`` of shape obs[:-1];
``QCritic(init, apply)``, ``apply(params, obs, action) -> Q(s, a)``."""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import jax
import jax.numpy as jnp

from pgkit.networks.mlp import MLP


class Critic(NamedTuple):
  init: Callable[[jax.Array], dict]
  apply: Callable[[dict, jax.Array], jax.Array]


def value_critic(obs_size: int, hidden: Sequence[int] = (64, 64), activation: str = "tanh",
                 matmul: str = "float32") -> Critic:
  """State-value network V_φ(s) with its own parameters (and, in the trainer, its own optimizer);
  ``matmul``: the precision of its products (``networks.matmul.MATMULS``)."""
  net = MLP(tuple(hidden) + (1,), activation, matmul=matmul)
  return Critic(lambda key: net.init(key, jnp.zeros((1, obs_size))),
                lambda params, obs: net.apply(params, obs)[..., 0])


class QCritic(NamedTuple):
  init: Callable[[jax.Array], dict]
  apply: Callable[[dict, jax.Array, jax.Array], jax.Array]


def q_critic(obs_size: int, action_size: int, hidden: Sequence[int] = (256, 256),
             activation: str = "elu", matmul: str = "float32") -> QCritic:
  """State-action value network Q_φ(s, a) on the concatenation ``[s, a]``.

  ``apply(params, obs [..., obs], action [..., act]) -> [...]``; ``obs`` and ``action`` are
  broadcast against each other, so ``N`` sampled actions ``[N, B, act]`` can be scored against
  states ``[B, obs]``. ``matmul``: as ``value_critic``'s.
  """
  net = MLP(tuple(hidden) + (1,), activation, matmul=matmul)

  def apply(params, obs, action):
    shape = jnp.broadcast_shapes(obs.shape[:-1], action.shape[:-1])
    obs = jnp.broadcast_to(obs, shape + obs.shape[-1:])
    action = jnp.broadcast_to(action, shape + action.shape[-1:])
    return net.apply(params, jnp.concatenate([obs, action], -1))[..., 0]

  return QCritic(lambda key: net.init(key, jnp.zeros((1, obs_size + action_size))), apply)


def discrete_q_critic(obs_size: int, num_actions: int, hidden: Sequence[int] = (256, 256),
                      activation: str = "elu", matmul: str = "float32") -> QCritic:
  """Q_φ(s, ·) for discrete actions: one network output per action.

  ``apply(params, obs [..., obs], action [...] ints) -> Q(s, a) [...]`` with ``obs`` and
  ``action`` broadcast (``N`` actions ``[N, B]`` against states ``[B, obs]``); the network runs
  once per state, not once per action. ``matmul``: as ``value_critic``'s.
  """
  net = MLP(tuple(hidden) + (num_actions,), activation, matmul=matmul)

  def apply(params, obs, action):
    q_all = net.apply(params, obs)  # [..., A]
    shape = jnp.broadcast_shapes(obs.shape[:-1], action.shape)
    q_all = jnp.broadcast_to(q_all, shape + q_all.shape[-1:])
    index = jnp.broadcast_to(action, shape)[..., None].astype(jnp.int32)
    return jnp.take_along_axis(q_all, index, axis=-1)[..., 0]

  return QCritic(lambda key: net.init(key, jnp.zeros((1, obs_size))), apply)

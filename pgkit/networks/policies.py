"""Policy factories: ``Policy(init, apply)`` whose ``apply(params, obs)`` is a distrax
distribution over actions, batched over the leading dimensions of ``obs``."""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import distrax
import jax
import jax.numpy as jnp

from pgkit.networks.distributions import TanhNormal
from pgkit.networks.mlp import MLP


class Policy(NamedTuple):
  init: Callable[[jax.Array], dict]
  apply: Callable[[dict, jax.Array], distrax.Distribution]


def _make(net: MLP, obs_size: int, head: Callable) -> Policy:
  def init(key):
    return net.init(key, jnp.zeros((1, obs_size)))

  def apply(params, obs):
    return head(net.apply(params, obs))

  return Policy(init, apply)


def _loc_scale(out, min_scale):
  loc, raw = jnp.split(out, 2, axis=-1)
  return loc, jax.nn.softplus(raw) + min_scale


def gaussian_policy(obs_size: int, action_size: int, hidden: Sequence[int] = (64, 64),
                    activation: str = "tanh", min_scale: float = 1e-3) -> Policy:
  """Diagonal Gaussian ``N(μ_θ(s), diag σ_θ(s)²)``, σ = softplus(·) + min_scale."""
  net = MLP(tuple(hidden) + (2 * action_size,), activation, final_scale=0.01)
  return _make(net, obs_size,
               lambda out: distrax.MultivariateNormalDiag(*_loc_scale(out, min_scale)))


def tanh_gaussian_policy(obs_size: int, action_size: int, hidden: Sequence[int] = (64, 64),
                         activation: str = "tanh", min_scale: float = 1e-3) -> Policy:
  """Tanh-squashed Gaussian, actions in (−1, 1); its KL is the base Gaussians' KL."""
  net = MLP(tuple(hidden) + (2 * action_size,), activation, final_scale=0.01)
  return _make(net, obs_size, lambda out: TanhNormal(*_loc_scale(out, min_scale)))


def categorical_policy(obs_size: int, num_actions: int, hidden: Sequence[int] = (64, 64),
                       activation: str = "tanh") -> Policy:
  """Softmax policy over ``num_actions`` discrete actions."""
  net = MLP(tuple(hidden) + (num_actions,), activation, final_scale=0.01)
  return _make(net, obs_size, lambda logits: distrax.Categorical(logits=logits))

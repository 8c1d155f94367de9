"""Policy factories: ``Policy(init, apply)`` whose ``apply(params, obs)`` is a distrax
distribution over actions, batched over the leading dimensions of ``obs``."""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import distrax
import jax
import jax.numpy as jnp

from pgkit.networks.distributions import TanhNormal
from pgkit.networks.mlp import MLP


def _identity(action):
  return action


class Policy(NamedTuple):
  """``apply(params, obs)`` is a distribution over the actions the learner stores;
  ``postprocess`` maps a stored action to the one the environment receives."""

  init: Callable[[jax.Array], dict]
  apply: Callable[[dict, jax.Array], distrax.Distribution]
  postprocess: Callable[[jax.Array], jax.Array] = _identity


def _make(net: MLP, obs_size: int, head: Callable, postprocess=_identity) -> Policy:
  def init(key):
    return net.init(key, jnp.zeros((1, obs_size)))

  def apply(params, obs):
    return head(net.apply(params, obs))

  return Policy(init, apply, postprocess)


def _loc_scale(out, min_scale):
  loc, raw = jnp.split(out, 2, axis=-1)
  return loc, jax.nn.softplus(raw) + min_scale


def gaussian_policy(obs_size: int, action_size: int, hidden: Sequence[int] = (64, 64),
                    activation: str = "tanh", min_scale: float = 1e-3,
                    final_scale: float = 0.01) -> Policy:
  """Diagonal Gaussian ``N(μ_θ(s), diag σ_θ(s)²)``, σ = softplus(·) + min_scale; the last
  layer's initial weights are scaled by ``final_scale`` (see ``MLP``)."""
  net = MLP(tuple(hidden) + (2 * action_size,), activation, final_scale=final_scale)
  return _make(net, obs_size,
               lambda out: distrax.MultivariateNormalDiag(*_loc_scale(out, min_scale)))


def tanh_gaussian_policy(obs_size: int, action_size: int, hidden: Sequence[int] = (64, 64),
                         activation: str = "tanh", min_scale: float = 1e-3,
                         store_pre_tanh: bool = True, final_scale: float = 0.01) -> Policy:
  """Tanh-squashed Gaussian: the environment receives ``tanh(u)``, ``u ~ N(μ_θ(s), σ_θ(s)²)``.

  With ``store_pre_tanh`` (the default, as Brax's PPO does) ``apply`` returns the base Gaussian
  over ``u`` and ``postprocess`` is ``tanh``. The squashed density differs from the base one by
  ``−Σ log(1 − tanh(u)²)``, which does not depend on θ, so ratios, policy gradients and KLs are
  exactly those of the squashed policy, while saturated actions keep an exact ``u`` instead of an
  ``atanh`` of a rounded 1.0. With ``store_pre_tanh=False`` ``apply`` returns a ``TanhNormal``
  over squashed actions (its KL is the base Gaussians' KL). ``final_scale``: as
  ``gaussian_policy``.
  """
  net = MLP(tuple(hidden) + (2 * action_size,), activation, final_scale=final_scale)
  if store_pre_tanh:
    head = lambda out: distrax.MultivariateNormalDiag(*_loc_scale(out, min_scale))
    return _make(net, obs_size, head, jnp.tanh)
  return _make(net, obs_size, lambda out: TanhNormal(*_loc_scale(out, min_scale)))


def categorical_policy(obs_size: int, num_actions: int, hidden: Sequence[int] = (64, 64),
                       activation: str = "tanh", final_scale: float = 0.01) -> Policy:
  """Softmax policy over ``num_actions`` discrete actions (``final_scale``: as
  ``gaussian_policy``)."""
  net = MLP(tuple(hidden) + (num_actions,), activation, final_scale=final_scale)
  return _make(net, obs_size, lambda logits: distrax.Categorical(logits=logits))

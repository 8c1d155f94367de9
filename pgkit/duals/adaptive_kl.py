"""Dual updates for a KL penalty coefficient β and for Lagrange multipliers in general.

Both come from the Lagrangian of ``max_θ J(θ) s.t. KL(π_old‖π_θ) ≤ ε``:
``L(θ, β) = J(θ) − β (KL − ε)``. Minimising the dual over β ≥ 0 by projected gradient descent
gives ``β ← max(0, β + α (KL − ε))`` (dual gradient descent; Boyd & Vandenberghe 2004,
"Convex Optimization", ch. 5; the KL-penalty form of Schulman et al. 2017, "Proximal Policy
Optimization Algorithms", arXiv:1707.06347, section 4).
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from pgkit.duals.base import DualUpdater


class MultiplierState(NamedTuple):
  value: jax.Array


def _stat(stats, key, name):
  if key not in stats:
    raise ValueError(f"dual {name!r} needs the statistic {key!r}; got {sorted(stats)}")
  return jax.lax.stop_gradient(jnp.asarray(stats[key], jnp.float32))


def lagrange_multiplier(name: str, epsilon, learning_rate, init_value=1.0,
                        statistic: str = "kl") -> DualUpdater:
  """Projected dual ascent ``λ ← max(0, λ + α (stat − ε))`` for the constraint ``stat ≤ ε``.

  ``statistic`` names the keyword of ``update`` this multiplier reads (``kl``, ``kl_mean`` ...).
  ``stat`` may have a trailing dimension (per-dimension constraints); then ``init_value``
  should have the same shape.
  """

  def init():
    return MultiplierState(jnp.asarray(init_value, jnp.float32))

  def update(state, **stats):
    stat = _stat(stats, statistic, name)
    return MultiplierState(jnp.maximum(0.0, state.value + learning_rate * (stat - epsilon)))

  return DualUpdater((name,), init, update, lambda s: {name: s.value})


def adaptive_kl_dual_ascent(target_kl, learning_rate, init_beta=1.0) -> DualUpdater:
  """PPO-KL's β by dual gradient ascent: ``β ← max(0, β + α (KL − ε))``."""
  return lagrange_multiplier("beta", target_kl, learning_rate, init_beta, statistic="kl")


def adaptive_kl_multiplicative(target_kl, init_beta=1.0, factor=2.0,
                               tolerance=1.5) -> DualUpdater:
  """PPO's heuristic β rule (arXiv:1707.06347, section 4).

  ``β ← β·factor`` if ``KL > tolerance·ε``; ``β ← β/factor`` if ``KL < ε/tolerance``;
  unchanged otherwise. The paper uses factor 2 and tolerance 1.5.
  """

  def init():
    return MultiplierState(jnp.asarray(init_beta, jnp.float32))

  def update(state, **stats):
    kl = _stat(stats, "kl", "beta")
    beta = jnp.where(kl > tolerance * target_kl, state.value * factor,
                     jnp.where(kl < target_kl / tolerance, state.value / factor, state.value))
    return MultiplierState(beta)

  return DualUpdater(("beta",), init, update, lambda s: {"beta": s.value})

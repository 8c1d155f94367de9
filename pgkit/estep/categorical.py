"""MPO's E-step for a categorical policy: every action of a state, weighted exactly.

With finitely many actions the E-step needs no samples (Abdolmaleki et al. 2018, "Maximum a
Posteriori Policy Optimisation", arXiv:1806.06920, the discrete-action case): the improved
nonparametric policy is

  q(a|s) = π_old(a|s) exp(Q(s, a) / η) / Σ_b π_old(b|s) exp(Q(s, b) / η),

the solution of ``max_q E_s E_q[Q] s.t. E_s KL(q‖π_old) ≤ ε``, and the temperature minimises
the convex dual

  g(η) = η ε + η · mean_s log Σ_a π_old(a|s) exp(Q(s, a) / η),

whose derivative is ``ε − mean_s KL(q_s‖π_old)``. With ``π_old`` uniform over ``N`` samples
(``log π_old = −log N``) these are the sampled E-step's formulas (``estep.mpo``).
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import chex
import jax
import jax.numpy as jnp
import optax

from pgkit import _checks
from pgkit.estep.base import Reweighter, make


class ActionValues(NamedTuple):
  """Q values and prior log-probabilities of every action, ``[A, B]`` (actions first)."""

  q_values: jax.Array
  log_prior: jax.Array  # log π_old(a|s)


def _log_weights(eta, values: ActionValues):
  chex.assert_rank([values.q_values, values.log_prior], 2)
  chex.assert_equal_shape([values.q_values, values.log_prior])
  return values.log_prior + values.q_values / eta


def categorical_mpo(epsilon, init_temperature=1.0, learning_rate=1e-2,
                    optimizer: Optional[optax.GradientTransformation] = None) -> Reweighter:
  """Exact MPO E-step over all actions, with temperature dual ``eta``.

  ``weights(state, values)`` and ``update(state, q_values=values)`` take ``ActionValues``
  ``[A, B]``; weights ``q(a|s)`` are ``[A, B]`` and sum to 1 over the actions of each state.
  Metrics: ``eta``, ``kl_q_pi`` (mean over states of KL(q_s‖π_old), to compare with ε) and
  ``ess_fraction`` (``1/Σ_a q(a|s)²`` over A, averaged).
  """
  _checks.check_positive("epsilon", epsilon)

  def dual_loss(eta, values):
    log_z = jax.scipy.special.logsumexp(_log_weights(eta, values), axis=0)
    return eta * epsilon + eta * jnp.mean(log_z)

  def weights_fn(eta, values):
    w = jax.nn.softmax(_log_weights(eta, values), axis=0)
    kl = jnp.sum(jax.scipy.special.xlogy(w, w) - w * values.log_prior, axis=0)
    ess = 1.0 / jnp.sum(jnp.square(w), axis=0)
    return w, {"kl_q_pi": jnp.mean(kl), "ess_fraction": jnp.mean(ess) / w.shape[0]}

  return make("eta", "q_values", dual_loss, weights_fn, init_temperature, learning_rate,
              optimizer)

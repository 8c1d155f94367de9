"""MPO's nonparametric E-step over sampled actions, and V-MPO's over top-k advantages.

MPO (Abdolmaleki et al. 2018, "Maximum a Posteriori Policy Optimisation", arXiv:1806.06920):
for each state ``s`` draw ``N`` actions from the (target) policy, evaluate
``Q(s, a_j)`` and form the improved nonparametric policy

  q(a_j|s) = w_j(s) = softmax_j(Q(s, a_j) / η),

the sample version of ``q ∝ π_old exp(Q/η)``, the solution of
``max_q E_s E_q[Q] s.t. E_s KL(q‖π_old) ≤ ε``. The temperature minimises the convex dual

  g(η) = η ε + η · mean_s log mean_j exp(Q(s, a_j) / η),

whose derivative is ``ε − mean_s KL(q_s‖π_old)``, so at the minimiser the sample KL
``Σ_j w_j log(N w_j)`` averages to ε (when the constraint is active).

V-MPO (Song et al. 2019, "V-MPO: On-Policy Maximum a Posteriori Policy Optimization for
Discrete and Continuous Control", arXiv:1909.12238): over a batch of on-policy
samples with advantages ``A``, keep the ``k = ⌊f·B⌋`` largest advantages and weight them by
``softmax(A/η)`` over that set (zero elsewhere); the temperature minimises

  g(η) = η ε + η · log mean_{top-k} exp(A / η).
"""
from __future__ import annotations

from typing import Optional

import chex
import jax
import jax.numpy as jnp
import optax

from pgkit import _checks
from pgkit.estep.base import Reweighter, make


def _diagnostics(w, axis, n):
  """KL(q‖uniform over the samples) = Σ w log(n w), and the effective sample size 1/Σw²."""
  kl = jnp.sum(jax.scipy.special.xlogy(w, n * w), axis=axis)
  ess = 1.0 / jnp.sum(jnp.square(w), axis=axis)
  return kl, ess


def mpo(epsilon, num_action_samples: int, init_temperature=1.0, learning_rate=1e-2,
        optimizer: Optional[optax.GradientTransformation] = None) -> Reweighter:
  """MPO E-step reweighter with temperature dual ``eta``.

  ``weights(state, q_values)`` and ``update(state, q_values=...)`` take Q values of shape
  ``[N, B]`` (samples first, as in ``rlax.mpo_compute_weights_and_temperature_loss``) and give
  weights ``[N, B]`` summing to 1 over the samples of each state. Metrics: ``eta``,
  ``kl_q_pi`` (mean over states of ``Σ_j w_j log(N w_j)``, to compare with ε) and
  ``ess_fraction`` (effective sample size / N).

  Args:
    epsilon: bound on mean KL(q‖π_old) (may be traced).
    num_action_samples: N, static.
    init_temperature: initial η > 0.
    learning_rate: step size of the default ``optax.adam`` on ``η_raw``.
    optimizer: optional optax transform used instead of adam.
  """
  _checks.check_positive("epsilon", epsilon)
  _checks.check_static_int("num_action_samples", num_action_samples, 1)
  n = num_action_samples

  def check(q):
    chex.assert_rank(q, 2)
    if q.shape[0] != n:
      raise ValueError(f"mpo reweighter built with num_action_samples={n} got Q values of "
                       f"shape {q.shape}; expected [{n}, B]")

  def dual_loss(eta, q_values):
    check(q_values)
    q = jax.lax.stop_gradient(q_values)
    log_mean = jax.scipy.special.logsumexp(q / eta, axis=0) - jnp.log(n)
    return eta * epsilon + eta * jnp.mean(log_mean)

  def weights_fn(eta, q_values):
    check(q_values)
    w = jax.nn.softmax(q_values / eta, axis=0)
    kl, ess = _diagnostics(w, 0, n)
    return w, {"kl_q_pi": jnp.mean(kl), "ess_fraction": jnp.mean(ess) / n}

  return make("eta", "q_values", dual_loss, weights_fn, init_temperature, learning_rate,
              optimizer)


def vmpo(top_k_fraction: float, epsilon, init_temperature=1.0, learning_rate=1e-2,
         optimizer: Optional[optax.GradientTransformation] = None) -> Reweighter:
  """V-MPO E-step reweighter with temperature dual ``eta``.

  ``weights(state, advantages)`` and ``update(state, advantages=...)`` take a flat batch of
  advantages ``[B]``; weights are ``[B]``, zero outside the top ``⌊f·B⌋`` and summing to 1.
  ``top_k_fraction`` sets a shape, so it is static and must lie in (0, 1].
  """
  if not isinstance(top_k_fraction, (int, float)) or not 0.0 < top_k_fraction <= 1.0:
    raise ValueError(f"top_k_fraction must be a Python float in (0, 1], got {top_k_fraction!r}")
  _checks.check_positive("epsilon", epsilon)

  def top_k(adv):
    chex.assert_rank(adv, 1)
    k = int(top_k_fraction * adv.shape[0])
    if k < 1:
      raise ValueError(f"top_k_fraction={top_k_fraction} keeps no sample of a batch of "
                       f"{adv.shape[0]}")
    values, index = jax.lax.top_k(adv, k)
    return values, index, k

  def dual_loss(eta, advantages):
    values, _, k = top_k(jax.lax.stop_gradient(advantages))
    log_mean = jax.scipy.special.logsumexp(values / eta) - jnp.log(k)
    return eta * epsilon + eta * log_mean

  def weights_fn(eta, advantages):
    values, index, k = top_k(advantages)
    w_top = jax.nn.softmax(values / eta)
    kl, ess = _diagnostics(w_top, 0, k)
    w = jnp.zeros_like(advantages).at[index].set(w_top)
    return w, {"kl_q_pi": kl, "ess_fraction": ess / k}

  return make("eta", "advantages", dual_loss, weights_fn, init_temperature, learning_rate,
              optimizer)

"""How an MPO-style off-policy learner reads the policy's actions: which actions the E-step
scores, how Retrace's ``E_π Q`` is formed, and what the M-step's loss terms are.

* ``sampled(N)`` (Gaussian policies): ``N`` actions drawn from the target policy, weighted
  ``softmax(Q/η)`` over the samples; ``E_π Q`` is the mean of their Q; the M-step uses the
  decoupled mean/covariance log-likelihood and KLs (``losses.decoupled_gaussian_kl``).
* ``enumerated()`` (categorical policies): every action, weighted by ``π_old(a|s) exp(Q/η)``
  (``estep.categorical_mpo``); ``E_π Q = Σ_a π(a|s) Q(s, a)`` exactly; the M-step maximises
  ``Σ_a q(a|s) log π_θ(a|s)`` under one KL bound, ``mean_s KL(π_old‖π_θ) ≤ ε`` — a categorical
  has no mean/covariance split.

``E_π Q`` is read from the E-step's own proposal (the trainer scores one set of actions per
state and uses it for both), so Retrace's bootstrap costs no further critic evaluations.

Abdolmaleki et al. 2018, "Maximum a Posteriori Policy Optimisation", arXiv:1806.06920.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import jax.numpy as jnp

from pgkit import losses
from pgkit.estep.categorical import ActionValues
from pgkit.losses import LossTerms


class MPOActions(NamedTuple):
  """``propose(target_pi, q_fn, key) -> (actions [K, B, ...], E-step values)``;
  ``expected_q(values) -> E_{a~π} Q(s, a)`` ``[B]`` from a proposal's values (π the policy
  that proposed); ``m_step_terms(target_pi, new_pi, actions, weights) -> LossTerms``.
  ``q_fn(actions [K, ...]) -> Q [K, ...]`` scores actions in the states the distribution is
  over."""

  propose: Callable
  expected_q: Callable
  m_step_terms: Callable


def sampled(num_samples: int) -> MPOActions:
  """``num_samples`` actions from the target policy; decoupled Gaussian M-step terms."""

  def propose(target_pi, q_fn, key):
    actions = target_pi.sample(seed=key, sample_shape=num_samples)
    return actions, q_fn(actions)

  def expected_q(q_values):
    return jnp.mean(q_values, 0)

  def m_step_terms(target_pi, new_pi, actions, weights):
    pi_mean, pi_cov = losses.decoupled_policies(target_pi, new_pi)
    log_prob = pi_mean.log_prob(actions) + pi_cov.log_prob(actions)
    kl_mean, kl_cov = losses.decoupled_gaussian_kl(target_pi, new_pi)
    return LossTerms(log_prob=log_prob.ravel(), weight=weights.ravel(), kl_mean=kl_mean,
                     kl_cov=kl_cov)

  return MPOActions(propose, expected_q, m_step_terms)


def _all_actions(dist):
  """``[A, *batch]``: action ``a`` in every state of a categorical ``dist``."""
  num = dist.logits.shape[-1]
  return jnp.broadcast_to(jnp.arange(num).reshape((num,) + (1,) * len(dist.batch_shape)),
                          (num,) + tuple(dist.batch_shape))


def enumerated() -> MPOActions:
  """Every action of a categorical policy, weighted by its probability; one KL bound."""

  def propose(target_pi, q_fn, key):
    actions = _all_actions(target_pi)
    return actions, ActionValues(q_fn(actions), target_pi.log_prob(actions))

  def expected_q(values: ActionValues):
    return jnp.sum(jnp.exp(values.log_prior) * values.q_values, 0)

  def m_step_terms(target_pi, new_pi, actions, weights):
    return LossTerms(log_prob=new_pi.log_prob(actions).ravel(), weight=weights.ravel(),
                     kl=target_pi.kl_divergence(new_pi))

  return MPOActions(propose, expected_q, m_step_terms)

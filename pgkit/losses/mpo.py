"""MPO's M-step: weighted maximum likelihood under Lagrangian KL constraints.

Given E-step weights ``w`` (``pgkit.estep``), the M-step solves

  max_θ Σ w log π_θ(a|s)   s.t.   E_s KL_μ(π_old‖π_θ) ≤ ε_μ,   E_s KL_Σ(π_old‖π_θ) ≤ ε_Σ,

through the Lagrangian ``L(θ, α) = −Σ w log π_θ(a|s) + Σ_i α_i (KL_i − ε_i)``: θ descends it
with every α held constant (the two loss transforms below), and each α ≥ 0 ascends it by
projected dual ascent ``α ← max(0, α + lr (KL − ε))`` through
``pgkit.duals.lagrange_multiplier(name, ε, lr, statistic=term)``, which reads the statistic the
``lagrangian_kl`` transform reports under the name ``term``.
Abdolmaleki et al. 2018, "Maximum a Posteriori Policy Optimisation", arXiv:1806.06920;
Song et al. 2019, "V-MPO", arXiv:1909.12238.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from pgkit import _checks
from pgkit.losses.base import LossTerms, LossTransform, require
from pgkit.losses.base import dual as _dual

sg = jax.lax.stop_gradient


def weighted_log_likelihood(normalize: bool = True) -> LossTransform:
  """Weighted negative log-likelihood ``L = −Σ w log π_θ(a|s) / Σ w``.

  Reads ``log_prob`` and ``weight`` (a constant). With ``normalize=False`` the loss is
  ``−Σ w log π_θ(a|s)`` exactly. V-MPO's weights sum to one over the batch, so both agree;
  MPO's sum to one per state, so the normalised form is the per-state average of
  ``−Σ_j w_j log π_θ(a_j|s)`` and does not grow with the batch size.
  """

  def apply(terms: LossTerms, duals):
    require(terms, "weighted_log_likelihood", "log_prob", "weight")
    w = sg(terms.weight)
    loss = -jnp.sum(w * terms.log_prob)
    if normalize:
      loss = loss / jnp.sum(w)
    return loss, {"weighted_nll": loss}

  return LossTransform(apply)


def lagrangian_kl(dual: str = "alpha_mean", term: str = "kl_mean",
                  epsilon=None) -> LossTransform:
  """The policy's share of a KL constraint, ``L = Σ_d α_d · mean_s KL_d`` with α constant.

  ``term`` names the ``LossTerms`` field (``kl``, ``kl_mean`` or ``kl_cov``), of shape ``[B]``
  or, for per-dimension constraints, ``[B, D]`` with the dual of shape ``[D]``. The batch mean
  of the term is reported under the metric name ``term``: pass the metrics to the multiplier's
  ``update(state, **metrics)``. With ``epsilon`` the metric ``{term}_violation = KL − ε`` is
  added (ε does not change θ's gradient).
  """
  if epsilon is not None:
    _checks.check_positive("epsilon", epsilon)

  def apply(terms: LossTerms, duals):
    require(terms, "lagrangian_kl", term)
    alpha = _dual(duals, dual)
    kl = getattr(terms, term)
    stat = jnp.mean(kl, axis=tuple(range(kl.ndim - alpha.ndim)))
    loss = jnp.sum(alpha * stat)
    metrics = {term: sg(stat), dual: alpha}
    if epsilon is not None:
      metrics[f"{term}_violation"] = sg(stat) - epsilon
    return loss, metrics

  return LossTransform(apply)


"""The self-normalised importance-sampled surrogate of TRPO's vine sampling.

From each state ``s_n`` of a rollout set, ``K`` actions ``a_{n,k} ~ q(·|s_n)`` are tried and
their action values ``Q̂(s_n, a_{n,k})`` estimated by branch rollouts. State ``n`` contributes

    L_n(θ) = Σ_k ρ_{n,k} Q̂_{n,k} / Σ_k ρ_{n,k},   ρ_{n,k} = π_θ(a_{n,k}|s_n) / q(a_{n,k}|s_n),

and the loss is ``−mean_n L_n(θ)``. Normalising by ``Σ_k ρ`` removes the need for a baseline:
at ``θ = θ_old`` its gradient is ``(1/K) Σ_k ∇log π(a_k|s) (Q̂_k − mean_k Q̂)``. An affine
rescaling of ``Q̂`` (such as advantage normalisation) rescales and shifts the loss only.
Schulman et al. 2015, "Trust Region Policy Optimization", arXiv:1502.05477.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from pgkit.losses.base import LossTerms, LossTransform, require

sg = jax.lax.stop_gradient


def self_normalized_surrogate(num_actions: int) -> LossTransform:
  """Vine surrogate over ``LossTerms`` of length ``K·N``, laid out action-major.

  ``log_prob``, ``behaviour_log_prob`` and ``advantage`` (the ``Q̂`` values) reshape to
  ``[K, N]``: entry ``k·N + n`` is action ``k`` tried in state ``n``. ``num_actions = K`` is
  static.
  """
  if isinstance(num_actions, bool) or not isinstance(num_actions, int) or num_actions < 1:
    raise ValueError(f"num_actions must be an int >= 1; got {num_actions!r}")

  def apply(terms: LossTerms, duals):
    require(terms, "self_normalized_surrogate", "log_prob", "behaviour_log_prob", "advantage")
    if terms.log_prob.size % num_actions:
      raise ValueError(f"self_normalized_surrogate: {terms.log_prob.size} samples do not split "
                       f"into num_actions={num_actions} groups")
    grouped = lambda x: x.reshape(num_actions, -1)
    ratio = jnp.exp(grouped(terms.log_prob) - sg(grouped(terms.behaviour_log_prob)))
    q_value = sg(grouped(terms.advantage))
    per_state = jnp.sum(ratio * q_value, axis=0) / jnp.sum(ratio, axis=0)
    loss = -jnp.mean(per_state)
    return loss, {"vine_surrogate_loss": loss, "ratio_mean": jnp.mean(sg(ratio))}

  return LossTransform(apply)

"""Policy-gradient surrogates: REINFORCE, the importance-sampled surrogate, PPO's clipped one.

All of them minimise the negative of an estimate of J(θ) whose gradient is the policy gradient
``E[∇ log π_θ(a|s) · A]``. Advantages and behaviour log-probs are constants: the
``stop_gradient`` below is what keeps the critic and the acting policy out of the policy's
gradient.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from pgkit.losses.base import LossTerms, LossTransform, require

sg = jax.lax.stop_gradient


def _importance_ratio(terms: LossTerms):
  return jnp.exp(terms.log_prob - sg(terms.behaviour_log_prob))


def reinforce() -> LossTransform:
  """REINFORCE with a baseline: ``L = −mean(log π_θ(a|s) · (G − b(s)))``.

  ``advantage`` is the reward-to-go minus the baseline (Williams 1992, "Simple statistical
  gradient-following algorithms for connectionist reinforcement learning").
  """

  def apply(terms, duals):
    require(terms, "reinforce", "log_prob", "advantage")
    loss = -jnp.mean(terms.log_prob * sg(terms.advantage))
    return loss, {"pg_loss": loss}

  return LossTransform(apply)


def surrogate(max_ratio=None) -> LossTransform:
  """Importance-sampled surrogate ``L = −mean(ρ · A)``, ``ρ = π_θ(a|s) / μ(a|s)``.

  Its gradient at θ = θ_old is the on-policy policy gradient; away from θ_old it is the
  importance-sampled off-policy estimate (Schulman et al. 2015, "Trust Region Policy
  Optimization", arXiv:1502.05477, eq. 14). ``log_prob`` may already be a sum over a trajectory
  prefix (per-decision ratio) or a whole trajectory (full ratio); see ``pgkit.returns.importance``.
  ``max_ratio`` truncates the ratio at c̄: ``min(ρ, c̄)`` (no gradient flows where it binds).
  """

  def apply(terms, duals):
    require(terms, "surrogate", "log_prob", "behaviour_log_prob", "advantage")
    ratio = _importance_ratio(terms)
    if max_ratio is not None:
      ratio = jnp.minimum(ratio, max_ratio)
    loss = -jnp.mean(ratio * sg(terms.advantage))
    return loss, {"surrogate_loss": loss, "ratio_mean": jnp.mean(sg(ratio))}

  return LossTransform(apply)


def clipped_surrogate(epsilon) -> LossTransform:
  """PPO's clipped surrogate ``L = −mean(min(ρA, clip(ρ, 1−ε, 1+ε)A))``.

  Schulman et al. 2017, "Proximal Policy Optimization Algorithms", arXiv:1707.06347, eq. 7.
  ``epsilon`` may be a traced array.
  """

  def apply(terms, duals):
    require(terms, "clipped_surrogate", "log_prob", "behaviour_log_prob", "advantage")
    ratio = _importance_ratio(terms)
    adv = sg(terms.advantage)
    clipped = jnp.clip(ratio, 1.0 - epsilon, 1.0 + epsilon)
    loss = -jnp.mean(jnp.minimum(ratio * adv, clipped * adv))
    clip_fraction = jnp.mean(sg(jnp.abs(ratio - 1.0) > epsilon).astype(jnp.float32))
    return loss, {"clipped_surrogate_loss": loss, "clip_fraction": clip_fraction,
                  "ratio_mean": jnp.mean(sg(ratio))}

  return LossTransform(apply)

"""Critic regression loss."""
from __future__ import annotations

import jax
import jax.numpy as jnp

from pgkit.losses.base import LossTerms, LossTransform, require

sg = jax.lax.stop_gradient


def value_loss(coefficient=0.5, clip_epsilon=None) -> LossTransform:
  """Value regression ``L = c · mean((V(s) − V_target)²)``.

  With ``clip_epsilon`` the PPO-style clipped variant is used:
  ``max((V − V̂)², (V_old + clip(V − V_old, −ε, ε) − V̂)²)`` (as in OpenAI baselines' PPO2);
  ``clip_epsilon = inf`` (possibly traced) gives the plain loss exactly.
  """

  def apply(terms: LossTerms, duals):
    require(terms, "value_loss", "value", "value_target")
    target = sg(terms.value_target)
    err = jnp.square(terms.value - target)
    if clip_epsilon is not None:
      require(terms, "value_loss", "old_value")
      old = sg(terms.old_value)
      clipped = old + jnp.clip(terms.value - old, -clip_epsilon, clip_epsilon)
      err = jnp.where(jnp.isinf(clip_epsilon), err,
                      jnp.maximum(err, jnp.square(clipped - target)))
    loss = coefficient * jnp.mean(err)
    return loss, {"value_loss": loss}

  return LossTransform(apply)

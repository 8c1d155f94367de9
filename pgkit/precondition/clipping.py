"""Gradient clipping by the global norm, as one factor on every leaf."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import optax


def clip_by_global_norm(max_norm) -> optax.GradientTransformation:
  """``g ← g · min(1, c / ‖g‖₂)``, ``‖g‖₂`` over every leaf of the update.

  Pascanu, Mikolov & Bengio, "On the difficulty of training recurrent neural networks"
  (arXiv:1211.5063). The same map as ``optax.clip_by_global_norm``, written as a product:
  optax chooses per leaf between ``g`` and ``g / ‖g‖ · c`` (a select it keeps for
  meta-gradients), which XLA compiles as a kernel of its own for every leaf, while the factor
  here fuses into the next transform's elementwise update. ``c`` may be a traced value (a
  swept hyperparameter); ``c = inf`` leaves ``g`` unchanged.
  """
  def update(updates, state, params=None):
    del params
    scale = jnp.minimum(1.0, max_norm / optax.tree.norm(updates))
    return jax.tree.map(lambda g: g * scale.astype(g.dtype), updates), state

  return optax.GradientTransformation(optax.init_empty_state, update)

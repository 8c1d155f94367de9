"""Flat, loggable metrics from the states of the precondition transforms in an optimizer state.

``diagnostics(opt_state)`` finds every ``NaturalGradientState``, ``TrustRegionState`` and
``LineSearchState`` inside an optax state (chains, wrappers) and returns their fields as float32
scalars under stable names, so a trainer can log CG residuals, curvature flags and line-search
outcomes without knowing how the optimizer was assembled.
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from pgkit.precondition.linesearch import LineSearchState
from pgkit.precondition.natural_gradient import NaturalGradientState
from pgkit.precondition.trust_region import TrustRegionState

_NAMES = {
    NaturalGradientState: dict(residual_norm="cg_residual_norm",
                               iterations_used="cg_iterations",
                               nonpositive_curvature="cg_nonpositive_curvature",
                               gradient_fisher_norm="natural_gradient_sq_norm"),
    TrustRegionState: dict(step_size="trust_region_step_size",
                           curvature="trust_region_curvature",
                           nonpositive_curvature="trust_region_nonpositive_curvature"),
    LineSearchState: dict(accepted_index="linesearch_accepted_index",
                          step_size="linesearch_step_size",
                          expected_improvement="linesearch_expected_improvement",
                          actual_improvement="linesearch_actual_improvement",
                          kl="linesearch_kl"),
}


def diagnostics(opt_state: Any) -> dict[str, jax.Array]:
  """Metrics of the precondition transforms found in ``opt_state`` (empty if none)."""
  kinds = tuple(_NAMES)
  out: dict[str, jax.Array] = {}
  for node in jax.tree.leaves(opt_state, is_leaf=lambda x: isinstance(x, kinds)):
    if isinstance(node, kinds):
      for field, name in _NAMES[type(node)].items():
        if name in out:
          raise ValueError(f"diagnostics: two {type(node).__name__} states in one optimizer")
        out[name] = jnp.asarray(getattr(node, field), jnp.float32)
  return out

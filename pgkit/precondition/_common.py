"""Small helpers shared by the preconditioners: pytree algebra and required extra args."""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

PyTree = Any


def tree_vdot(a: PyTree, b: PyTree) -> jax.Array:
  """``Σ_leaves ⟨a, b⟩`` as a float32 scalar (real pytrees)."""
  parts = [jnp.sum(x * y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b))]
  return jnp.asarray(sum(parts, jnp.zeros((), jnp.float32)), jnp.float32)


def tree_axpy(alpha, x: PyTree, y: PyTree) -> PyTree:
  """``α·x + y`` leafwise, keeping each leaf's dtype."""
  return jax.tree.map(lambda a, b: (alpha * a + b).astype(b.dtype), x, y)


def tree_scale(alpha, x: PyTree) -> PyTree:
  return jax.tree.map(lambda a: (alpha * a).astype(a.dtype), x)


def tree_select(pred, on_true: PyTree, on_false: PyTree) -> PyTree:
  """Chooses whole pytrees with a scalar boolean, elementwise so it stays vmap-safe."""
  return jax.tree.map(lambda a, b: jnp.where(pred, a, b), on_true, on_false)


def require_extra(name: str, transform: str, value):
  """Raises a ValueError when a transform's required keyword extra argument is missing."""
  if value is None:
    raise ValueError(f"{transform} needs the keyword extra argument {name!r} "
                     f"(pass it to optimizer.update(..., {name}=...))")
  return value



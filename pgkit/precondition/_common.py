"""Small helpers shared by the preconditioners: pytree algebra and argument checks."""
from __future__ import annotations

from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

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


def _is_traced(value) -> bool:
  return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree.leaves(value))


def check_value(name: str, value, ok: Callable[[np.ndarray], np.ndarray], allowed: str) -> None:
  """Validates a concrete hyperparameter; traced values are left alone (they may be vmapped)."""
  if _is_traced(value):
    return
  array = np.asarray(value, dtype=np.float64)
  if not np.all(ok(array)) or not np.all(np.isfinite(array)):
    raise ValueError(f"{name} must be {allowed}; got {value!r}")


def check_positive(name: str, value) -> None:
  check_value(name, value, lambda x: x > 0, "> 0")


def check_nonnegative(name: str, value) -> None:
  check_value(name, value, lambda x: x >= 0, ">= 0")


def check_open_unit(name: str, value) -> None:
  check_value(name, value, lambda x: (x > 0) & (x < 1), "in the open interval (0, 1)")


def check_static_int(name: str, value, minimum: int) -> int:
  """Static sizes (iteration counts) must be Python ints, since they fix the compiled loop."""
  if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
    raise ValueError(f"{name} must be a static Python int >= {minimum}; got {value!r}")
  if value < minimum:
    raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}")
  return int(value)

"""Validation of concrete hyperparameters; traced values (under jit/vmap) are not checked, so
a run can be vmapped over them. Errors name the parameter and the allowed range."""
from __future__ import annotations

from typing import Callable

import jax
import numpy as np


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

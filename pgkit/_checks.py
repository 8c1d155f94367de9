"""Validation of concrete hyperparameters; traced values (under jit/vmap) are not checked."""
from __future__ import annotations

import jax
import numpy as np


def concrete(value):
  """Returns ``value`` as a numpy array, or ``None`` when it is a tracer."""
  if isinstance(value, jax.core.Tracer):
    return None
  try:
    return np.asarray(value)
  except (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError):
    return None


def positive(name: str, value) -> None:
  """Raises ``ValueError`` naming ``name`` if a concrete ``value`` has an entry ≤ 0."""
  v = concrete(value)
  if v is not None and not np.all(v > 0):
    raise ValueError(f"{name} must be > 0, got {value!r}")


def positive_int(name: str, value) -> None:
  if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
    raise ValueError(f"{name} must be an int ≥ 1 (it sets a shape), got {value!r}")

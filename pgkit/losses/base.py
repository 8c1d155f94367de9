"""The loss-transform interface and `chain`.

A loss transform is stateless: ``apply(terms, duals) -> (loss, metrics)``. ``terms`` carries
per-sample quantities (``[N]`` arrays, or ``[T, B]`` flattened by the caller) and ``duals`` maps
dual-variable names (``"beta"``, ``"eta"``, ``"alpha_mean"`` ...) to their current values.
Losses are minimised. Transforms read only the fields they need, so one ``LossTerms`` feeds any
chain, the way optax transforms ignore extra args they do not use.
"""
from __future__ import annotations

from typing import Callable, Mapping, NamedTuple, Optional

import jax
import jax.numpy as jnp

Array = jax.Array
Metrics = dict[str, Array]
Duals = Mapping[str, Array]


class LossTerms(NamedTuple):
  """Per-sample inputs to loss transforms; fields a chain does not read may stay ``None``.

  Attributes:
    log_prob: log π_θ(a|s) under the policy being optimised (carries the gradient).
    behaviour_log_prob: log μ(a|s) of the policy that acted (treated as a constant).
    advantage: advantage or return estimate (treated as a constant).
    kl: per-sample KL(π_old ‖ π_θ).
    entropy: per-sample entropy of π_θ.
    weight: nonnegative per-sample weights (E-step weights, masks).
    value: critic prediction V(s) (carries the critic's gradient).
    value_target: regression target for the critic (treated as a constant).
    old_value: critic prediction when the data was collected (for value clipping).
    kl_mean, kl_cov: decoupled KL parts of a Gaussian policy (MPO's M-step).
  """

  log_prob: Optional[Array] = None
  behaviour_log_prob: Optional[Array] = None
  advantage: Optional[Array] = None
  kl: Optional[Array] = None
  entropy: Optional[Array] = None
  weight: Optional[Array] = None
  value: Optional[Array] = None
  value_target: Optional[Array] = None
  old_value: Optional[Array] = None
  kl_mean: Optional[Array] = None
  kl_cov: Optional[Array] = None


class LossTransform(NamedTuple):
  """A stateless loss: ``apply(terms, duals) -> (scalar loss, metrics)``."""

  apply: Callable[[LossTerms, Duals], tuple[Array, Metrics]]


def require(terms: LossTerms, owner: str, *fields: str) -> None:
  """Raises a ValueError naming the ``LossTerms`` fields the transform ``owner`` needs but lacks."""
  missing = [n for n in fields if getattr(terms, n) is None]
  if missing:
    raise ValueError(f"{owner!r} loss transform needs LossTerms fields {missing}, which are None")


def chain(*transforms: LossTransform) -> LossTransform:
  """Sums several loss transforms and merges their metrics.

  ``loss = Σ_i loss_i``; the returned metrics hold every transform's metrics plus ``loss``.
  Two transforms emitting the same metric name is an error, since one would hide the other.
  """
  if not transforms:
    raise ValueError("losses.chain needs at least one loss transform")

  def apply(terms: LossTerms, duals: Duals):
    total = jnp.zeros(())
    metrics: Metrics = {}
    for transform in transforms:
      loss, m = transform.apply(terms, duals)
      clash = set(m) & set(metrics)
      if clash:
        raise ValueError(f"losses.chain: metric names {sorted(clash)} are emitted twice")
      metrics.update(m)
      total = total + loss
    metrics["loss"] = total
    return total, metrics

  return LossTransform(apply)


def dual(duals: Duals, name: str) -> Array:
  """Reads the dual variable ``name`` as a constant (no gradient reaches a dual from a loss)."""
  if name not in duals:
    raise ValueError(f"loss needs dual variable {name!r}; available duals: {sorted(duals)}")
  return jax.lax.stop_gradient(duals[name])

"""Scales a search direction to the boundary of the quadratic KL trust region.

With the quadratic model ``KL(π_old ‖ π_{θ+Δ}) ≈ ½ Δᵀ F Δ``, the largest multiple ``Δ = −β s``
of a direction ``s`` that satisfies ``½ Δᵀ F Δ ≤ δ`` has

    β = sqrt(2δ / sᵀ F s).

For ``s = F⁻¹ g`` this is the natural-policy-gradient step ``sqrt(2δ / gᵀF⁻¹g) · F⁻¹g``
(Schulman et al. 2015, "Trust Region Policy Optimization", arXiv:1502.05477).

Sign convention: the incoming ``updates`` are gradient-like (a direction along which the loss
being minimised *increases*, e.g. the output of ``natural_gradient``). The output is the
actual parameter step ``−β s``, ready for ``optax.apply_updates`` (like optax's
``scale_by_learning_rate``, this transform applies the minus sign). ``sᵀFs`` is measured with
a fresh Fisher-vector product, so any transform placed in between (clipping, scaling) is
accounted for. If ``sᵀFs ≤ 0`` or is not finite, the step is zero and the state says so.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
import optax.tree_utils as otu

from pgkit._checks import check_nonnegative, check_positive
from pgkit.precondition._common import require_extra
from pgkit.precondition.fisher import kl_hessian_vector_product


class TrustRegionState(NamedTuple):
  """Diagnostics of the latest scaling (scalars).

  Attributes:
    step_size: ``β = sqrt(2δ / sᵀFs)``, 0 when the curvature was unusable.
    curvature: ``sᵀ (F + λI) s``.
    nonpositive_curvature: True when ``sᵀFs ≤ 0`` or non-finite (then the step is zero).
  """

  step_size: jax.Array
  curvature: jax.Array
  nonpositive_curvature: jax.Array


def scale_to_trust_region(max_kl, damping=0.0) -> optax.GradientTransformationExtraArgs:
  """Scales a direction ``s`` to the step ``−sqrt(2δ / sᵀ(F + λI)s) · s``.

  ``update(updates, state, params, *, kl_fn, **extra)`` reads ``kl_fn(params) -> mean
  KL(π_old ‖ π_params)``; other extra arguments are ignored.

  Args:
    max_kl: the trust-region radius ``δ > 0`` (may be a traced array).
    damping: ``λ ≥ 0`` added to the Fisher when measuring ``sᵀFs``. The default 0 measures the
      true quadratic KL, so that the predicted KL of the step is exactly ``δ``.

  Example:
    >>> import jax.numpy as jnp
    >>> tx = scale_to_trust_region(max_kl=0.5)
    >>> params = jnp.zeros(2)
    >>> kl_fn = lambda p: 0.5 * jnp.sum(p ** 2)
    >>> step, _ = tx.update(jnp.array([3.0, 4.0]), tx.init(params), params, kl_fn=kl_fn)
    >>> [round(float(x), 4) for x in step]
    [-0.6, -0.8]
  """
  check_positive("max_kl", max_kl)
  check_nonnegative("damping", damping)

  def init(params):
    del params
    return TrustRegionState(jnp.zeros((), jnp.float32), jnp.zeros((), jnp.float32),
                            jnp.zeros((), bool))

  def update(updates, state, params=None, *, kl_fn=None, **extra_args):
    del state, extra_args
    if params is None:
      raise ValueError("scale_to_trust_region.update needs params (θ_old)")
    kl_fn = require_extra("kl_fn", "scale_to_trust_region", kl_fn)
    fvp = kl_hessian_vector_product(kl_fn, params, damping)
    curvature = otu.tree_vdot(updates, fvp(updates))
    ok = jnp.isfinite(curvature) & (curvature > 0)
    step_size = jnp.where(ok, jnp.sqrt(2.0 * max_kl / jnp.where(ok, curvature, 1.0)), 0.0)
    step_size = step_size.astype(jnp.float32)
    return otu.tree_scale(-step_size, updates), TrustRegionState(step_size, curvature, ~ok)

  return optax.GradientTransformationExtraArgs(init, update)

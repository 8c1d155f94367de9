"""The natural-gradient preconditioner ``g ↦ (F + λI)⁻¹ g`` as an optax transform.

Natural gradient (Amari 1998; for policies, Kakade 2001, "A Natural Policy Gradient"): the
steepest-descent direction when distance between policies is measured by the KL divergence,
whose second-order expansion is ``KL(π_old ‖ π_θ) ≈ ½ Δθᵀ F Δθ``. The direction
``F⁻¹ g`` is found by damped conjugate gradient (``cg.py``) with Fisher-vector products
(``fisher.py``), as in Schulman et al. 2015, "Trust Region Policy Optimization",
arXiv:1502.05477.

Sign convention (that of optax): incoming ``updates`` are gradients of a loss to *minimise*;
the output ``(F + λI)⁻¹ g`` is still gradient-like (not yet negated). Follow it with
``scale_to_trust_region`` (which turns it into a step) or with ``optax.scale(-lr)``.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
import optax.tree_utils as otu

from pgkit._checks import check_nonnegative, check_static_int
from pgkit.precondition.cg import conjugate_gradient
from pgkit.precondition.fisher import fisher_vector_product

_FISHERS = ("kl_hessian", "empirical")


class NaturalGradientState(NamedTuple):
  """Diagnostics of the latest CG solve (all scalars).

  Attributes:
    residual_norm: ``‖g − (F + λI) x‖`` at the returned ``x``.
    iterations_used: CG iterations that changed the solution.
    nonpositive_curvature: whether CG met a direction with ``pᵀ(F + λI)p ≤ 0``.
    gradient_fisher_norm: ``gᵀ x ≈ gᵀ(F + λI)⁻¹g``, the squared natural-gradient norm.
  """

  residual_norm: jax.Array
  iterations_used: jax.Array
  nonpositive_curvature: jax.Array
  gradient_fisher_norm: jax.Array


def natural_gradient(cg_iters: int, damping=1e-2, fisher: str = "kl_hessian",
                     cg_tol=1e-10) -> optax.GradientTransformationExtraArgs:
  """Preconditions gradients by the damped inverse Fisher, ``g ↦ (F + λI)⁻¹ g``.

  ``update(updates, state, params, *, kl_fn=None, log_prob_fn=None, **extra)`` needs
  ``params = θ_old`` and, for ``fisher="kl_hessian"``, ``kl_fn(params) -> mean KL(π_old‖π_θ)``;
  for ``fisher="empirical"``, ``log_prob_fn(params) -> per-sample log π_θ(a|s)`` of the sampled
  actions. Other extra arguments are ignored.

  Args:
    cg_iters: static number of CG iterations (≥ 1).
    damping: ``λ ≥ 0``, may be a traced array.
    fisher: ``"kl_hessian"`` (default) or ``"empirical"``.
    cg_tol: CG stops updating once the residual norm is ``≤ cg_tol``.

  Example:
    >>> import jax.numpy as jnp
    >>> tx = natural_gradient(cg_iters=2, damping=0.0)
    >>> params = jnp.array([0.0, 0.0])
    >>> kl_fn = lambda p: 0.5 * jnp.sum(jnp.array([2.0, 4.0]) * p ** 2)
    >>> direction, _ = tx.update(jnp.array([2.0, 4.0]), tx.init(params), params, kl_fn=kl_fn)
    >>> [round(float(x), 4) for x in direction]
    [1.0, 1.0]
  """
  cg_iters = check_static_int("cg_iters", cg_iters, 1)
  check_nonnegative("damping", damping)
  if fisher not in _FISHERS:
    raise ValueError(f"fisher must be one of {_FISHERS}; got {fisher!r}")

  def init(params):
    del params
    return NaturalGradientState(jnp.zeros((), jnp.float32), jnp.zeros((), jnp.int32),
                                jnp.zeros((), bool), jnp.zeros((), jnp.float32))

  def update(updates, state, params=None, *, kl_fn=None, log_prob_fn=None, **extra_args):
    del state, extra_args
    if params is None:
      raise ValueError("natural_gradient.update needs params (the policy parameters θ_old)")
    fvp = fisher_vector_product(fisher, params, damping, kl_fn=kl_fn, log_prob_fn=log_prob_fn)
    result = conjugate_gradient(fvp, updates, iters=cg_iters, tol=cg_tol)
    new_state = NaturalGradientState(result.residual_norm, result.iterations_used,
                                     result.nonpositive_curvature,
                                     otu.tree_vdot(updates, result.solution))
    return result.solution, new_state

  return optax.GradientTransformationExtraArgs(init, update)

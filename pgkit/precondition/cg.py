"""Conjugate gradient over pytrees with a fixed, static number of iterations.

Solves ``A x = b`` for a symmetric positive-definite ``A`` given only ``v ↦ A v``:

    x₀ = 0, r₀ = p₀ = b
    αₖ = rₖᵀrₖ / pₖᵀA pₖ,   xₖ₊₁ = xₖ + αₖ pₖ,   rₖ₊₁ = rₖ − αₖ A pₖ
    βₖ = rₖ₊₁ᵀrₖ₊₁ / rₖᵀrₖ, pₖ₊₁ = rₖ₊₁ + βₖ pₖ

The loop always runs ``iters`` times (``lax.fori_loop``), so it compiles once and works under
``jit`` and ``vmap``. Convergence (``‖r‖ ≤ tol``) and breakdown are handled by masking: once a
lane is done its iterate is frozen. If a direction has ``pᵀAp ≤ 0`` (or a non-finite value),
the matrix is not positive definite along it; the iteration stops there, keeps the last good
iterate, and raises ``nonpositive_curvature`` instead of producing a NaN.

Hestenes & Stiefel 1952, "Methods of conjugate gradients for solving linear systems"; used for
natural gradients in Schulman et al. 2015, "Trust Region Policy Optimization",
arXiv:1502.05477.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax.tree_utils as otu

from pgkit._checks import check_nonnegative, check_static_int

PyTree = Any


class CGResult(NamedTuple):
  """Outcome of ``conjugate_gradient``.

  Attributes:
    solution: the approximate ``A⁻¹ b`` (same pytree structure as ``b``).
    residual_norm: ``‖b − A x‖`` as tracked by the recursion, float32 scalar.
    iterations_used: number of iterations that updated the iterate, int32 scalar.
    nonpositive_curvature: True if a search direction had ``pᵀAp ≤ 0`` (bool scalar).
  """

  solution: PyTree
  residual_norm: jax.Array
  iterations_used: jax.Array
  nonpositive_curvature: jax.Array


class _Carry(NamedTuple):
  x: PyTree
  r: PyTree
  p: PyTree
  rr: jax.Array
  done: jax.Array
  bad_curvature: jax.Array
  used: jax.Array


def conjugate_gradient(matvec: Callable[[PyTree], PyTree], b: PyTree, *, iters: int,
                       tol=1e-10) -> CGResult:
  """Approximately solves ``matvec(x) = b`` with ``iters`` CG iterations.

  Args:
    matvec: the linear, symmetric positive-(semi)definite operator ``v ↦ A v`` on pytrees.
    b: right-hand side pytree.
    iters: static number of iterations (for a ``P``-dimensional problem, ``P`` iterations give
      the exact solution in exact arithmetic).
    tol: stop updating once the residual norm is ``≤ tol`` (may be traced).

  Returns:
    A ``CGResult``.
  """
  iters = check_static_int("cg_iters", iters, 1)
  check_nonnegative("cg tol", tol)
  rr0 = otu.tree_vdot(b, b)
  init = _Carry(x=jax.tree.map(jnp.zeros_like, b), r=b, p=b, rr=rr0,
                done=jnp.sqrt(rr0) <= tol, bad_curvature=jnp.zeros((), bool),
                used=jnp.zeros((), jnp.int32))

  def body(_, c: _Carry) -> _Carry:
    ap = matvec(c.p)
    pap = otu.tree_vdot(c.p, ap)
    curvature_ok = jnp.isfinite(pap) & (pap > 0)
    step = ~c.done & curvature_ok
    alpha = c.rr / jnp.where(curvature_ok, pap, 1.0)
    x = otu.tree_add_scale(c.x, alpha, c.p)
    r = otu.tree_add_scale(c.r, -alpha, ap)
    rr = otu.tree_vdot(r, r)
    beta = rr / jnp.where(c.rr > 0, c.rr, 1.0)
    p = otu.tree_add_scale(r, beta, c.p)
    converged = jnp.sqrt(rr) <= tol
    return _Carry(
        x=otu.tree_where(step, x, c.x),
        r=otu.tree_where(step, r, c.r),
        p=otu.tree_where(step, p, c.p),
        rr=jnp.where(step, rr, c.rr),
        done=c.done | ~curvature_ok | (step & converged),
        bad_curvature=c.bad_curvature | (~c.done & ~curvature_ok),
        used=c.used + step.astype(jnp.int32))

  out = jax.lax.fori_loop(0, iters, body, init)
  return CGResult(out.x, jnp.sqrt(out.rr), out.used, out.bad_curvature)

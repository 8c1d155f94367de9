"""Backtracking line search that enforces the KL trust region and loss improvement.

Given a proposed parameter step ``Δ`` (e.g. from ``scale_to_trust_region``), tries
``Δₖ = rᵏ Δ`` for ``k = 0, …, K−1`` (``r`` = ``backtrack_ratio``) and accepts the first with

    mean KL(π_old ‖ π_{θ+Δₖ}) ≤ δ   and   L(θ) − L(θ+Δₖ) > max(0, c · (−∇L(θ)ᵀ Δₖ)),

where ``L`` is the loss being minimised and ``c`` is ``accept_ratio`` (0 by default: any
improvement). If no ``k`` passes, the step is zero. This is TRPO's final step, which makes the
update respect the exact (not just quadratic) KL constraint and improve the surrogate
(Schulman et al. 2015, "Trust Region Policy Optimization", arXiv:1502.05477).

The loop is a ``lax.while_loop`` with a static bound ``K``: it stops at the first accepted
``k`` when run alone and runs the slowest lane's count under ``vmap``; every lane still
accepts its own first ``k``. Sign convention: ``updates`` is a step to *add* to the
parameters, and so is the output (use it with ``optax.apply_updates``).
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
import optax.tree_utils as otu

from pgkit._checks import (check_nonnegative, check_open_unit, check_positive,
                           check_static_int)
from pgkit.precondition._common import require_extra


class LineSearchState(NamedTuple):
  """Diagnostics of the latest search (scalars; all zero except ``accepted_index = −1`` when
  nothing was accepted and the step is zero).

  Attributes:
    accepted_index: the accepted ``k``, or −1.
    step_size: ``rᵏ`` of the accepted step (0 if none).
    expected_improvement: ``−∇L(θ)ᵀ Δₖ``, the loss decrease predicted by the linear model.
    actual_improvement: ``L(θ) − L(θ + Δₖ)``.
    kl: mean KL after the accepted step.
  """

  accepted_index: jax.Array
  step_size: jax.Array
  expected_improvement: jax.Array
  actual_improvement: jax.Array
  kl: jax.Array


class _Carry(NamedTuple):
  k: jax.Array
  found: jax.Array
  info: LineSearchState


def _empty_state() -> LineSearchState:
  zero = jnp.zeros((), jnp.float32)
  return LineSearchState(jnp.full((), -1, jnp.int32), zero, zero, zero, zero)


def kl_linesearch(max_kl, backtrack_ratio=0.8, max_steps: int = 10,
                  accept_ratio=0.0) -> optax.GradientTransformationExtraArgs:
  """Backtracks a proposed step until ``KL ≤ δ`` and the loss improves.

  ``update(updates, state, params, *, loss_fn, kl_fn, **extra)`` reads ``loss_fn(params) ->
  scalar loss to minimise`` and ``kl_fn(params) -> mean KL(π_old ‖ π_params)``; other extra
  arguments are ignored.

  Args:
    max_kl: the KL radius ``δ > 0`` (may be traced).
    backtrack_ratio: shrink factor ``r ∈ (0, 1)`` (may be traced).
    max_steps: static number of candidates ``K ≥ 1``.
    accept_ratio: ``c ≥ 0``; the improvement must exceed ``c`` times the linear prediction.

  Example:
    >>> import jax.numpy as jnp
    >>> tx = kl_linesearch(max_kl=0.1, backtrack_ratio=0.5)
    >>> params = jnp.zeros(1)
    >>> loss_fn = lambda p: jnp.sum((p - 1.0) ** 2)
    >>> kl_fn = lambda p: 0.5 * jnp.sum(p ** 2)
    >>> step, s = tx.update(jnp.ones(1), tx.init(params), params, loss_fn=loss_fn, kl_fn=kl_fn)
    >>> int(s.accepted_index), [float(x) for x in step]
    (2, [0.25])
  """
  check_positive("max_kl", max_kl)
  check_open_unit("backtrack_ratio", backtrack_ratio)
  max_steps = check_static_int("max_steps", max_steps, 1)
  check_nonnegative("accept_ratio", accept_ratio)

  def init(params):
    del params
    return _empty_state()

  def update(updates, state, params=None, *, loss_fn=None, kl_fn=None, **extra_args):
    del state, extra_args
    if params is None:
      raise ValueError("kl_linesearch.update needs params (θ_old)")
    loss_fn = require_extra("loss_fn", "kl_linesearch", loss_fn)
    kl_fn = require_extra("kl_fn", "kl_linesearch", kl_fn)
    loss0, grad = jax.value_and_grad(loss_fn)(params)
    slope = otu.tree_vdot(grad, updates)  # directional derivative of L along the full step

    def cond(c: _Carry):
      return (c.k < max_steps) & ~c.found

    def body(c: _Carry) -> _Carry:
      fraction = jnp.asarray(backtrack_ratio, jnp.float32) ** c.k
      candidate = otu.tree_add_scale(params, fraction, updates)
      loss, kl = loss_fn(candidate), kl_fn(candidate)
      actual = (loss0 - loss).astype(jnp.float32)
      expected = (-slope * fraction).astype(jnp.float32)
      ok = (jnp.isfinite(loss) & jnp.isfinite(kl) & (kl <= max_kl)
            & (actual > jnp.maximum(0.0, accept_ratio * expected)))
      info = LineSearchState(c.k, fraction, expected, actual, kl.astype(jnp.float32))
      info = jax.tree.map(lambda new, old: jnp.where(ok, new, old), info, c.info)
      return _Carry(c.k + 1, ok, info)

    out = jax.lax.while_loop(cond, body, _Carry(jnp.zeros((), jnp.int32), jnp.zeros((), bool),
                                                _empty_state()))
    return otu.tree_scale(out.info.step_size, updates), out.info

  return optax.GradientTransformationExtraArgs(init, update)

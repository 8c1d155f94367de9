"""Non-finite values caught where they arise, inside the compiled step.

Each step checks the quantities it produced (env observations and rewards, losses, gradient
norms and every other metric, the updated parameters, optimizer and dual states). On the first
non-finite one the step returns the state it was given, unchanged except for ``Health``, which
records which quantity and at which iteration; every later step of the chunk is masked the same
way, as the target-KL early stop masks updates. The state therefore always holds the last finite
values, and the host stops with ``NonFiniteError`` naming the quantity and the iteration.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

# Quantities a step checks besides its metrics, in the order ``names`` lists them.
STATE_PARTS = ("observation", "reward", "policy_params", "policy_opt_state", "critic_params",
               "critic_opt_state", "duals")


class Health(NamedTuple):
  code: jax.Array  # -1 while every value is finite, else the index of the first bad quantity
  iteration: jax.Array  # the iteration that produced it


class NonFiniteError(FloatingPointError):
  """Training produced a non-finite value; the message names it, the iteration and the state
  (checkpoint) that holds the last finite values."""


def healthy() -> Health:
  return Health(jnp.full((), -1, jnp.int32), jnp.zeros((), jnp.int32))


def names(metric_names) -> list[str]:
  """The quantities in the order their codes number them."""
  return list(STATE_PARTS) + sorted(metric_names)


def _floats(tree) -> list:
  """The floating leaves of ``tree``, raveled."""
  return [jnp.ravel(x) for x in jax.tree.leaves(tree)
          if jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)]


def first_non_finite(quantities: list) -> jax.Array:
  """The index of the first quantity (a pytree) holding a non-finite value, −1 if none.

  Every floating value of every quantity is checked in one vector: the compiled step holds one
  ``argmin`` over it, whatever the number of quantities and leaves (XLA's CPU backend splits
  each large reduction into a chain of window reductions, one kernel each, so a reduction per
  quantity cost a chain per quantity)."""
  vectors = [_floats(q) for q in quantities]
  sizes = [sum(v.size for v in vs) for vs in vectors]
  flat = [v for vs in vectors for v in vs]
  if not flat:
    return jnp.full((), -1, jnp.int32)
  finite = jnp.isfinite(jnp.concatenate(flat))
  ends = np.cumsum(sizes)  # quantity i holds positions [ends[i-1], ends[i])
  position = jnp.argmin(finite)  # the first False, or 0 when all are True
  which = jnp.sum(position >= jnp.asarray(ends))  # the ends at or before it
  return jnp.where(finite[position], -1, which).astype(jnp.int32)


def guard(old, new, parts: dict, metrics: dict):
  """``new`` if every checked quantity is finite and none was before, else ``old``; either way
  with ``health`` recording the first non-finite quantity. ``old`` and ``new`` are train states
  with ``health`` and ``iteration`` fields; ``parts`` is keyed by ``STATE_PARTS``."""
  first = first_non_finite([parts.get(p, ()) for p in STATE_PARTS]
                           + [metrics[k] for k in sorted(metrics)])
  was_bad = old.health.code >= 0
  bad = was_bad | (first >= 0)
  # One conditional, not a select per leaf: XLA compiles it as a buffer choice (under vmap,
  # a population's, it becomes the per-leaf select again).
  state = jax.lax.cond(bad, lambda: old, lambda: new)
  found = Health(first, jnp.asarray(new.iteration, jnp.int32))
  return state._replace(health=jax.tree.map(lambda h, n: jnp.where(was_bad, h, n), old.health,
                                            found))


def report(health, metric_names, checkpoint) -> None:
  """Raises ``NonFiniteError`` if ``health`` (host values) records a non-finite quantity."""
  code = int(health.code)
  if code < 0:
    return
  where = (f"the last finite state is the checkpoint {checkpoint}" if checkpoint
           else "no checkpoint holds a finite state (none was saved)")
  raise NonFiniteError(f"non-finite {names(metric_names)[code]} at iteration "
                       f"{int(health.iteration)}; training stopped before using it; {where}")

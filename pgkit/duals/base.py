"""The dual-variable updater interface and `chain`.

A dual updater owns named dual variables (``beta``, ``eta``, ``alpha_mean`` ...):

* ``init() -> state``
* ``update(state, **stats) -> state``: one step of the dual problem from statistics measured
  on the latest policy (``kl=...``, ``kl_mean=...``); statistics it does not use are ignored.
* ``values(state) -> {name: value}``: what loss transforms read by name.

The state is a NamedTuple per updater, so it is stable through ``lax.scan`` and ``vmap``.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple

import jax

Array = jax.Array


class DualUpdater(NamedTuple):
  names: tuple[str, ...]
  init: Callable[[], Any]
  update: Callable[..., Any]
  values: Callable[[Any], Mapping[str, Array]]


def chain(*updaters: DualUpdater) -> DualUpdater:
  """Runs several dual updaters side by side; their dual names must be distinct."""
  names: list[str] = []
  for u in updaters:
    for n in u.names:
      if n in names:
        raise ValueError(f"duals.chain: dual variable {n!r} is defined twice")
      names.append(n)

  def init():
    return tuple(u.init() for u in updaters)

  def update(state, **stats):
    return tuple(u.update(s, **stats) for u, s in zip(updaters, state))

  def values(state):
    out: dict[str, Array] = {}
    for u, s in zip(updaters, state):
      out.update(u.values(s))
    return out

  return DualUpdater(tuple(names), init, update, values)


def none() -> DualUpdater:
  """An updater with no dual variables, for algorithms that have none."""
  return DualUpdater((), lambda: (), lambda state, **stats: state, lambda state: {})

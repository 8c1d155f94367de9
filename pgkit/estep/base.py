"""The reweighter interface: a nonparametric E-step that owns its temperature dual.

A reweighter has the fields of a ``pgkit.duals.DualUpdater`` (``names``, ``init``,
``update(state, **stats)``, ``values(state)``), so it can sit in ``duals.chain`` or be kept on
its own, plus

* ``weights(state, values) -> (weights, metrics)``: E-step weights for the M-step (constants:
  no gradient reaches η or the values through them) and diagnostics;
* ``dual_loss(eta, values) -> scalar``: the convex temperature dual ``g(η)`` whose minimiser is
  the temperature; ``update`` takes one optimizer step on it.

The temperature is kept positive as ``η = softplus(η_raw) + η_min``; the state holds ``η_raw``
and the state of the reweighter's own optax optimizer.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

import jax
import jax.numpy as jnp
import optax

from pgkit import _checks
from pgkit.duals.base import DualUpdater

Array = jax.Array
MIN_TEMPERATURE = 1e-6


class TemperatureState(NamedTuple):
  raw: Array
  opt_state: Any


# A DualUpdater's fields (names, init, update, values) plus the E-step's own two.
Reweighter = NamedTuple("Reweighter", [
    *DualUpdater.__annotations__.items(),
    ("weights", Callable[[Any, Array], tuple[Optional[Array], dict]]),
    ("dual_loss", Callable[[Array, Array], Array])])


def temperature(raw: Array) -> Array:
  return jax.nn.softplus(raw) + MIN_TEMPERATURE


def inverse_temperature(eta) -> Array:
  """``η_raw`` such that ``temperature(η_raw) = η`` (inverse softplus)."""
  x = jnp.asarray(eta, jnp.float32) - MIN_TEMPERATURE
  return x + jnp.log(-jnp.expm1(-x))


def make(name: str, stat: str, dual_loss: Callable, weights_fn: Callable, init_temperature,
         learning_rate, optimizer: Optional[optax.GradientTransformation]) -> Reweighter:
  """Builds a ``Reweighter`` around a dual ``g(η, values)`` and a weight rule."""
  _checks.check_positive("init_temperature", init_temperature)
  if optimizer is None:
    _checks.check_positive("learning_rate", learning_rate)
    optimizer = optax.adam(learning_rate)

  def init():
    raw = inverse_temperature(init_temperature)
    return TemperatureState(raw, optimizer.init(raw))

  def update(state, **stats):
    if stat not in stats:
      raise ValueError(f"reweighter {name!r} update needs the statistic {stat!r}; "
                       f"got {sorted(stats)}")
    values = jax.lax.stop_gradient(stats[stat])
    grad = jax.grad(lambda raw: dual_loss(temperature(raw), values))(state.raw)
    upd, opt_state = optimizer.update(grad, state.opt_state, state.raw)
    return TemperatureState(optax.apply_updates(state.raw, upd), opt_state)

  def weights(state, values):
    eta = jax.lax.stop_gradient(temperature(state.raw))
    w, metrics = weights_fn(eta, jax.lax.stop_gradient(values))
    metrics[name] = eta
    metrics[f"{name}_dual_loss"] = dual_loss(eta, jax.lax.stop_gradient(values))
    return jax.lax.stop_gradient(w), metrics

  return Reweighter((name,), init, update, lambda s: {name: temperature(s.raw)}, weights,
                    dual_loss)


def none() -> Reweighter:
  """No E-step: no temperature, and ``weights`` returns None (the loss weighs samples equally)."""
  return Reweighter((), lambda: (), lambda state, **stats: state, lambda state: {},
                    lambda state, values: (None, {}), lambda eta, values: jnp.zeros(()))

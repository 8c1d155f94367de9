"""Compatibility shim so Brax 0.14's own PPO trainer runs under current jax (bench code only).

``brax.training.agents.ppo.train`` calls ``jax.device_put_replicated(x, devices)``, which jax
removed (0.10 raises ``AttributeError`` before training starts). It stacked ``x`` once per
device along a new leading axis, placed for ``jax.pmap``; ``install()`` restores that:
``jnp.stack``, then an identity ``pmap`` over Brax's own pmap axis name for the placement.
Current jax places a pmap's outputs on a mesh named after the pmap's axis, and a pmapped
function compiles again for inputs placed on another mesh: with plain stacked arrays (or an
identity pmap under another axis name) Brax's training epoch compiled twice, once for the
stacked state and again for the state its first call returned, and its evaluation too (on an
H200 Brax's second evaluation interval took 24-27 s instead of 3.6 s). pgkit itself never calls
it: only the benchmark that runs Brax's trainer side by side with pgkit installs it.
"""
from __future__ import annotations

import functools

import jax
import jax.numpy as jnp


def _device_put_replicated(x, devices, axis_name: str):
  n = len(devices)
  stacked = jax.tree.map(lambda a: jnp.stack([jnp.asarray(a)] * n), x)
  return jax.pmap(lambda tree: tree, axis_name=axis_name, devices=devices)(stacked)


def install() -> None:
  """Adds ``jax.device_put_replicated`` back if this jax lacks it; a no-op otherwise."""
  if not hasattr(jax, "device_put_replicated"):
    from brax.training.agents.ppo import train
    jax.device_put_replicated = functools.partial(_device_put_replicated,
                                                  axis_name=train._PMAP_AXIS_NAME)

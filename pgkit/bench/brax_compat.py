"""Compatibility shim so Brax 0.14's own PPO trainer runs under current jax (bench code only).

``brax.training.agents.ppo.train`` calls ``jax.device_put_replicated(x, devices)``, which jax
removed (0.10 raises ``AttributeError`` before training starts). It stacked ``x`` once per
device along a new leading axis for ``jax.pmap``; ``install()`` restores exactly that with
``jnp.stack`` and ``jax.device_put_sharded``-free code. pgkit itself never calls it: only the
benchmark that runs Brax's trainer side by side with pgkit installs it.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp


def _device_put_replicated(x, devices):
  n = len(devices)
  return jax.tree.map(lambda a: jnp.stack([jnp.asarray(a)] * n), x)


def install() -> None:
  """Adds ``jax.device_put_replicated`` back if this jax lacks it; a no-op otherwise."""
  if not hasattr(jax, "device_put_replicated"):
    jax.device_put_replicated = _device_put_replicated

"""Running observation normalisation, held in the train state.

Batches are merged into the running moments with the parallel update of Chan, Golub & LeVeque
(1979, "Updating formulae and a pairwise algorithm for computing sample variances"):
``n = n_a + n_b``, ``δ = μ_b − μ_a``, ``μ = μ_a + δ n_b / n``,
``M2 = M2_a + M2_b + δ² n_a n_b / n``; normalised observations are
``clip((o − μ) / sqrt(M2/n + 1e-8), −c, c)``. The clip ``c`` travels with the moments as
static metadata (not a leaf: checkpoints hold the moments only, and a different ``c`` compiles
anew); ``c = inf`` does not clip, as Brax's PPO normalises.
"""
from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp


@functools.partial(jax.tree_util.register_dataclass, data_fields=["count", "mean", "m2"],
                   meta_fields=["clip"])
@dataclasses.dataclass(frozen=True)
class RunningStats:
  count: jax.Array
  mean: jax.Array
  m2: jax.Array
  clip: float


def init_stats(size: int, clip: float = 5.0) -> RunningStats:
  """Empty moments of ``size`` features; normalised observations are clipped to ``±clip``."""
  return RunningStats(jnp.zeros(()), jnp.zeros(size), jnp.zeros(size), clip)


def update_stats(stats: RunningStats, batch: jax.Array) -> RunningStats:
  """Merges a batch ``[..., size]`` into the running moments."""
  batch = batch.reshape(-1, batch.shape[-1])
  n_b = jnp.asarray(batch.shape[0], jnp.float32)
  mean_b = jnp.mean(batch, axis=0)
  m2_b = jnp.sum(jnp.square(batch - mean_b), axis=0)
  n = stats.count + n_b
  delta = mean_b - stats.mean
  mean = stats.mean + delta * n_b / n
  m2 = stats.m2 + m2_b + jnp.square(delta) * stats.count * n_b / n
  return dataclasses.replace(stats, count=n, mean=mean, m2=m2)


def normalize(stats: RunningStats, obs: jax.Array) -> jax.Array:
  """Standardised observations clipped to ``±stats.clip``; while no batch has been merged
  (or none is, without normalisation), the observations themselves, clipped."""
  var = jnp.where(stats.count > 0, stats.m2 / jnp.maximum(stats.count, 1.0), 1.0)
  out = (obs - stats.mean) / jnp.sqrt(var + 1e-8)
  return jnp.clip(out, -stats.clip, stats.clip) if math.isfinite(stats.clip) else out

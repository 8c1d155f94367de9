"""Measurement helpers shared by the benchmarks: peak memory and raw env throughput."""
from __future__ import annotations

import os
import time

import jax
import jax.numpy as jnp

from pgkit.training import xla_options


def reset_peak_rss() -> None:
  """Resets the kernel's peak-RSS mark of this process (Linux ``clear_refs`` value 5)."""
  try:
    with open(f"/proc/{os.getpid()}/clear_refs", "w") as f:
      f.write("5")
  except OSError:
    pass


def peak_rss_mb() -> float:
  """Peak resident memory of this process since the last ``reset_peak_rss``, in MiB."""
  try:
    with open(f"/proc/{os.getpid()}/status") as f:
      for line in f:
        if line.startswith("VmHWM:"):
          return int(line.split()[1]) / 1024.0
  except OSError:
    pass
  import resource
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def raw_env_steps_per_s(env, num_envs: int, length: int = 200, repeats: int = 3) -> float:
  """Steps/s of ``num_envs`` envs stepping uniform random actions under ``lax.scan`` (no
  policy, no learning): the ceiling no trainer on this env and batch can pass."""

  @xla_options.jit
  def run(key):
    state = jax.vmap(env.reset)(jax.random.split(key, num_envs))

    def one(carry, k):
      if env.discrete:
        action = jax.random.randint(k, (num_envs,), 0, env.num_actions)
      else:
        action = jax.random.uniform(k, (num_envs, env.action_size), minval=-1.0, maxval=1.0)
      return jax.vmap(env.step)(carry, action), None

    state, _ = jax.lax.scan(one, state, jax.random.split(key, length))
    # Depend on the physics (a constant reward alone would let XLA drop the simulation).
    return jnp.sum(state.observation) + jnp.sum(state.reward)

  jax.block_until_ready(run(jax.random.PRNGKey(0)))  # compile
  best = 0.0
  for i in range(repeats):
    start = time.perf_counter()
    jax.block_until_ready(run(jax.random.PRNGKey(i + 1)))
    best = max(best, num_envs * length / (time.perf_counter() - start))
  return best

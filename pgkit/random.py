"""Random permutations drawn with one call of the key's random bits."""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import Array


def permutations(key: Array, count: int, n: int) -> Array:
  """``[count, n]``: ``count`` independent uniformly random permutations of ``0 … n−1``.

  Each row sorts the indices by 64 random bits (two 32-bit words, compared lexicographically),
  so two indices tie with probability about n²/2⁶⁵. ``jax.random.permutation`` instead sorts in
  rounds, each drawing its own key split and bits, and every call site compiles its own
  threefry loops and sorts: vmapped over epochs for the policy's and the critic's minibatches
  they were ~0.6 MB of the 7.4 MB of code XLA generated for ``ppo_clip``'s training step
  (examples/benchmarks/RESULTS.md, "Compile time at Brax's level"); here one draw and one sort
  serve every row.
  """
  hi, lo = jax.random.bits(key, (2, count, n))
  index = jnp.broadcast_to(jnp.arange(n, dtype=jnp.int32), (count, n))
  return jax.lax.sort((hi, lo, index), dimension=1, num_keys=2)[2]

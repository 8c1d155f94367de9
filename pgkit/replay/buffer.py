"""A JAX-native, fixed-capacity FIFO replay buffer of fixed-length sequences.

The buffer is a ring over ``capacity`` slots. Each slot holds one *item*, a pytree shaped like
the ``example`` given to :func:`init` (for MPO, an ``envs.Transition`` of ``T`` consecutive
steps of one environment, behaviour log-probs and the true next observation included: the input
of Retrace). All storage is allocated once by
:func:`init`; :func:`insert` and :func:`sample` are pure functions of a NamedTuple state with
static shapes, so they run under ``jax.jit``, ``jax.vmap`` (one buffer per seed or
hyperparameter setting) and inside ``lax.scan``.

Insertion writes a batch of ``B`` items at slots ``(next + i) mod capacity``, overwriting the
oldest items once the buffer is full. Sampling draws slots uniformly with replacement from the
``size`` filled ones, as in the experience replay of Mnih et al. 2013, "Playing Atari with Deep Reinforcement
Learning", arXiv:1312.5602.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

Array = jax.Array


class ReplayState(NamedTuple):
  """Storage (pytree with a leading ``[capacity]`` axis), next write slot and fill level."""

  data: Any
  next_index: Array
  size: Array


def _capacity(state: ReplayState) -> int:
  return jax.tree_util.tree_leaves(state.data)[0].shape[0]


def init(example: Any, capacity: int) -> ReplayState:
  """Allocates an empty buffer of ``capacity`` items shaped and typed like ``example``."""
  if not isinstance(capacity, (int, np.integer)) or capacity < 1:
    raise ValueError(f"replay capacity must be a positive int, got {capacity!r}")
  data = jax.tree_util.tree_map(
      lambda x: jnp.zeros((capacity,) + jnp.shape(x), jnp.asarray(x).dtype), example)
  return ReplayState(data, jnp.zeros((), jnp.int32), jnp.zeros((), jnp.int32))


def insert(state: ReplayState, items: Any) -> ReplayState:
  """Writes a batch of items (leading axis ``B ≤ capacity``) over the oldest slots."""
  capacity = _capacity(state)
  batch = jax.tree_util.tree_leaves(items)[0].shape[0]
  if batch > capacity:
    raise ValueError(f"cannot insert {batch} items into a replay buffer of capacity {capacity}")
  slots = (state.next_index + jnp.arange(batch, dtype=jnp.int32)) % capacity
  data = jax.tree_util.tree_map(lambda buf, x: buf.at[slots].set(x.astype(buf.dtype)),
                                state.data, items)
  return ReplayState(data, (state.next_index + batch) % capacity,
                     jnp.minimum(state.size + batch, capacity))


def sample(state: ReplayState, key: Array, batch_size: int) -> Any:
  """Draws ``batch_size`` items uniformly with replacement from the filled slots.

  The buffer must hold at least one item; the trainer guarantees this with a warm-up phase
  (sampling an empty buffer returns slot 0, the zeros written by :func:`init`).
  """
  slots = jax.random.randint(key, (batch_size,), 0, jnp.maximum(state.size, 1))
  return jax.tree_util.tree_map(lambda buf: buf[slots], state.data)


def bytes_per_item(state_or_example: Any) -> int:
  """Bytes one stored item takes (a ``ReplayState`` or one example item)."""
  if isinstance(state_or_example, ReplayState):
    leaves = jax.tree_util.tree_leaves(state_or_example.data)
    return sum(x.dtype.itemsize * math.prod(x.shape[1:]) for x in leaves)
  leaves = jax.tree_util.tree_leaves(state_or_example)
  return sum(jnp.asarray(x).dtype.itemsize * math.prod(jnp.shape(x)) for x in leaves)


def bytes_per_transition(state_or_example: Any, sequence_length: int) -> float:
  """Bytes per stored environment transition: item bytes divided by the sequence length."""
  return bytes_per_item(state_or_example) / sequence_length

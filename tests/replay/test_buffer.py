import jax
import jax.numpy as jnp
import numpy as np
import pytest

from typing import NamedTuple

from pgkit import replay


class Sequence(NamedTuple):   # the fields of envs.Transition, [T, ...]
  observation: jax.Array
  action: jax.Array
  reward: jax.Array
  termination: jax.Array
  truncation: jax.Array
  next_observation: jax.Array
  behaviour_log_prob: jax.Array


def _example(t=3):
  return Sequence(jnp.zeros((t, 4)), jnp.zeros((t, 1)), jnp.zeros(t), jnp.zeros(t),
                         jnp.zeros(t), jnp.zeros((t, 4)), jnp.zeros(t))


def _items(start, b, t=3):
  base = jnp.arange(start, start + b, dtype=jnp.float32)[:, None]
  ex = _example(t)
  return jax.tree_util.tree_map(
      lambda x: jnp.broadcast_to(base.reshape((b,) + (1,) * x.ndim), (b,) + x.shape), ex)


def test_insert_sample_values_and_wraparound():
  state = replay.init(_example(), capacity=5)
  assert int(state.size) == 0
  state = replay.insert(state, _items(0, 3))
  assert int(state.size) == 3 and int(state.next_index) == 3
  np.testing.assert_array_equal(state.data.reward[:, 0], [0, 1, 2, 0, 0])
  state = replay.insert(state, _items(3, 4))      # wraps: slots 3, 4, 0, 1
  assert int(state.size) == 5 and int(state.next_index) == 2
  np.testing.assert_array_equal(state.data.reward[:, 0], [5, 6, 2, 3, 4])
  np.testing.assert_array_equal(state.data.observation[:, 1, 2], [5, 6, 2, 3, 4])
  batch = replay.sample(state, jax.random.PRNGKey(0), 200)
  assert batch.observation.shape == (200, 3, 4)
  assert set(np.asarray(batch.reward[:, 0]).tolist()) == {2.0, 3.0, 4.0, 5.0, 6.0}
  # Items stay whole: every field of a sampled item comes from the same insert.
  np.testing.assert_array_equal(batch.action[:, 0, 0], batch.behaviour_log_prob[:, 2])


def test_sample_only_filled_slots():
  state = replay.insert(replay.init(_example(), 10), _items(7, 2))
  batch = replay.sample(state, jax.random.PRNGKey(1), 100)
  assert set(np.asarray(batch.reward[:, 0]).tolist()) == {7.0, 8.0}


def test_jit_vmap_scan_stable():
  def run(key):
    state = replay.init(_example(), 4)
    def body(s, i):
      s = replay.insert(s, _items(0, 3))
      return s, replay.sample(s, jax.random.fold_in(key, i), 2).reward.sum()
    return jax.lax.scan(body, state, jnp.arange(5))
  state, _ = jax.jit(jax.vmap(run))(jax.random.split(jax.random.PRNGKey(0), 2))
  assert state.data.observation.shape == (2, 4, 3, 4)
  assert state.size.dtype == jnp.int32
  np.testing.assert_array_equal(state.size, [4, 4])
  np.testing.assert_array_equal(state.next_index, [15 % 4] * 2)


def test_bytes_per_transition():
  state = replay.init(_example(t=8), 16)
  # obs 4 + action 1 + reward + termination + truncation + next_obs 4 + log-prob = 13 float32.
  assert replay.bytes_per_item(state) == 8 * 13 * 4
  assert replay.bytes_per_transition(state, 8) == 52.0
  assert replay.bytes_per_transition(_example(t=8), 8) == 52.0


def test_bad_inputs():
  with pytest.raises(ValueError, match="capacity"):
    replay.init(_example(), 0)
  with pytest.raises(ValueError, match="capacity"):
    replay.insert(replay.init(_example(), 2), _items(0, 3))

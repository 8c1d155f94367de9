"""The on-policy step: early stop inside lax.scan, duals stepping, state stable through scan."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests.training.test_vmap import TINY
from pgkit.training import HParams, make_trainer


@pytest.fixture(scope="module")
def step():
  trainer = make_trainer(TINY)
  return trainer, jax.jit(trainer.step)


def test_target_kl_stops_the_remaining_updates(step):
  trainer, fn = step
  key = jax.random.PRNGKey(0)
  n = TINY.epochs * TINY.minibatches
  state = trainer.init(key, HParams())
  free, m_free = fn(state, HParams())
  stopped, m_stop = fn(state, HParams(target_kl=1e-12))
  # The first update starts at θ_old (KL = 0) and is applied; every later one sees KL > 1e-12.
  np.testing.assert_allclose(m_free["update_applied"], 1.0)
  np.testing.assert_allclose(m_stop["update_applied"], 1.0 / n)
  assert float(m_stop["kl"]) < float(m_free["kl"])
  # The masked updates leave the optimizer state as after one update: Adam's count is 1.
  counts = [x for x in jax.tree.leaves(stopped.policy_opt_state) if x.dtype == jnp.int32]
  assert counts and all(int(c) == 1 for c in counts)


def test_state_structure_and_dtypes_stable_through_steps(step):
  trainer, fn = step
  state = trainer.init(jax.random.PRNGKey(1), HParams())
  new, metrics = fn(state, HParams())
  a = jax.tree.map(lambda x: (x.shape, x.dtype), state)
  b = jax.tree.map(lambda x: (x.shape, x.dtype), new)
  assert jax.tree.structure(a) == jax.tree.structure(b)
  assert jax.tree.leaves(a) == jax.tree.leaves(b)
  assert int(new.iteration) == 1
  assert all(np.isfinite(float(v)) for v in metrics.values())

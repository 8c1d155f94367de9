"""pgkit.precondition.clip_by_global_norm against optax's and hand-derived values."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from pgkit.precondition import clip_by_global_norm


def _tree(key):
  k1, k2 = jax.random.split(key)
  return {"w": jax.random.normal(k1, (5, 3)), "b": 3.0 * jax.random.normal(k2, (3,))}


def test_hand_derived():
  """g = ([3], [4]): ‖g‖ = 5; c = 1 scales by 1/5 to (0.6, 0.8); c = 10 leaves g."""
  g = {"a": jnp.array([3.0]), "b": jnp.array([4.0])}
  out, _ = clip_by_global_norm(1.0).update(g, clip_by_global_norm(1.0).init(g))
  np.testing.assert_allclose([out["a"][0], out["b"][0]], [0.6, 0.8], rtol=1e-6)
  out, _ = clip_by_global_norm(10.0).update(g, ())
  np.testing.assert_array_equal(out["a"], g["a"])


@pytest.mark.parametrize("max_norm", [0.5, 2.0, 100.0, float("inf")])
def test_equals_optax(max_norm):
  g = _tree(jax.random.PRNGKey(0))
  ours, _ = jax.jit(lambda t, c: clip_by_global_norm(c).update(t, ()))(g, max_norm)
  ref, _ = optax.clip_by_global_norm(max_norm).update(g, optax.EmptyState())
  for k in g:
    np.testing.assert_allclose(ours[k], ref[k], rtol=1e-6)
  assert float(optax.tree.norm(ours)) <= max_norm * (1 + 1e-6)


def test_zero_gradient_stays_zero():
  g = {"a": jnp.zeros(3)}
  out, _ = clip_by_global_norm(1.0).update(g, ())
  np.testing.assert_array_equal(out["a"], 0.0)

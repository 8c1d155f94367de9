import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import duals


def test_dual_ascent_hand_values():
  u = duals.adaptive_kl_dual_ascent(target_kl=0.01, learning_rate=10.0, init_beta=1.0)
  s = u.init()
  s = u.update(s, kl=0.03)  # 1 + 10·(0.03 − 0.01) = 1.2
  np.testing.assert_allclose(u.values(s)["beta"], 1.2, rtol=1e-6)
  s = u.update(s, kl=0.0)  # 1.2 + 10·(−0.01) = 1.1
  np.testing.assert_allclose(u.values(s)["beta"], 1.1, rtol=1e-6)
  s = u.update(s, kl=-1.0)  # projected: max(0, 1.1 − 10.1) = 0
  assert float(u.values(s)["beta"]) == 0.0


def test_multiplicative_rule_hand_values():
  u = duals.adaptive_kl_multiplicative(target_kl=0.01, init_beta=1.0)
  s = u.init()
  s = u.update(s, kl=0.016)  # > 1.5·0.01 -> ×2
  assert float(u.values(s)["beta"]) == 2.0
  s = u.update(s, kl=0.012)  # inside [ε/1.5, 1.5ε] -> unchanged
  assert float(u.values(s)["beta"]) == 2.0
  s = u.update(s, kl=0.006)  # < 0.01/1.5 = 0.00667 -> ÷2
  assert float(u.values(s)["beta"]) == 1.0


def test_chain_rejects_duplicates_and_merges_values():
  a = duals.lagrange_multiplier("alpha_mean", 0.1, 1.0, statistic="kl_mean")
  b = duals.lagrange_multiplier("alpha_cov", 0.01, 1.0, statistic="kl_cov")
  c = duals.chain(a, b)
  s = c.update(c.init(), kl_mean=0.3, kl_cov=0.0, unused=5.0)
  vals = c.values(s)
  np.testing.assert_allclose(vals["alpha_mean"], 1.2, rtol=1e-6)
  np.testing.assert_allclose(vals["alpha_cov"], 0.99, rtol=1e-6)
  with pytest.raises(ValueError, match="twice"):
    duals.chain(a, a)
  with pytest.raises(ValueError, match="kl_mean"):
    a.update(a.init(), kl=0.1)


def test_duals_scan_and_vmap_with_traced_hyperparameters():
  def run(target, lr):
    u = duals.adaptive_kl_dual_ascent(target, lr, 1.0)
    s, _ = jax.lax.scan(lambda s, kl: (u.update(s, kl=kl), None), u.init(), jnp.full(5, 0.02))
    return u.values(s)["beta"]

  out = jax.jit(jax.vmap(run))(jnp.array([0.01, 0.03]), jnp.array([1.0, 2.0]))
  np.testing.assert_allclose(out, [1.0 + 5 * 0.01, 1.0 - 5 * 2 * 0.01], rtol=1e-5)
  assert out.dtype == jnp.float32

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import rlax

from pgkit.returns.retrace import retrace_targets


def _random(key, t=7):
  k = jax.random.split(key, 5)
  q = jax.random.normal(k[0], (t,))
  v = jax.random.normal(k[1], (t,))
  r = jax.random.normal(k[2], (t,))
  disc = 0.9 * (jax.random.uniform(k[3], (t,)) > 0.2)
  log_rho = 0.5 * jax.random.normal(k[4], (t,))
  return q, v, r, disc, log_rho


@pytest.mark.parametrize("lam", [1.0, 0.7])
def test_matches_rlax_retrace_continuous(lam):
  q, v, r, disc, log_rho = _random(jax.random.PRNGKey(0))
  ours = retrace_targets(q, v, r, disc, log_rho, lam)
  # rlax: q_tm1 = Q at 0..T-1, q_t/log_rhos at 1..T-1, v_t/r_t/discount_t one step shifted.
  err = rlax.retrace_continuous(q, q[1:], v, r, disc, log_rho[1:], lam)
  np.testing.assert_allclose(ours, err + q, rtol=1e-5, atol=1e-5)


def test_hand_derived_truncated_and_episode_end():
  # T = 3, γ = 0.5, λ = 1, ratios (·, 2, 0.5) -> c = (·, 1, 0.5).
  q = jnp.array([1.0, 2.0, 3.0])
  v = jnp.array([10.0, 20.0, 30.0])
  r = jnp.array([1.0, 1.0, 1.0])
  d = jnp.array([0.5, 0.5, 0.5])
  lr = jnp.log(jnp.array([1.0, 2.0, 0.5]))
  # Full: G2 = 1 + .5*30 = 16; G1 = 1 + .5*(20 + .5*(16-3)) = 14.25; G0 = 1 + .5*(10 + 1*(14.25-2)) = 12.125
  np.testing.assert_allclose(retrace_targets(q, v, r, d, lr), [12.125, 14.25, 16.0])
  # n = 1: one-step targets r + d v.
  np.testing.assert_allclose(retrace_targets(q, v, r, d, lr, n_steps=1), [6.0, 11.0, 16.0])
  # n = 2: G0 = 1 + .5*(10 + (11 - 2)) = 10.5; G1 = full G1 (horizon reaches the end).
  np.testing.assert_allclose(retrace_targets(q, v, r, d, lr, n_steps=2), [10.5, 14.25, 16.0])
  # Episode ended (truncated) after step 0: bootstrap V(s'_0), no trace into step 1.
  cont = jnp.array([0.0, 1.0, 1.0])
  np.testing.assert_allclose(retrace_targets(q, v, r, d, lr, continuation_t=cont),
                             [6.0, 14.25, 16.0])
  # Terminal after step 1: discount 0 drops V and the trace.
  d_term = jnp.array([0.5, 0.0, 0.5])
  np.testing.assert_allclose(retrace_targets(q, v, r, d_term, lr), [1 + .5 * (10 + (1 - 2)), 1.0, 16.0])


def test_n_steps_at_least_length_equals_full():
  args = _random(jax.random.PRNGKey(1))
  np.testing.assert_allclose(retrace_targets(*args, 0.9, n_steps=7),
                             retrace_targets(*args, 0.9), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(retrace_targets(*args, 0.9, n_steps=50),
                             retrace_targets(*args, 0.9), rtol=1e-5, atol=1e-5)


def test_n_step_against_explicit_sum():
  q, v, r, d, lr = _random(jax.random.PRNGKey(2), t=6)
  cont = jnp.array([1.0, 1.0, 0.0, 1.0, 1.0, 1.0])
  lam, n = 0.8, 3
  c = lam * np.minimum(1.0, np.exp(lr))
  delta = r + d * v - q
  want = []
  for t in range(6):
    g, trace = float(q[t]), 1.0
    for j in range(t, min(t + n, 6)):
      if j > t:
        trace *= float(d[j - 1] * cont[j - 1] * c[j])
      g += trace * float(delta[j])
    want.append(g)
  got = retrace_targets(q, v, r, d, lr, lam, cont, n_steps=n)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_jit_vmap_traced_lambda_and_no_gradient():
  args = jax.vmap(_random)(jax.random.split(jax.random.PRNGKey(3), 4))
  lams = jnp.array([0.0, 0.5, 0.9, 1.0])
  f = jax.jit(jax.vmap(lambda a, lam: retrace_targets(*a, lam, n_steps=3)))
  out = f(args, lams)
  assert out.shape == (4, 7)
  g = jax.grad(lambda q: retrace_targets(q, *args_single[1:]).sum())
  args_single = _random(jax.random.PRNGKey(4))
  assert np.all(g(args_single[0]) == 0)


def test_bad_n_steps():
  with pytest.raises(ValueError, match="n_steps"):
    retrace_targets(*_random(jax.random.PRNGKey(0)), n_steps=0)

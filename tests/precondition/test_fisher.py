"""Fisher-vector products: the KL Hessian against hand-derived and Monte Carlo references."""
import distrax
import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from pgkit.precondition import (empirical_fisher_vector_product, fisher_vector_product,
                                kl_hessian_vector_product)

SIGMA = jnp.array([0.5, 1.5])


def _linear_gaussian(num_states=64, obs_size=3, seed=0):
  """π_W(a|s) = N(W s, diag σ²) with a fixed σ; parameters are W only."""
  k_w, k_s = jax.random.split(jax.random.PRNGKey(seed))
  w = jax.random.normal(k_w, (SIGMA.size, obs_size))
  states = jax.random.normal(k_s, (num_states, obs_size))
  apply = lambda w_, s: distrax.MultivariateNormalDiag(s @ w_.T, jnp.broadcast_to(SIGMA, (
      s.shape[0], SIGMA.size)))
  return w, states, apply


def _dense(fvp, dim, unravel):
  basis = jnp.eye(dim)
  return jax.vmap(lambda e: ravel_pytree(fvp(unravel(e)))[0])(basis)


def test_kl_hessian_of_linear_gaussian_matches_closed_form():
  w, states, apply = _linear_gaussian()
  old = apply(w, states)
  kl_fn = lambda w_: jnp.mean(old.kl_divergence(apply(w_, states)))
  flat, unravel = ravel_pytree(w)
  got = _dense(kl_hessian_vector_product(kl_fn, w), flat.size, unravel)
  # F[(i,j),(k,l)] = δ_ik E[s_j s_l] / σ_i² (row-major flattening of W[i, j]).
  second_moment = states.T @ states / states.shape[0]
  expected = jnp.kron(jnp.diag(1.0 / SIGMA**2), second_moment)
  np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_kl_hessian_matches_monte_carlo_empirical_fisher():
  w, states, apply = _linear_gaussian()
  old = apply(w, states)
  kl_fn = lambda w_: jnp.mean(old.kl_divergence(apply(w_, states)))
  per_state = 8192
  actions = old.sample(seed=jax.random.PRNGKey(3), sample_shape=(per_state,))  # [M, N, A]
  log_prob_fn = lambda w_: apply(w_, states).log_prob(actions)                # [M, N]
  flat, unravel = ravel_pytree(w)
  kl_fisher = _dense(kl_hessian_vector_product(kl_fn, w), flat.size, unravel)
  mc_fisher = _dense(empirical_fisher_vector_product(log_prob_fn, w), flat.size, unravel)
  # Tolerance: the empirical Fisher averages M·N = 524288 score outer products. Each entry is
  # a mean of terms like (ε_i ε_k)(s_j s_l)/(σ_i σ_k), ε ~ N(0, 1), with an O(1) relative
  # standard deviation, so each entry is off by ~1/sqrt(524288) ≈ 0.14% times a constant and
  # the Frobenius error over the 36 entries is ~0.5% (measured 0.3-0.6% over six sampling
  # seeds). 3% is ~6x that noise, and still catches a wrong factor, a transpose or a missing
  # 1/σ² (each of which is off by >= 30% here).
  rel = jnp.linalg.norm(mc_fisher - kl_fisher) / jnp.linalg.norm(kl_fisher)
  assert rel < 0.03, rel


def test_empirical_fisher_vector_product_matches_dense_jacobian(problem):
  jac = jax.jacobian(lambda f: problem.log_prob_fn(problem.unravel(f)))(problem.flat)  # [N, P]
  v = jax.random.normal(jax.random.PRNGKey(2), problem.flat.shape)
  fvp = empirical_fisher_vector_product(problem.log_prob_fn, problem.params, damping=0.2)
  got, _ = ravel_pytree(fvp(problem.unravel(v)))
  expected = jac.T @ (jac @ v) / jac.shape[0] + 0.2 * v
  np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_fisher_vector_product_dispatch_errors(problem):
  import pytest
  with pytest.raises(ValueError, match="kl_fn"):
    fisher_vector_product("kl_hessian", problem.params)
  with pytest.raises(ValueError, match="log_prob_fn"):
    fisher_vector_product("empirical", problem.params)
  with pytest.raises(ValueError, match="fisher"):
    fisher_vector_product("gauss_newton", problem.params, kl_fn=problem.kl_fn)

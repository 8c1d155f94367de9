"""Conjugate gradient against dense solves; breakdown and masking behaviour."""
import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from pgkit.precondition import conjugate_gradient, kl_hessian_vector_product

from tests.precondition.problems import dense_fisher


def test_fisher_vector_product_matches_dense_hessian(problem):
  fisher = dense_fisher(problem)
  v = jax.random.normal(jax.random.PRNGKey(1), problem.flat.shape)
  fvp = kl_hessian_vector_product(problem.kl_fn, problem.params, damping=0.3)
  got, _ = ravel_pytree(fvp(problem.unravel(v)))
  np.testing.assert_allclose(got, fisher @ v + 0.3 * v, rtol=1e-4, atol=1e-6)


def test_cg_solution_matches_dense_solve_on_policy_fisher(problem):
  damping = 0.1
  fisher = dense_fisher(problem)
  dim = problem.flat.size
  grad = jax.grad(problem.loss_fn)(problem.params)
  g, _ = ravel_pytree(grad)
  expected = jnp.linalg.solve(fisher + damping * jnp.eye(dim), g)
  fvp = kl_hessian_vector_product(problem.kl_fn, problem.params, damping)
  result = jax.jit(lambda b: conjugate_gradient(fvp, b, iters=dim, tol=0.0))(grad)
  got, _ = ravel_pytree(result.solution)
  rel = jnp.linalg.norm(got - expected) / jnp.linalg.norm(expected)
  assert rel < 1e-4, rel
  assert not result.nonpositive_curvature
  assert result.residual_norm < 1e-4 * jnp.linalg.norm(g)


def _spd(n, seed=0):
  a = jax.random.normal(jax.random.PRNGKey(seed), (n, n))
  return a @ a.T + n * jnp.eye(n)


def test_cg_stops_early_by_masking():
  a = _spd(5)
  b = jnp.arange(1.0, 6.0)
  result = conjugate_gradient(lambda v: a @ v, b, iters=50, tol=1e-3)
  np.testing.assert_allclose(result.solution, jnp.linalg.solve(a, b), rtol=1e-4)
  assert int(result.iterations_used) <= 5  # exact after n steps, frozen afterwards
  assert result.residual_norm <= 1e-3


def test_cg_zero_rhs_returns_zero_without_iterating():
  result = conjugate_gradient(lambda v: {"w": 2.0 * v["w"]}, {"w": jnp.zeros(3)}, iters=4)
  np.testing.assert_array_equal(result.solution["w"], 0.0)
  assert int(result.iterations_used) == 0
  assert not result.nonpositive_curvature


def test_cg_flags_nonpositive_curvature_without_nan():
  a = jnp.diag(jnp.array([1.0, -1.0]))      # indefinite: b's direction has bᵀAb = 0
  b = jnp.array([1.0, 1.0])
  result = conjugate_gradient(lambda v: a @ v, b, iters=5)
  assert bool(result.nonpositive_curvature)
  assert int(result.iterations_used) == 0
  assert np.all(np.isfinite(result.solution))
  neg = conjugate_gradient(lambda v: -v, b, iters=3)  # negative definite
  assert bool(neg.nonpositive_curvature) and np.all(np.isfinite(neg.solution))


def test_cg_under_vmap_has_per_lane_results():
  a = _spd(4)
  bs = jnp.stack([jnp.zeros(4), jnp.ones(4), jnp.arange(4.0)])
  result = jax.jit(jax.vmap(lambda b: conjugate_gradient(lambda v: a @ v, b, iters=8,
                                                         tol=1e-5)))(bs)
  np.testing.assert_allclose(result.solution, jnp.linalg.solve(a, bs.T).T, rtol=1e-4,
                             atol=1e-6)
  assert int(result.iterations_used[0]) == 0 and int(result.iterations_used[1]) > 0

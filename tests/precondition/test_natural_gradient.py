"""natural_gradient and scale_to_trust_region against dense references."""
import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from pgkit.precondition import natural_gradient, scale_to_trust_region

from tests.precondition.problems import dense_fisher


def test_natural_gradient_is_damped_inverse_fisher_times_gradient(problem):
  damping = 0.1
  dim = problem.flat.size
  grad = jax.grad(problem.loss_fn)(problem.params)
  g, _ = ravel_pytree(grad)
  expected = jnp.linalg.solve(dense_fisher(problem) + damping * jnp.eye(dim), g)
  tx = natural_gradient(cg_iters=dim, damping=damping, cg_tol=0.0)
  direction, state = jax.jit(lambda g_: tx.update(g_, tx.init(problem.params), problem.params,
                                                   kl_fn=problem.kl_fn))(grad)
  got, _ = ravel_pytree(direction)
  assert jax.tree.structure(direction) == jax.tree.structure(grad)
  assert jnp.linalg.norm(got - expected) / jnp.linalg.norm(expected) < 1e-4
  # sign: preconditioned gradient, not yet a step (positive inner product with g)
  np.testing.assert_allclose(state.gradient_fisher_norm, g @ expected, rtol=1e-4)
  assert state.gradient_fisher_norm > 0
  assert not state.nonpositive_curvature
  assert int(state.iterations_used) >= 1 and state.residual_norm < 1e-4 * jnp.linalg.norm(g)


def test_empirical_natural_gradient_matches_dense_solve(problem):
  damping = 0.05
  dim = problem.flat.size
  jac = jax.jacobian(lambda f: problem.log_prob_fn(problem.unravel(f)))(problem.flat)
  fisher = jac.T @ jac / jac.shape[0]
  grad = jax.grad(problem.loss_fn)(problem.params)
  g, _ = ravel_pytree(grad)
  expected = jnp.linalg.solve(fisher + damping * jnp.eye(dim), g)
  tx = natural_gradient(cg_iters=dim, damping=damping, fisher="empirical", cg_tol=0.0)
  direction, _ = jax.jit(lambda g_: tx.update(g_, tx.init(problem.params), problem.params,
                                               log_prob_fn=problem.log_prob_fn))(grad)
  got, _ = ravel_pytree(direction)
  assert jnp.linalg.norm(got - expected) / jnp.linalg.norm(expected) < 1e-3


def test_trust_region_step_sits_on_the_quadratic_kl_boundary(problem):
  max_kl = 0.02
  fisher = dense_fisher(problem)
  direction = jax.grad(problem.loss_fn)(problem.params)
  tx = scale_to_trust_region(max_kl)
  step, state = jax.jit(lambda d: tx.update(d, tx.init(problem.params), problem.params,
                                             kl_fn=problem.kl_fn))(direction)
  s, _ = ravel_pytree(direction)
  delta, _ = ravel_pytree(step)
  np.testing.assert_allclose(0.5 * delta @ fisher @ delta, max_kl, rtol=1e-4)
  np.testing.assert_allclose(delta, -state.step_size * s, rtol=1e-6)   # a descent step
  np.testing.assert_allclose(state.curvature, s @ fisher @ s, rtol=1e-4)
  assert not state.nonpositive_curvature


def test_trust_region_guards_zero_curvature():
  params = jnp.ones(3)
  tx = scale_to_trust_region(0.01)
  step, state = tx.update(jnp.array([1.0, 2.0, 3.0]), tx.init(params), params,
                          kl_fn=lambda p: jnp.zeros(()))   # flat KL: sᵀFs = 0
  np.testing.assert_array_equal(step, 0.0)
  assert bool(state.nonpositive_curvature) and float(state.step_size) == 0.0
  step, state = tx.update(jnp.zeros(3), tx.init(params), params,
                          kl_fn=lambda p: jnp.sum(p**2))   # zero direction
  assert np.all(np.isfinite(step)) and bool(state.nonpositive_curvature)

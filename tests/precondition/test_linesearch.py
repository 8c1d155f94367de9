"""The KL line search on a real batch, with failing directions and traced radii."""
import jax
import jax.numpy as jnp
import numpy as np
import optax

from pgkit.precondition import kl_linesearch, natural_gradient, scale_to_trust_region


def _trpo(max_kl, cg_iters=10, damping=0.1):
  return optax.chain(natural_gradient(cg_iters, damping), scale_to_trust_region(max_kl),
                     kl_linesearch(max_kl, backtrack_ratio=0.8, max_steps=10))


def _step(tx, problem, grads):
  state = tx.init(problem.params)
  updates, state = tx.update(grads, state, problem.params, loss_fn=problem.loss_fn,
                             kl_fn=problem.kl_fn)
  return optax.apply_updates(problem.params, updates), state


def test_linesearch_accepts_a_step_within_the_trust_region(problem):
  max_kl = 0.01
  grads = jax.grad(problem.loss_fn)(problem.params)
  new_params, state = jax.jit(lambda g: _step(_trpo(max_kl), problem, g))(grads)
  search = state[2]
  kl, loss0, loss1 = problem.kl_fn(new_params), problem.loss_fn(problem.params), \
      problem.loss_fn(new_params)
  assert int(search.accepted_index) >= 0
  assert kl <= max_kl and loss1 < loss0
  np.testing.assert_allclose(search.kl, kl, rtol=1e-4, atol=1e-7)
  np.testing.assert_allclose(search.actual_improvement, loss0 - loss1, rtol=1e-4, atol=1e-7)
  assert search.expected_improvement > 0
  np.testing.assert_allclose(search.step_size, 0.8 ** int(search.accepted_index), rtol=1e-6)


def test_linesearch_rejects_an_ascent_direction(problem):
  grads = jax.grad(problem.loss_fn)(problem.params)
  ascent = jax.tree.map(jnp.negative, grads)   # scale_to_trust_region negates: a step up L
  tx = _trpo(0.01)
  new_params, state = jax.jit(lambda g: _step(tx, problem, g))(ascent)
  search = state[2]
  assert int(search.accepted_index) == -1
  assert float(search.step_size) == 0.0 and float(search.kl) == 0.0
  assert float(search.actual_improvement) == 0.0
  jax.tree.map(np.testing.assert_array_equal, new_params, problem.params)


def test_linesearch_rejects_a_step_that_breaks_the_kl_bound():
  params = jnp.zeros(2)
  loss_fn = lambda p: -jnp.sum(p)           # always improves along +1
  kl_fn = lambda p: 100.0 * jnp.sum(p**2)   # but the KL is far above δ for every k
  tx = kl_linesearch(max_kl=1e-6, backtrack_ratio=0.5, max_steps=3)
  step, state = tx.update(jnp.ones(2), tx.init(params), params, loss_fn=loss_fn, kl_fn=kl_fn)
  assert int(state.accepted_index) == -1
  np.testing.assert_array_equal(step, 0.0)


def test_each_vmapped_lane_respects_its_own_max_kl(problem):
  radii = jnp.array([1e-4, 1e-3, 1e-2, 5e-2])
  grads = jax.grad(problem.loss_fn)(problem.params)

  def run(max_kl):
    new_params, state = _step(_trpo(max_kl), problem, grads)
    return problem.kl_fn(new_params), state[2]

  kls, search = jax.jit(jax.vmap(run))(radii)
  assert np.all(np.asarray(search.accepted_index) >= 0)
  assert np.all(np.asarray(kls) <= np.asarray(radii))
  assert np.all(np.diff(np.asarray(kls)) > 0)   # a larger radius gives a larger step

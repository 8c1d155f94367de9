"""Properties every precondition transform must have: jit, vmap over traced hyperparameters,
unknown extra args ignored, state stable through lax.scan, clear errors on bad input."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from pgkit.precondition import (conjugate_gradient, kl_linesearch, natural_gradient,
                                scale_to_trust_region)


def _quadratic():
  """θ ∈ R³; KL = ½ θᵀDθ (θ_old = 0), loss = ½‖θ − c‖²."""
  diag = jnp.array([1.0, 4.0, 9.0])
  target = jnp.array([1.0, -1.0, 0.5])
  params = {"w": jnp.zeros(3)}
  kl_fn = lambda p: 0.5 * jnp.sum(diag * p["w"] ** 2)
  loss_fn = lambda p: 0.5 * jnp.sum((p["w"] - target) ** 2)
  log_prob_fn = lambda p: jnp.sqrt(diag) * p["w"]   # empirical Fisher = diag / 3
  return params, kl_fn, loss_fn, log_prob_fn


def _transforms(max_kl=0.05, damping=0.1):
  return {
      "natural_gradient": natural_gradient(3, damping),
      "natural_gradient_empirical": natural_gradient(3, damping, fisher="empirical"),
      "scale_to_trust_region": scale_to_trust_region(max_kl, damping),
      # the line search takes a step (not a gradient): negate the gradient first
      "kl_linesearch": optax.chain(optax.scale(-0.1), kl_linesearch(max_kl)),
      "trpo_chain": optax.chain(optax.clip_by_global_norm(10.0), natural_gradient(3, damping),
                                scale_to_trust_region(max_kl), kl_linesearch(max_kl)),
  }


def _update(tx, extra):
  params, kl_fn, loss_fn, log_prob_fn = _quadratic()
  grads = jax.grad(loss_fn)(params)
  return tx.update(grads, tx.init(params), params, kl_fn=kl_fn, loss_fn=loss_fn,
                   log_prob_fn=log_prob_fn, **extra)


@pytest.mark.parametrize("name", sorted(_transforms()))
def test_jit_matches_eager_and_ignores_unknown_extra_args(name):
  tx = _transforms()[name]
  eager, _ = _update(tx, {"unknown_extra": 1.0, "another": "ignored"})
  jitted, state = jax.jit(lambda: _update(tx, {"unknown_extra": jnp.ones(2)}))()
  np.testing.assert_allclose(jitted["w"], eager["w"], rtol=1e-5, atol=1e-7)
  assert np.all(np.isfinite(jitted["w"])) and np.any(jitted["w"] != 0)
  assert all(np.all(np.isfinite(x)) for x in jax.tree.leaves(state))


def test_vmap_over_traced_max_kl_and_damping():
  radii = jnp.array([0.002, 0.01, 0.02])    # small enough that k = 0 improves the loss
  dampings = jnp.array([0.0, 0.1, 1.0])
  params, kl_fn, loss_fn, _ = _quadratic()

  def run(max_kl, damping):
    tx = optax.chain(natural_gradient(3, damping), scale_to_trust_region(max_kl),
                     kl_linesearch(max_kl))
    updates, state = _update(tx, {})
    return kl_fn(optax.apply_updates(params, updates)), state

  kls, states = jax.jit(jax.vmap(run))(radii, dampings)
  assert np.all(np.asarray(states[2].accepted_index) >= 0)
  assert np.all(np.asarray(kls) <= np.asarray(radii) * (1 + 1e-6))
  # On a quadratic KL the trust-region step is exactly on the boundary: KL = δ at k = 0.
  np.testing.assert_allclose(kls, radii, rtol=1e-4)


def test_state_is_stable_through_lax_scan():
  params, kl_fn, loss_fn, log_prob_fn = _quadratic()
  for name, tx in _transforms().items():
    state0 = tx.init(params)

    def body(carry, _):
      p, state = carry
      grads = jax.grad(loss_fn)(p)
      updates, state = tx.update(grads, state, p, kl_fn=kl_fn, loss_fn=loss_fn,
                                 log_prob_fn=log_prob_fn)
      return (optax.apply_updates(p, updates), state), None

    (_, final), _ = jax.lax.scan(body, (params, state0), None, length=3)
    assert jax.tree.structure(final) == jax.tree.structure(state0), name
    for a, b in zip(jax.tree.leaves(final), jax.tree.leaves(state0)):
      assert a.shape == b.shape and a.dtype == b.dtype, name


def test_cg_vmaps_over_traced_damping():
  b = jnp.array([1.0, 2.0])
  dampings = jnp.array([0.0, 1.0, 3.0])
  result = jax.vmap(lambda lam: conjugate_gradient(lambda v: 2.0 * v + lam * v, b,
                                                   iters=2))(dampings)
  np.testing.assert_allclose(result.solution, b / (2.0 + dampings[:, None]), rtol=1e-6)


@pytest.mark.parametrize("make, name", [
    (lambda: natural_gradient(0), "cg_iters"),
    (lambda: natural_gradient(2.5), "cg_iters"),
    (lambda: natural_gradient(5, damping=-0.1), "damping"),
    (lambda: natural_gradient(5, fisher="hessian"), "fisher"),
    (lambda: scale_to_trust_region(0.0), "max_kl"),
    (lambda: scale_to_trust_region(-1.0), "max_kl"),
    (lambda: scale_to_trust_region(0.01, damping=-1.0), "damping"),
    (lambda: kl_linesearch(0.0), "max_kl"),
    (lambda: kl_linesearch(0.01, backtrack_ratio=1.0), "backtrack_ratio"),
    (lambda: kl_linesearch(0.01, backtrack_ratio=0.0), "backtrack_ratio"),
    (lambda: kl_linesearch(0.01, backtrack_ratio=1.5), "backtrack_ratio"),
    (lambda: kl_linesearch(0.01, max_steps=0), "max_steps"),
    (lambda: kl_linesearch(jnp.array(float("nan"))), "max_kl"),
    (lambda: conjugate_gradient(lambda v: v, jnp.ones(2), iters=0), "cg_iters"),
])
def test_invalid_concrete_hyperparameters_raise_value_error(make, name):
  with pytest.raises(ValueError, match=name):
    make()


def test_traced_hyperparameters_skip_validation():
  # A traced negative value cannot be checked at trace time and must not raise there.
  jax.jit(lambda d: natural_gradient(2, damping=d).init(jnp.zeros(2)))(jnp.array(-1.0))
  jax.jit(lambda r: kl_linesearch(0.01, backtrack_ratio=r).init(jnp.zeros(2)))(jnp.array(2.0))


def test_missing_required_extra_args_raise_value_error():
  params = jnp.zeros(2)
  for tx, missing in [(natural_gradient(2), "kl_fn"), (scale_to_trust_region(0.1), "kl_fn"),
                      (kl_linesearch(0.1), "loss_fn")]:
    with pytest.raises(ValueError, match=missing):
      tx.update(jnp.ones(2), tx.init(params), params)
  with pytest.raises(ValueError, match="params"):
    natural_gradient(2).update(jnp.ones(2), None, None, kl_fn=lambda p: 0.0)

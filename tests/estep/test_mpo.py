import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import rlax
import scipy.optimize
import scipy.special

from pgkit import estep

N, B, EPS = 16, 32, 0.1


def _q(seed=0):
  return 2.0 * jax.random.normal(jax.random.PRNGKey(seed), (N, B))


def _solve(reweighter, stat, values, steps=3000):
  def body(s, _):
    return reweighter.update(s, **{stat: values}), None
  state, _ = jax.lax.scan(body, reweighter.init(), None, length=steps)
  return state


def test_mpo_matches_rlax():
  q = _q()
  r = estep.mpo(EPS, N)
  for eta in (0.3, 1.0, 4.0):
    raw = estep.inverse_temperature(eta)
    state = r.init()._replace(raw=raw)
    w, _ = r.weights(state, q)
    loss, w_ref, _ = rlax.mpo_compute_weights_and_temperature_loss(
        q, rlax.LagrangePenalty(raw, jnp.asarray(EPS)), estep.temperature)
    np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(r.dual_loss(estep.temperature(raw), q), jnp.mean(loss),
                               rtol=1e-5)
    np.testing.assert_allclose(w.sum(0), 1.0, rtol=1e-5)


def _g_numpy(eta, q, eps):
  q = np.asarray(q, np.float64)
  return eta * eps + eta * np.mean(scipy.special.logsumexp(q / eta, axis=0) - np.log(q.shape[0]))


def test_mpo_temperature_matches_scipy_and_kl_equals_epsilon():
  q = _q(1)
  ref = scipy.optimize.minimize_scalar(lambda e: _g_numpy(e, q, EPS), bounds=(1e-3, 100.0),
                                       method="bounded", options={"xatol": 1e-9}).x
  r = estep.mpo(EPS, N, optimizer=optax.adam(optax.cosine_decay_schedule(0.05, 3000)))
  state = jax.jit(lambda: _solve(r, "q_values", q))()
  eta = float(r.values(state)["eta"])
  assert abs(eta - ref) / ref < 1e-3, (eta, ref)
  _, metrics = r.weights(state, q)
  assert abs(float(metrics["kl_q_pi"]) - EPS) < 1e-3
  # At scipy's η exactly, too.
  _, m_ref = r.weights(state._replace(raw=estep.inverse_temperature(ref)), q)
  assert abs(float(m_ref["kl_q_pi"]) - EPS) < 1e-3


def test_vmpo_matches_rlax_and_scipy():
  adv = 2.0 * jax.random.normal(jax.random.PRNGKey(2), (64,))
  r = estep.vmpo(0.5, EPS)
  raw = estep.inverse_temperature(0.7)
  w, metrics = r.weights(r.init()._replace(raw=raw), adv)
  ones = jnp.ones_like(adv)
  loss, w_ref, _ = rlax.vmpo_compute_weights_and_temperature_loss(
      adv, ones, ones, rlax.LagrangePenalty(raw, jnp.asarray(EPS)), estep.temperature, 0.5)
  np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-7)
  np.testing.assert_allclose(r.dual_loss(jnp.asarray(0.7), adv), loss, rtol=1e-4)
  assert int(jnp.sum(w > 0)) == 32
  top = np.sort(np.asarray(adv, np.float64))[-32:]
  g = lambda e: e * EPS + e * (scipy.special.logsumexp(top / e) - np.log(32))
  ref = scipy.optimize.minimize_scalar(g, bounds=(1e-3, 100.0), method="bounded",
                                       options={"xatol": 1e-9}).x
  r = estep.vmpo(0.5, EPS, optimizer=optax.adam(optax.cosine_decay_schedule(0.05, 3000)))
  state = jax.jit(lambda: _solve(r, "advantages", adv))()
  eta = float(r.values(state)["eta"])
  assert abs(eta - ref) / ref < 1e-3, (eta, ref)
  assert abs(float(r.weights(state, adv)[1]["kl_q_pi"]) - EPS) < 1e-3


def test_gradient_semantics():
  q = _q(3)
  r = estep.mpo(EPS, N)
  state = r.init()
  # The dual loss moves only η: no gradient reaches the Q values.
  gq = jax.grad(lambda q: r.dual_loss(jnp.asarray(1.3), q))(q)
  assert np.all(gq == 0)
  assert jax.grad(lambda e: r.dual_loss(e, q))(jnp.asarray(1.3)) != 0
  # The weights are constants for the M-step: no gradient to η or Q through them.
  gw_q = jax.grad(lambda q: jnp.sum(r.weights(state, q)[0] * jnp.arange(N)[:, None]))(q)
  assert np.all(gw_q == 0)
  gw_raw = jax.grad(lambda raw: jnp.sum(
      r.weights(state._replace(raw=raw), q)[0] * jnp.arange(N)[:, None]))(state.raw)
  assert gw_raw == 0


def test_jit_vmap_traced_hyperparameters_scan_and_extra_args():
  q = _q(4)

  def run(eps, lr):
    r = estep.mpo(eps, N, learning_rate=lr)
    state = r.init()
    def body(s, _):
      s = r.update(s, q_values=q, kl=1.0, unused=None)
      return s, r.weights(s, q)[1]["kl_q_pi"]
    return jax.lax.scan(body, state, None, length=5)

  states, kls = jax.jit(jax.vmap(run))(jnp.array([0.05, 0.5]), jnp.array([1e-2, 1e-1]))
  assert kls.shape == (2, 5)
  init = estep.mpo(0.1, N).init()
  for a, b in zip(jax.tree_util.tree_leaves(states), jax.tree_util.tree_leaves(init)):
    assert a.shape[1:] == b.shape and a.dtype == b.dtype
  # vmpo under jit and vmap, traced epsilon.
  adv = jax.random.normal(jax.random.PRNGKey(5), (2, 40))
  def vmpo_weights(a, e):
    r = estep.vmpo(0.25, e)
    return r.weights(r.update(r.init(), advantages=a), a)[0]
  w = jax.jit(jax.vmap(vmpo_weights))(adv, jnp.array([0.1, 0.2]))
  assert w.shape == (2, 40)
  np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)


def test_bad_inputs_name_the_parameter():
  with pytest.raises(ValueError, match="epsilon"):
    estep.mpo(0.0, 4)
  with pytest.raises(ValueError, match="epsilon"):
    estep.vmpo(0.5, -1.0)
  with pytest.raises(ValueError, match="num_action_samples"):
    estep.mpo(0.1, 0)
  for f in (0.0, 1.5, -0.1):
    with pytest.raises(ValueError, match="top_k_fraction"):
      estep.vmpo(f, 0.1)
  with pytest.raises(ValueError, match="num_action_samples"):
    r = estep.mpo(0.1, 4)
    r.weights(r.init(), jnp.zeros((5, 3)))
  with pytest.raises(ValueError, match="q_values"):
    r = estep.mpo(0.1, 4)
    r.update(r.init(), advantages=jnp.zeros((4, 3)))


def test_reweighter_chains_with_dual_updaters():
  from pgkit import duals
  r = estep.mpo(EPS, N)
  chained = duals.chain(r, duals.lagrange_multiplier("alpha_mean", 0.01, 1.0, 1.0, "kl_mean"))
  assert chained.names == ("eta", "alpha_mean")
  state = chained.update(chained.init(), q_values=_q(6), kl_mean=jnp.asarray(0.02), kl=0.0)
  values = chained.values(state)
  np.testing.assert_allclose(values["alpha_mean"], 1.01, rtol=1e-6)
  assert values["eta"] != 1.0
  with pytest.raises(ValueError, match="eta"):
    duals.chain(r, estep.vmpo(0.5, EPS))

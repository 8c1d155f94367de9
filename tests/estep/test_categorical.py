"""The categorical E-step against a hand-computed softmax and a scipy-minimised dual."""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.optimize
import scipy.special

from pgkit import estep

A, B, EPS = 3, 8, 0.05


def _values(seed=0):
  k_q, k_p = jax.random.split(jax.random.PRNGKey(seed))
  q = 2.0 * jax.random.normal(k_q, (A, B))
  log_prior = jax.nn.log_softmax(jax.random.normal(k_p, (A, B)), axis=0)
  return estep.ActionValues(q, log_prior)


def test_weights_are_prior_times_exp_q_over_eta_by_hand():
  # One state, π_old = (0.5, 0.3, 0.2), Q = (1, 0, −1), η = 0.5:
  # q ∝ (0.5 e², 0.3 e⁰, 0.2 e⁻²) = (3.69453, 0.3, 0.02707); sum 4.02160;
  # q = (0.918672, 0.074597, 0.006731).
  values = estep.ActionValues(jnp.array([[1.0], [0.0], [-1.0]]),
                              jnp.log(jnp.array([[0.5], [0.3], [0.2]])))
  r = estep.categorical_mpo(EPS)
  state = r.init()._replace(raw=estep.inverse_temperature(0.5))
  w, metrics = r.weights(state, values)
  np.testing.assert_allclose(w[:, 0], [0.918672, 0.074597, 0.006731], atol=2e-6)
  # KL(q‖π_old) = Σ q log(q/π_old), summed by hand from the q above.
  kl = sum(q * np.log(q / p) for q, p in zip([0.918672, 0.074597, 0.006731], [0.5, 0.3, 0.2]))
  np.testing.assert_allclose(metrics["kl_q_pi"], kl, rtol=1e-4)


def _g_numpy(eta, v, eps):
  z = np.asarray(v.log_prior, np.float64) + np.asarray(v.q_values, np.float64) / eta
  return eta * eps + eta * np.mean(scipy.special.logsumexp(z, axis=0))


def test_temperature_matches_scipy_and_kl_equals_epsilon():
  v = _values(1)
  ref = scipy.optimize.minimize_scalar(lambda e: _g_numpy(e, v, EPS), bounds=(1e-3, 100.0),
                                       method="bounded", options={"xatol": 1e-9}).x
  r = estep.categorical_mpo(EPS, optimizer=optax.adam(optax.cosine_decay_schedule(0.05, 3000)))
  state, _ = jax.jit(lambda: jax.lax.scan(lambda s, _: (r.update(s, q_values=v), None),
                                          r.init(), None, length=3000))()
  eta = float(r.values(state)["eta"])
  assert abs(eta - ref) / ref < 1e-3, (eta, ref)
  np.testing.assert_allclose(r.dual_loss(jnp.asarray(ref), v), _g_numpy(ref, v, EPS), rtol=1e-5)
  w, metrics = r.weights(state, v)
  np.testing.assert_allclose(w.sum(0), 1.0, rtol=1e-5)
  # At the minimiser g'(η) = ε − mean_s KL(q_s‖π_old) = 0.
  assert abs(float(metrics["kl_q_pi"]) - EPS) < 1e-3


def test_uniform_prior_reduces_to_the_sampled_e_step():
  q = _values(2).q_values
  uniform = estep.ActionValues(q, jnp.full(q.shape, -np.log(A)))
  cat, sampled = estep.categorical_mpo(EPS), estep.mpo(EPS, A)
  w_cat, _ = cat.weights(cat.init(), uniform)
  w_s, _ = sampled.weights(sampled.init(), q)
  np.testing.assert_allclose(w_cat, w_s, rtol=1e-6)
  np.testing.assert_allclose(cat.dual_loss(0.7, uniform), sampled.dual_loss(0.7, q), rtol=1e-6)

"""MPO's categorical pieces: exact E_π Q, the E-step's proposals and the one-KL M-step."""
import distrax
import jax
import jax.numpy as jnp
import numpy as np
import optax

from pgkit import duals as duals_lib
from pgkit.algorithms import mpo_actions
from pgkit.algorithms.m_step import MStepHParams, categorical_m_step

PROBS = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]])  # [B=2, A=3]
Q = np.array([[1.0, 0.0, -1.0], [2.0, -1.0, 0.5]])  # Q[s, a]


def _q_fn(actions):  # actions [A, B] -> Q(s_b, a) [A, B]
  return jnp.asarray(Q)[jnp.arange(2), actions]


def test_expected_q_and_proposals_are_exact_sums():
  pi = distrax.Categorical(probs=jnp.asarray(PROBS))
  pieces = mpo_actions.enumerated()
  # E_π Q by hand: 0.5·1 + 0.3·0 + 0.2·(−1) = 0.3; 0.1·2 − 0.6 + 0.3·0.5 = −0.25.
  actions, values = pieces.propose(pi, _q_fn, None)
  np.testing.assert_array_equal(actions, [[0, 0], [1, 1], [2, 2]])
  np.testing.assert_allclose(values.q_values, Q.T, rtol=1e-6)
  np.testing.assert_allclose(values.log_prior, np.log(PROBS.T), rtol=1e-6)
  np.testing.assert_allclose(pieces.expected_q(values), [0.3, -0.25], rtol=1e-6)


def test_sampled_expected_q_is_the_mean_over_the_proposals_samples():
  # Q(s, a) = s·a on 3 samples in 2 states: E_π Q is the mean over the samples of each state.
  pi = distrax.MultivariateNormalDiag(jnp.array([[0.0], [1.0]]), jnp.array([[1.0], [0.5]]))
  pieces = mpo_actions.sampled(3)
  states = jnp.array([1.0, -2.0])
  actions, q_values = pieces.propose(pi, lambda a: a[..., 0] * states, jax.random.PRNGKey(0))
  assert actions.shape == (3, 2, 1) and q_values.shape == (3, 2)
  np.testing.assert_allclose(q_values, np.asarray(actions)[..., 0] * [1.0, -2.0], rtol=1e-6)
  np.testing.assert_allclose(pieces.expected_q(q_values),
                             np.asarray(actions)[..., 0].mean(0) * [1.0, -2.0], rtol=1e-6)


def _m_step_loss(hp, alpha, weights, old):
  pieces, m = mpo_actions.enumerated(), categorical_m_step(hp)
  actions = jnp.broadcast_to(jnp.arange(3)[:, None], (3, 2))

  def loss(logits):
    terms = pieces.m_step_terms(old, distrax.Categorical(logits=logits), actions, weights)
    return m["policy_loss"].apply(terms, {"alpha": alpha})
  return loss, m


def test_m_step_loss_and_multiplier_against_numpy():
  hp = MStepHParams(epsilon_kl=0.01, alpha_learning_rate=10.0)
  old = distrax.Categorical(probs=jnp.asarray(PROBS))
  weights = jnp.asarray(np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3]]).T)  # [A, B]
  logits = jnp.log(jnp.array([[0.4, 0.4, 0.2], [0.2, 0.5, 0.3]]))
  loss_fn, m = _m_step_loss(hp, jnp.asarray(2.0), weights, old)
  loss, metrics = loss_fn(logits)
  new = np.exp(np.asarray(logits))
  w = np.asarray(weights).T
  kl = np.sum(PROBS * np.log(PROBS / new), -1)
  # −Σ w log π_θ / Σ w (weights sum to 1 per state: divide by B = 2) + α mean_s KL.
  np.testing.assert_allclose(loss, -np.sum(w * np.log(new)) / 2.0 + 2.0 * kl.mean(), rtol=1e-5)
  np.testing.assert_allclose(metrics["kl"], kl.mean(), rtol=1e-5)
  # α ← max(0, α + lr (KL − ε)) from the loss's own metrics.
  state = m["duals"].update(m["duals"].init(), **metrics)
  expected = max(0.0, hp.alpha_init + 10.0 * (kl.mean() - 0.01))
  np.testing.assert_allclose(m["duals"].values(state)["alpha"], expected, rtol=1e-5)
  assert isinstance(m["duals"], duals_lib.DualUpdater)


def test_m_step_minimiser_is_the_kl_regularised_mixture():
  # min_π −Σ_a q_a log π_a + α Σ_a π_old,a log(π_old,a/π_a) = −Σ_a (q_a + α π_old,a) log π_a + c,
  # minimised over the simplex at π* = (q + α π_old) / (1 + α).
  alpha = 0.5
  old = distrax.Categorical(probs=jnp.asarray(PROBS))
  weights = jnp.asarray(np.array([[0.7, 0.2, 0.1], [0.2, 0.5, 0.3]]).T)
  loss_fn, _ = _m_step_loss(MStepHParams(), jnp.asarray(alpha), weights, old)
  opt = optax.adam(0.05)

  def step(carry, _):
    logits, s = carry
    g = jax.grad(lambda x: loss_fn(x)[0])(logits)
    u, s = opt.update(g, s)
    return (logits + u, s), None

  logits0 = jnp.zeros((2, 3))
  (logits, _), _ = jax.lax.scan(step, (logits0, opt.init(logits0)), None, length=2000)
  expected = (np.asarray(weights).T + alpha * PROBS) / (1 + alpha)
  np.testing.assert_allclose(jax.nn.softmax(logits), expected, atol=1e-3)

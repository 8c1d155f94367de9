import distrax
import jax
import jax.numpy as jnp
import numpy as np

from pgkit import networks


def test_tanh_normal_kl_equals_base_kl():
  a = networks.TanhNormal(jnp.array([0.3, -1.0]), jnp.array([0.5, 2.0]))
  b = networks.TanhNormal(jnp.array([-0.2, 0.4]), jnp.array([1.5, 0.7]))
  base = distrax.MultivariateNormalDiag(jnp.array([0.3, -1.0]), jnp.array([0.5, 2.0]))
  other = distrax.MultivariateNormalDiag(jnp.array([-0.2, 0.4]), jnp.array([1.5, 0.7]))
  np.testing.assert_allclose(a.kl_divergence(b), base.kl_divergence(other), rtol=1e-6)
  # Closed form per dimension: log(σ2/σ1) + (σ1² + (μ1−μ2)²)/(2σ2²) − 1/2.
  hand = sum(np.log(s2 / s1) + (s1**2 + (m1 - m2)**2) / (2 * s2**2) - 0.5
             for m1, s1, m2, s2 in [(0.3, 0.5, -0.2, 1.5), (-1.0, 2.0, 0.4, 0.7)])
  np.testing.assert_allclose(a.kl_divergence(b), hand, rtol=1e-5)


def test_tanh_normal_log_prob_change_of_variables():
  d = networks.TanhNormal(jnp.array([0.1]), jnp.array([0.8]))
  u = 0.7
  a = jnp.tanh(jnp.array([u]))
  gauss = -0.5 * ((u - 0.1) / 0.8)**2 - np.log(0.8) - 0.5 * np.log(2 * np.pi)
  np.testing.assert_allclose(d.log_prob(a), gauss - np.log(1 - np.tanh(u)**2), rtol=1e-5)
  np.testing.assert_allclose(d.mode(), np.tanh([0.1]), rtol=1e-6)


def test_policy_shapes_and_postprocess():
  obs = jnp.ones((5, 3, 4))
  for make in (networks.gaussian_policy, networks.tanh_gaussian_policy):
    p = make(4, 2, hidden=(8,))
    params = p.init(jax.random.PRNGKey(0))
    d = p.apply(params, obs)
    a = d.sample(seed=jax.random.PRNGKey(1))
    assert a.shape == (5, 3, 2) and d.log_prob(a).shape == (5, 3)
    assert d.kl_divergence(d).shape == (5, 3)
  tanh = networks.tanh_gaussian_policy(4, 2, hidden=(8,))
  assert np.all(np.abs(tanh.postprocess(jnp.array([100.0, -100.0]))) <= 1.0)
  squashed = networks.tanh_gaussian_policy(4, 2, hidden=(8,), store_pre_tanh=False)
  assert isinstance(squashed.apply(params, obs), networks.TanhNormal)
  cat = networks.categorical_policy(4, 3, hidden=(8,))
  d = cat.apply(cat.init(jax.random.PRNGKey(0)), obs)
  np.testing.assert_allclose(jnp.sum(d.probs, -1), np.ones((5, 3)), rtol=1e-6)
  critic = networks.value_critic(4, hidden=(8,))
  assert critic.apply(critic.init(jax.random.PRNGKey(0)), obs).shape == (5, 3)


def test_squashed_entropy_is_the_entropy_of_tanh_actions():
  """E_ε[squashed_entropy] = H[tanh(u)], u ~ N(μ, σ²), per dimension: H[u] + E[log(1 − tanh²u)],
  the expectation by scipy's quadrature; the estimate reads its noise from the behaviour action
  u_b = μ_old + σ_old ε, so with π_θ = π_old it is H[u] + Σ log(1 − tanh²(u_b)) exactly."""
  import scipy.integrate
  import scipy.stats
  loc, scale = np.array([0.3, -1.2]), np.array([0.8, 0.5])
  dist = distrax.MultivariateNormalDiag(jnp.asarray(loc), jnp.asarray(scale))
  exact = 0.0
  for m, s in zip(loc, scale):
    pdf = scipy.stats.norm(m, s).pdf
    log_det = scipy.integrate.quad(lambda u: pdf(u) * np.log(1 - np.tanh(u)**2), -12, 12)[0]
    exact += scipy.stats.norm(m, s).entropy() + log_det
  u_b = dist.sample(seed=jax.random.PRNGKey(0), sample_shape=(200_000,))
  estimate = networks.squashed_entropy(dist, dist, u_b)
  np.testing.assert_allclose(np.mean(estimate), exact, atol=5e-3)  # MC std error ~1e-3
  one = networks.squashed_entropy(dist, dist, u_b[0])
  hand = float(dist.entropy()) + np.sum(np.log(1 - np.tanh(np.asarray(u_b[0]))**2))
  np.testing.assert_allclose(one, hand, atol=1e-6)
  # Stable where 1 − tanh² underflows: log(1 − tanh²u) ≈ 2 (log 2 − |u|) for large |u|.
  np.testing.assert_allclose(networks.tanh_log_det_jacobian(jnp.array([30.0, -30.0])),
                             4 * (np.log(2) - 30.0), rtol=1e-6)


def test_last_layer_initial_scale():
  """Flax's variance_scaling(s, fan_in, uniform) draws U(−a, a), a = √(3 s / fan_in), whose
  standard deviation is a / √3 = √(s / fan_in); the hidden layers keep s = 1 (LeCun uniform).
  Run settings reach it: ``policy_init_scale`` (Brax's networks: 1, pgkit's default 0.01)."""
  import pgkit
  from pgkit.training.trainer import make_policy
  from pgkit.envs.protocol import Environment
  fan_in, actions = 256, 8
  for scale in (0.01, 1.0):
    for make in (networks.gaussian_policy, networks.tanh_gaussian_policy):
      params = make(5, actions, hidden=(fan_in,), final_scale=scale).init(jax.random.PRNGKey(0))
      first, last = [np.asarray(params["params"][f"Dense_{i}"]["kernel"]) for i in (0, 1)]
      assert last.shape == (fan_in, 2 * actions)
      bound = np.sqrt(3 * scale / fan_in)
      assert np.abs(last).max() <= bound and np.abs(last).max() > 0.95 * bound
      np.testing.assert_allclose(last.std(), np.sqrt(scale / fan_in), rtol=0.05)  # 4096 draws
      np.testing.assert_allclose(first.std(), np.sqrt(1 / 5), rtol=0.1)  # 1280 draws
  run = pgkit.preset("ppo_clip", "inverted_pendulum", policy_init_scale=1.0,
                     policy_hidden=(fan_in,)).run
  env = Environment("stub", None, None, 5, actions)
  params = make_policy(run, env).init(jax.random.PRNGKey(1))
  np.testing.assert_allclose(np.asarray(params["params"]["Dense_1"]["kernel"]).std(),
                             np.sqrt(1 / fan_in), rtol=0.05)

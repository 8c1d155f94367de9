"""The categorical policy and discrete Q critic against dense numpy computations."""
import jax
import jax.numpy as jnp
import numpy as np

from pgkit import networks


def _dists():
  policy = networks.categorical_policy(3, 4, hidden=(8,))
  obs = jax.random.normal(jax.random.PRNGKey(1), (5, 3))
  p_a = policy.apply(policy.init(jax.random.PRNGKey(2)), obs)
  p_b = policy.apply(policy.init(jax.random.PRNGKey(3)), obs)
  return p_a, p_b


def test_categorical_kl_entropy_log_prob_against_numpy_sums():
  p_a, p_b = _dists()
  pa = np.asarray(jax.nn.softmax(p_a.logits, -1), np.float64)
  pb = np.asarray(jax.nn.softmax(p_b.logits, -1), np.float64)
  # KL(π_a‖π_b) = Σ_a π_a log(π_a/π_b); H(π_a) = −Σ_a π_a log π_a.
  np.testing.assert_allclose(p_a.kl_divergence(p_b), np.sum(pa * np.log(pa / pb), -1),
                             rtol=1e-4, atol=1e-7)
  np.testing.assert_allclose(p_a.entropy(), -np.sum(pa * np.log(pa), -1), rtol=1e-5)
  actions = jnp.array([0, 1, 2, 3, 1])
  np.testing.assert_allclose(p_a.log_prob(actions), np.log(pa[np.arange(5), actions]),
                             rtol=1e-5)
  np.testing.assert_array_equal(p_a.mode(), np.argmax(pa, -1))
  assert p_a.sample(seed=jax.random.PRNGKey(0)).dtype == jnp.int32


def test_discrete_q_critic_gathers_the_action_column():
  critic = networks.discrete_q_critic(3, 4, hidden=(8,))
  params = critic.init(jax.random.PRNGKey(0))
  obs = jax.random.normal(jax.random.PRNGKey(1), (5, 3))
  dense = np.asarray(critic.apply(params, obs, jnp.arange(4)[:, None] + jnp.zeros((4, 5), int)))
  assert dense.shape == (4, 5)
  actions = jnp.array([3, 0, 2, 1, 3])
  np.testing.assert_allclose(critic.apply(params, obs, actions), dense[actions, np.arange(5)],
                             rtol=1e-6)
  # The output head is one value per action: Q(s, a) is the network's a-th output.
  net_out = jax.vmap(lambda a: critic.apply(params, obs, jnp.full((5,), a)))(jnp.arange(4))
  np.testing.assert_allclose(net_out, dense, rtol=1e-6)

import jax
import jax.numpy as jnp
import numpy as np

from pgkit import networks


def test_q_critic_broadcasts_sampled_actions_against_states():
  critic = networks.q_critic(4, 2, hidden=(8,))
  params = critic.init(jax.random.PRNGKey(0))
  obs = jax.random.normal(jax.random.PRNGKey(1), (5, 4))
  actions = jax.random.normal(jax.random.PRNGKey(2), (3, 5, 2))
  q = critic.apply(params, obs, actions)
  assert q.shape == (3, 5)
  np.testing.assert_allclose(q[1], critic.apply(params, obs, actions[1]), rtol=1e-6)
  # Q depends on the action.
  assert not np.allclose(q[0], q[1])

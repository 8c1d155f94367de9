"""Vine sampling: saved states, branch returns against a hand-run reference, batch layout."""
import distrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import envs, networks
from pgkit.algorithms import Rollout
from pgkit.envs.vine import branch, select_states, vine_policy_batch

GAMMA = 0.9


@pytest.fixture(scope="module")
def env():
  return envs.make_env("inverted_pendulum", "spring")


def _still_policy(env):
  """An (almost) deterministic policy that always pushes 0.3: branches become reproducible."""
  def apply(params, obs):
    loc = jnp.full(obs.shape[:-1] + (env.action_size,), 0.3)
    return distrax.MultivariateNormalDiag(loc, jnp.full_like(loc, 1e-6))
  return networks.Policy(lambda key: {}, apply)


def _critic(params, obs):
  return 10.0 + jnp.sum(obs, axis=-1)   # any fixed function of the observation


@pytest.fixture(scope="module")
def rollout(env):
  policy = networks.tanh_gaussian_policy(env.observation_size, env.action_size, hidden=(8,))
  params = policy.init(jax.random.PRNGKey(0))
  stats = envs.init_stats(env.observation_size)
  state = envs.reset(env, jax.random.PRNGKey(1), 4)
  _, traj, _, saved = jax.jit(lambda s: envs.unroll(env, policy, params, stats, s,
                                                    jax.random.PRNGKey(2), 6, 1000,
                                                    record_states=True))(state)
  return policy, params, stats, traj, saved


def test_unroll_records_the_state_before_each_step(rollout):
  _, _, _, traj, saved = rollout
  np.testing.assert_allclose(saved.observation, traj.observation, rtol=1e-6)
  assert jax.tree.leaves(saved)[0].shape[:2] == (6, 4)


def test_select_states_draws_distinct_states(rollout):
  _, _, _, traj, saved = rollout
  chosen = select_states(jax.random.PRNGKey(3), saved, 24)   # all of them, permuted
  flat = np.asarray(traj.observation).reshape(24, -1)
  got = np.asarray(chosen.observation)
  assert got.shape == flat.shape
  np.testing.assert_allclose(np.sort(got, axis=0), np.sort(flat, axis=0), rtol=1e-6)
  with pytest.raises(ValueError, match="vine_states"):
    select_states(jax.random.PRNGKey(3), saved, 25)


def test_branch_returns_match_a_hand_run_reference(env, rollout):
  _, _, stats, _, saved = rollout
  states = select_states(jax.random.PRNGKey(4), saved, 3)
  policy = _still_policy(env)
  horizon, scale = 5, 0.5
  samples = jax.jit(lambda s: branch(env, policy, {}, stats, _critic, None, s,
                                     jax.random.PRNGKey(5), 2, horizon, GAMMA, scale))(states)
  assert samples.action.shape == (2, 3, env.action_size) and samples.q_value.shape == (2, 3)
  # Reference: step each restored state by hand with the constant action.
  step = jax.jit(jax.vmap(env.step))
  state, alive, total = states, np.ones(3), np.zeros(3)
  for t in range(horizon):
    state = step(state, jnp.full((3, env.action_size), 0.3))
    total += GAMMA**t * alive * scale * np.asarray(state.reward)
    alive *= 1.0 - np.asarray(state.termination)
  expected = total + GAMMA**horizon * alive * np.asarray(_critic(None, state.observation))
  for k in range(2):
    np.testing.assert_allclose(samples.q_value[k], expected, rtol=1e-4, atol=1e-4)


def test_policy_batch_layout_is_action_major(env, rollout):
  policy, params, stats, traj, saved = rollout
  critic = networks.value_critic(env.observation_size, (8,))
  critic_params = critic.init(jax.random.PRNGKey(6))
  zeros = jnp.zeros(traj.reward.shape)
  from pgkit.training.on_policy import Batch
  single = Batch(traj.observation, traj.action, traj.behaviour_log_prob, zeros, zeros, zeros,
                 zeros)
  ctx = Rollout(env, policy, critic, params, critic_params, stats, saved, single)
  build = vine_policy_batch(num_states=5, num_actions=3, horizon=2, discount=0.99)
  batch = jax.jit(lambda k: build(k, ctx))(jax.random.PRNGKey(7))
  assert batch.observation.shape == (3, 5, env.observation_size)
  assert batch.action.shape == (3, 5, env.action_size)
  assert batch.advantage.shape == batch.behaviour_log_prob.shape == (3, 5)
  np.testing.assert_array_equal(batch.observation[0], batch.observation[2])  # same states per k
  dist = policy.apply(params, batch.observation)
  np.testing.assert_allclose(dist.log_prob(batch.action), batch.behaviour_log_prob, rtol=1e-5,
                             atol=1e-5)

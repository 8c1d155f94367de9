import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pgkit import envs, networks


@pytest.fixture(scope="module")
def env():
  return envs.make_env("inverted_pendulum", "spring")


def test_unroll_shapes_and_truncation(env):
  policy = networks.tanh_gaussian_policy(env.observation_size, env.action_size, hidden=(8,))
  params = policy.init(jax.random.PRNGKey(0))
  stats = envs.init_stats(env.observation_size)
  state = envs.reset(env, jax.random.PRNGKey(1), 3)
  unroll = jax.jit(lambda s, k: envs.unroll(env, policy, params, stats, s, k, 12, 5))
  state, traj, episodes = unroll(state, jax.random.PRNGKey(2))
  assert traj.observation.shape == (12, 3, 4) and traj.action.shape == (12, 3, 1)
  assert traj.reward.shape == traj.termination.shape == traj.truncation.shape == (12, 3)
  done = np.maximum(np.asarray(traj.termination), np.asarray(traj.truncation))
  # Episodes are at most 5 steps: a truncation fires on the 5th step of any episode that lasts.
  steps = np.zeros(3, int)
  for t in range(12):
    steps += 1
    expected_trunc = (steps >= 5) & (np.asarray(traj.termination[t]) == 0)
    np.testing.assert_array_equal(np.asarray(traj.truncation[t]) > 0, expected_trunc)
    steps[done[t] > 0] = 0
  assert float(episodes.count) == done.sum()
  # After a reset the next observation differs from the final one; otherwise they chain.
  cont = done[:-1] == 0
  np.testing.assert_allclose(np.asarray(traj.next_observation[:-1])[cont],
                             np.asarray(traj.observation[1:])[cont], rtol=1e-6)
  # Behaviour log-probs are those of the acting distribution.
  dist = policy.apply(params, traj.observation)
  np.testing.assert_allclose(dist.log_prob(traj.action), traj.behaviour_log_prob, rtol=1e-5,
                             atol=1e-5)


def test_running_stats_match_numpy():
  x = np.random.default_rng(0).normal(3.0, 2.0, size=(7, 5, 3)).astype(np.float32)
  stats = envs.init_stats(3)
  stats = envs.update_stats(stats, jnp.asarray(x[:3]))
  stats = envs.update_stats(stats, jnp.asarray(x[3:]))
  flat = x.reshape(-1, 3)
  np.testing.assert_allclose(stats.mean, flat.mean(0), rtol=1e-5)
  np.testing.assert_allclose(stats.m2 / stats.count, flat.var(0), rtol=1e-4)
  z = envs.normalize(stats, jnp.asarray(flat))
  np.testing.assert_allclose(np.mean(z, 0), 0.0, atol=1e-4)
  np.testing.assert_allclose(np.std(z, 0), 1.0, rtol=1e-3)


def test_unknown_env_or_backend():
  with pytest.raises(ValueError, match="env must be one of"):
    envs.make_env("not_an_env")
  with pytest.raises(ValueError, match="backend must be one of"):
    envs.make_env("inverted_pendulum", "warp_drive")


def test_pool_restarts_ended_episodes_from_the_start_states_without_reset():
  """``reset(..., pool=True)`` keeps the start states; ``collect`` then restarts every ended
  episode from one of them (a permutation over the envs, new each call) and never calls
  ``env.reset`` (counted while tracing), where the default draws fresh states with it."""
  env = envs.make_env("gymnax/CartPole-v1")
  calls = []
  counted = env._replace(reset=lambda k: (calls.append(k), env.reset(k))[1])
  policy = networks.categorical_policy(env.observation_size, env.num_actions, (8,))
  params, stats = policy.init(jax.random.PRNGKey(0)), envs.init_stats(env.observation_size)
  n = 16

  def collect(state, key):
    return envs.collect(counted, policy, params, stats, state, key, jax.random.fold_in(key, 1),
                        2, 10, 7)[:2]

  pool_state = envs.reset(env, jax.random.PRNGKey(1), n, pool=True)
  fresh_state = envs.reset(env, jax.random.PRNGKey(1), n)
  assert fresh_state.pool is None
  np.testing.assert_array_equal(pool_state.pool.observation, pool_state.env.observation)
  calls.clear()
  end_state, traj = jax.jit(collect)(pool_state, jax.random.PRNGKey(2))
  assert not calls  # no env.reset in the compiled pool collect
  jax.jit(collect)(fresh_state, jax.random.PRNGKey(2))
  assert calls  # the default one resets
  # Episodes end at the latest after 7 steps; every observation after an end is a pool state.
  done = np.maximum(np.asarray(traj.termination), np.asarray(traj.truncation)) > 0
  starts = np.asarray(traj.observation[1:])[done[:-1]]
  pool_obs = np.asarray(pool_state.pool.observation)
  assert len(starts) >= n
  for obs in starts:
    assert np.any(np.all(pool_obs == obs, axis=1))
  # The restarts are a permutation: envs that ended in the same step start from distinct states.
  t = int(np.argmax(done.sum(1) > 1))
  assert done[t].sum() > 1
  same_step = np.asarray(traj.observation[t + 1])[done[t]]
  assert len(np.unique(same_step, axis=0)) == len(same_step)
  np.testing.assert_array_equal(end_state.pool.observation, pool_obs)  # the pool is kept


def test_reset_states_setting_reaches_the_trainer():
  import pgkit
  from pgkit.training import make_trainer
  for choice, has_pool in (("fresh", False), ("pool", True)):
    s = pgkit.preset("ppo_clip", "gymnax/CartPole-v1", num_envs=4, unroll_length=4,
                     policy_hidden=(8,), critic_hidden=(8,), reset_states=choice)
    state = jax.eval_shape(make_trainer(s).init, jax.random.PRNGKey(0), s.hparams)
    assert (state.env_state.pool is not None) == has_pool
  with pytest.raises(pgkit.InputError, match="reset_states"):
    pgkit.preset("ppo_clip", "gymnax/CartPole-v1", reset_states="first").validate()


def test_normalized_observations_clip_at_the_stats_clip():
  # Moments of the batch [[0, 0], [2, 20]]: mean [1, 10], population variance [1, 100]; so
  # the observation [101, -40] standardises to [(101-1)/1, (-40-10)/10] = [100, -5].
  batch = jnp.asarray([[0.0, 0.0], [2.0, 20.0]])
  obs = jnp.asarray([[101.0, -40.0]])
  for clip, expected in [(5.0, [5.0, -5.0]), (3.0, [3.0, -3.0]), (math.inf, [100.0, -5.0])]:
    stats = envs.update_stats(envs.init_stats(2, clip), batch)
    np.testing.assert_allclose(envs.normalize(stats, obs), [expected], rtol=1e-5)
    assert stats.clip == clip  # kept by the update
  # Before any batch the raw observations are passed on, clipped.
  np.testing.assert_allclose(envs.normalize(envs.init_stats(2, 5.0), obs), [[5.0, -5.0]])
  np.testing.assert_allclose(envs.normalize(envs.init_stats(2, math.inf), obs), obs)
  # The clip is static: a leaf-for-leaf copy of the moments, not a traced value.
  assert len(jax.tree.leaves(envs.init_stats(2, 3.0))) == 3

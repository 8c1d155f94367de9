"""The off-policy (MPO) trainer: one jittable ``train(key, hp)``, vmapped over traced hparams."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pgkit
from pgkit import envs, replay
from pgkit.training import make_trainer, off_policy

# 2 envs × 2 unrolls = 4 sequences of 4 steps (16 env steps) per iteration; warming up for the
# first iteration (16 steps collected < 17), learning from the second (32 >= 17).
TINY = pgkit.preset("mpo", "inverted_pendulum", backend="spring", num_envs=2, unroll_length=4,
                    unrolls=2, num_timesteps=3 * 16, episode_length=20, replay_capacity=16,
                    batch_size=2,
                    num_action_samples=2, updates_per_iteration=2, warmup_steps=17,
                    target_update="periodic", target_update_period=2, policy_hidden=(8,),
                    critic_hidden=(8,))


def test_vmap_over_traced_hparams_replay_and_targets():
  trainer = make_trainer(TINY)
  hp = TINY.hparams
  axes = jax.tree.map(lambda _: None, hp).replace(estep_epsilon=0, retrace_lambda=0)
  key = jax.random.PRNGKey(0)
  state, metrics = jax.jit(jax.vmap(trainer.train, (None, axes)))(
      key, hp.replace(estep_epsilon=jnp.array([0.05, 0.5]), retrace_lambda=jnp.array([0.0, 1.0])))
  init = jax.eval_shape(trainer.init, key, hp)
  # State shapes and dtypes are those of init (stable through lax.scan), with a leading [2].
  for a, b in zip(jax.tree.leaves(state), jax.tree.leaves(init)):
    assert a.shape == (2,) + b.shape and a.dtype == b.dtype
  # 3 iterations × 4 sequences in a buffer of 16, every env step counted; 2 learner updates in
  # each iteration from the second on.
  assert trainer.steps_per_iteration == 16 and TINY.run.num_iterations == 3
  np.testing.assert_array_equal(state.replay.size, [12, 12])
  np.testing.assert_array_equal(state.learner.learner_steps, [4, 4])
  np.testing.assert_array_equal(metrics["learner_updates"], [[0, 2, 2], [0, 2, 2]])
  assert replay.bytes_per_transition(init.replay, TINY.run.unroll_length) == 52.0
  # Periodic copies every 2 learner updates: after 4 the targets equal the online networks.
  ln = state.learner
  for online, target in ((ln.policy_params, ln.target_policy_params),
                         (ln.critic_params, ln.target_critic_params)):
    for o, t in zip(jax.tree.leaves(online), jax.tree.leaves(target)):
      np.testing.assert_array_equal(o, t)
  # The two E-step bounds lead to different policies; all metrics finite.
  leaf = jax.tree.leaves(ln.policy_params)[0]
  assert not np.allclose(leaf[0], leaf[1])
  for k, v in metrics.items():
    assert np.all(np.isfinite(v)), k
  assert np.all(np.asarray(metrics["eta"])[:, -1] > 0)
  # A report's row: the learner's metrics over the two iterations that learned (the warm-up's
  # are placeholder zeros), the iteration's own and the duals' over all three.
  member = {k: np.asarray(v[0]) for k, v in metrics.items()}
  assert member["kl"][0] == 0 and member["entropy"][0] == 0
  means = trainer.report_means(member)
  for name in ("kl", "entropy", "q_mean"):
    assert means[name] == pytest.approx(np.mean(member[name][1:])), name
  for name in ("reward_mean", "replay_size", "eta", "learner_updates"):
    assert means[name] == pytest.approx(np.mean(member[name])), name
  assert means["replay_size"] == pytest.approx(8.0)  # 4, 8, 12 sequences
  warmup_only = trainer.report_means({k: v[:1] for k, v in member.items()})
  assert np.isnan(warmup_only["kl"]) and warmup_only["reward_mean"] == member["reward_mean"][0]


def test_entropy_metric_is_the_target_policys_over_the_sampled_states():
  # Two iterations: the first only collects (warm-up), the second collects again and runs 2
  # learner updates whose target policy is the initial one (copied to after the 2nd).
  # ``entropy`` is the mean over the sampled successor states (``successor_states``: s'_t, or
  # s_t after a termination) of the pre-tanh Gaussian's ½ log(2πe) + log σ(s) (1 action
  # dimension), so it lies between the least and the greatest of the 32 replayed transitions'.
  trainer = make_trainer(TINY)
  state = trainer.init(jax.random.PRNGKey(0), TINY.hparams)
  step = jax.jit(trainer.step)
  warm, warm_metrics = step(state, TINY.hparams)
  assert int(warm_metrics["learner_updates"]) == 0 and int(warm.learner.learner_steps) == 0
  after, metrics = step(warm, TINY.hparams)
  assert int(metrics["learner_updates"]) == 2 and int(after.learner.learner_steps) == 2
  stored = jax.tree.map(lambda x: x[:8], after.replay.data)  # the 8 sequences, [8, T, ...]
  states = off_policy.successor_states(stored.observation, stored.next_observation,
                                       stored.termination)
  obs = envs.normalize(after.obs_stats, states.reshape(-1, states.shape[-1]))
  sigma = trainer.policy.apply(state.learner.target_policy_params, obs).scale_diag[:, 0]
  per_state = 0.5 * np.log(2 * np.pi * np.e) + np.log(np.asarray(sigma))
  assert per_state.min() - 1e-6 <= float(metrics["entropy"]) <= per_state.max() + 1e-6
  assert np.ptp(per_state) > 0  # the states differ, so the bracket is not one point


def test_successor_states_stand_in_the_state_before_a_termination():
  # One sequence of 3 transitions with 1-d observations: s = [1, 2, 3], s' = [2, 9, 4], where
  # step 1 terminated (9 is the terminal state; the env reset to 3). The policy is improved in
  # s'_0 = 2, s_1 = 2 (the terminal 9 has no Q the critic was fitted to) and s'_2 = 4.
  obs = jnp.array([[1.0], [2.0], [3.0]])
  next_obs = jnp.array([[2.0], [9.0], [4.0]])
  states = off_policy.successor_states(obs, next_obs, jnp.array([0.0, 1.0, 0.0]))
  np.testing.assert_array_equal(states, [[2.0], [2.0], [4.0]])


@pytest.mark.parametrize("field,value", [("warmup_steps", -1), ("replay_capacity", 3),
                                         ("warmup_steps", 16 * 4 + 1),
                                         ("num_action_samples", 0),
                                         ("target_update", "sometimes")])
def test_bad_options_name_the_field(field, value):
  with pytest.raises(ValueError, match=f"mpo: {field}"):
    TINY.replace(**{field: value}).validate()


@pytest.mark.parametrize("field,value", [("estep_epsilon", 0.0), ("epsilon_mean", -1.0),
                                         ("retrace_lambda", 1.5), ("polyak_tau", 0.0)])
def test_bad_hparams_name_the_field(field, value):
  with pytest.raises(ValueError, match=f"mpo: {field}"):
    TINY.replace(**{field: value}).validate()

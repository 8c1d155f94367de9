"""The on-policy step: early stop inside lax.scan, duals stepping, state stable through scan."""
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests.training.test_vmap import TINY
from pgkit.training import make_trainer


@pytest.fixture(scope="module")
def step():
  trainer = make_trainer(TINY)
  return trainer, jax.jit(trainer.step)


def test_target_kl_stops_the_remaining_updates(step):
  trainer, fn = step
  key = jax.random.PRNGKey(0)
  n = TINY.options.epochs * TINY.options.minibatches
  hp = TINY.hparams
  state = trainer.init(key, hp)
  free, m_free = fn(state, hp)
  stopped, m_stop = fn(state, hp.replace(target_kl=1e-12))
  # The first update starts at θ_old (KL = 0) and is applied; every later one sees KL > 1e-12.
  np.testing.assert_allclose(m_free["update_applied"], 1.0)
  np.testing.assert_allclose(m_stop["update_applied"], 1.0 / n)
  assert float(m_stop["kl"]) < float(m_free["kl"])
  # The masked updates leave the optimizer state as after one update: Adam's count is 1.
  counts = [x for x in jax.tree.leaves(stopped.policy_opt_state) if x.dtype == jnp.int32]
  assert counts and all(int(c) == 1 for c in counts)


def test_state_structure_and_dtypes_stable_through_steps(step):
  trainer, fn = step
  state = trainer.init(jax.random.PRNGKey(1), TINY.hparams)
  new, metrics = fn(state, TINY.hparams)
  a = jax.tree.map(lambda x: (x.shape, x.dtype), state)
  b = jax.tree.map(lambda x: (x.shape, x.dtype), new)
  assert jax.tree.structure(a) == jax.tree.structure(b)
  assert jax.tree.leaves(a) == jax.tree.leaves(b)
  assert int(new.iteration) == 1
  assert all(np.isfinite(float(v)) for v in metrics.values())


def test_stats_update_before_or_after_the_updates(step):
  # The unroll acts on the old statistics either way, so both absorb the same batch; only the
  # inputs of the updates differ (normalised by the old or by the new statistics).
  trainer, fn = step
  hp, key = TINY.hparams, jax.random.PRNGKey(2)
  after, m_after = fn(trainer.init(key, hp), hp)
  brax_like = make_trainer(TINY.replace(stats_update="before"))
  before, m_before = jax.jit(brax_like.step)(brax_like.init(key, hp), hp)
  for x, y in zip(jax.tree.leaves(after.obs_stats), jax.tree.leaves(before.obs_stats)):
    np.testing.assert_allclose(x, y, rtol=1e-6)
  assert float(after.obs_stats.count) > float(trainer.init(key, hp).obs_stats.count)
  np.testing.assert_allclose(m_after["reward_mean"], m_before["reward_mean"])
  leaf = lambda s: np.asarray(jax.tree.leaves(s.policy_params)[0])
  assert not np.allclose(leaf(after), leaf(before))
  # Without normalisation the option changes nothing.
  plain = [make_trainer(TINY.replace(normalize_observations=False, stats_update=w))
           for w in ("after", "before")]
  a, b = [jax.jit(t.step)(t.init(key, hp), hp)[0] for t in plain]
  for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
    np.testing.assert_array_equal(x, y)


def test_observation_clip_reaches_the_statistics_and_the_acting():
  # Before the first statistics the policy acts on the raw observations, clipped. CartPole's
  # (TINY) stay far inside ±5 over its first 8 steps (cart and pole start within ±0.05 and
  # the velocities' std over the batch is ≈ 0.5-0.7), so no clip and ±5 collect the same
  # batch, while ±0.01 feeds the policy other inputs. The policy's last layer at scale 1 makes
  # its actions depend on them (at 0.01 they barely do).
  hp, key = TINY.hparams, jax.random.PRNGKey(3)
  means = {}
  for clip in (5.0, math.inf, 0.01):
    t = make_trainer(TINY.replace(observation_clip=clip, policy_init_scale=1.0))
    state, _ = jax.jit(t.step)(t.init(key, hp), hp)
    assert state.obs_stats.clip == clip  # carried through the step
    means[clip] = np.asarray(state.obs_stats.mean)
  np.testing.assert_array_equal(means[math.inf], means[5.0])
  assert np.max(np.abs(means[0.01] - means[5.0])) > 1e-3


def test_values_and_bootstraps_equal_two_full_passes():
  from pgkit.envs import Transition
  from pgkit.training.on_policy import values_and_bootstraps
  # 6 steps, 3 envs; env 0 truncates at t=1 and t=4 (episode_length 3), env 1 terminates at
  # t=2, env 2 runs on. Observations are distinct numbers; V(o) = 2·o + 1.
  n, b = 6, 3
  obs = jnp.arange(n * b, dtype=jnp.float32).reshape(n, b, 1)
  nxt = jnp.concatenate([obs[1:], 100.0 + jnp.arange(b, dtype=jnp.float32).reshape(1, b, 1)])
  trunc = jnp.zeros((n, b)).at[1, 0].set(1.0).at[4, 0].set(1.0)
  term = jnp.zeros((n, b)).at[2, 1].set(1.0)
  final = jnp.array([[500.0], [600.0], [700.0]])
  nxt = nxt.at[1, 0].set(final[0]).at[4, 0].set(final[1]).at[2, 1].set(final[2])
  traj = Transition(obs, None, None, term, trunc, nxt, None)
  value_fn = lambda o: 2.0 * o[..., 0] + 1.0
  value, next_value = values_and_bootstraps(value_fn, traj, episode_length=3)
  np.testing.assert_allclose(value, value_fn(obs))
  expected = value_fn(nxt)
  # Where an episode terminated the bootstrap is unused (multiplied by 1 − termination = 0).
  used = np.asarray(term) == 0
  np.testing.assert_allclose(np.asarray(next_value)[used], np.asarray(expected)[used])


def test_minibatches_cover_distinct_sequences_and_any_count():
  from pgkit.algorithms import Minibatches
  # 5 sequences [T=2, B=5] tagged by index; 3 epochs × 2 minibatches of ⌊5/2⌋ = 2 sequences.
  batch = {"x": jnp.tile(jnp.arange(5.0), (2, 1))}
  out = Minibatches(epochs=3, minibatches=2).split(jax.random.PRNGKey(0), batch)["x"]
  assert out.shape == (6, 2, 2)
  np.testing.assert_array_equal(out[:, 0], out[:, 1])  # a sequence keeps its time steps
  for epoch in np.asarray(out[:, 0]).reshape(3, 4):
    assert len(set(epoch.tolist())) == 4  # one sequence sits out each pass, no repeats
  # A multiple of the minibatch count uses every sequence once per pass.
  full = Minibatches(2, 5).split(jax.random.PRNGKey(1), batch)["x"]
  assert sorted(np.asarray(full[:5, 0]).ravel().tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_joint_critic_refreshes_advantages_from_the_current_critic():
  """``refresh_advantages`` = rlax's truncated GAE of each sequence alone, with values from the
  critic it is given and the bootstrap V(s'_{T−1}) at the sequence's end."""
  import types
  import rlax
  from pgkit.algorithms.base import gae_advantages
  from pgkit.training.on_policy import Batch, refresh_advantages
  t, b, gamma, lam = 5, 2, 0.9, 0.8
  rng = np.random.default_rng(0)
  obs = jnp.asarray(rng.normal(size=(t, b, 1)), jnp.float32)
  nxt = jnp.concatenate([obs[1:], jnp.asarray(rng.normal(size=(1, b, 1)), jnp.float32)])
  reward = jnp.asarray(rng.normal(size=(t, b)), jnp.float32)
  term = jnp.zeros((t, b)).at[2, 1].set(1.0)  # sequence 1 ends its episode at t = 2
  nxt = nxt.at[2, 1].set(7.0)  # (the observation after a termination is never read)
  zeros = jnp.zeros((t, b))
  critic = types.SimpleNamespace(apply=lambda w, o: w * o[..., 0] + 1.0)  # V(o) = w·o + 1
  algo = types.SimpleNamespace(advantages=gae_advantages(
      types.SimpleNamespace(discount=gamma, gae_lambda=lam)))
  mb = Batch(obs, None, None, zeros, zeros, zeros, zeros, reward, term, zeros, nxt)
  for w in (2.0, -0.5):  # a different critic gives different advantages
    out = refresh_advantages(critic, algo, w, mb, episode_length=1000)
    for j in range(b):
      values = np.append(w * obs[:, j, 0] + 1.0, w * nxt[-1, j, 0] + 1.0)
      expected = rlax.truncated_generalized_advantage_estimation(
          reward[:, j], gamma * (1.0 - term[:, j]), lam, values)
      np.testing.assert_allclose(out.advantage[:, j], expected, rtol=1e-5, atol=1e-6)
      np.testing.assert_allclose(out.value_target[:, j], expected + values[:-1], rtol=1e-5)


def test_lambda_return_estimate_refreshes_as_brax_ppo_computes():
  """With ``advantage_estimate="lambda_return"`` a refreshed minibatch holds Brax PPO's own
  ``compute_gae`` outputs for each sequence: its advantages r_t + γ(1 − term_t)·vs_{t+1} − V(s_t)
  and its value targets vs (GAE + V), both from the critic given."""
  import types
  from brax.training.agents.ppo import losses as brax_losses
  from pgkit.algorithms.base import advantage_estimate
  from pgkit.training.on_policy import Batch, refresh_advantages
  t, b, gamma, lam = 5, 3, 0.97, 0.95
  rng = np.random.default_rng(1)
  obs = jnp.asarray(rng.normal(size=(t, b, 1)), jnp.float32)
  nxt = jnp.concatenate([obs[1:], jnp.asarray(rng.normal(size=(1, b, 1)), jnp.float32)])
  reward = jnp.asarray(rng.normal(size=(t, b)), jnp.float32)
  term = jnp.zeros((t, b)).at[2, 1].set(1.0)
  zeros = jnp.zeros((t, b))
  critic = types.SimpleNamespace(apply=lambda w, o: w * o[..., 0] + 1.0)
  algo = types.SimpleNamespace(advantages=advantage_estimate(
      types.SimpleNamespace(discount=gamma, gae_lambda=lam), "lambda_return"))
  mb = Batch(obs, None, None, zeros, zeros, zeros, zeros, reward, term, zeros, nxt)
  out = refresh_advantages(critic, algo, 2.0, mb, episode_length=1000)
  vs, expected = brax_losses.compute_gae(zeros, term, reward, 2.0 * obs[..., 0] + 1.0,
                                         2.0 * nxt[-1, :, 0] + 1.0, lam, gamma)
  np.testing.assert_allclose(out.advantage, expected, rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(out.value_target, vs, rtol=1e-5, atol=1e-5)


def _critic_pieces(settings):
  """The critic and algorithm of ``settings``' trainer, and a random minibatch ``[8, 4]`` of
  its env with what a joint critic reads (rewards, ends, next observations)."""
  from pgkit import networks
  from pgkit.training.on_policy import Batch
  trainer = make_trainer(settings)
  run = settings.run.compiled_part()
  algo = settings.algo(run, settings.options, settings.hparams)
  size = trainer.env.observation_size
  critic = networks.value_critic(size, run.critic_hidden, run.activation)
  rng = np.random.default_rng(0)
  normal = lambda *shape: jnp.asarray(rng.normal(size=shape), jnp.float32)
  term = jnp.zeros((8, 4)).at[3, 1].set(1.0)
  trunc = jnp.zeros((8, 4)).at[5, 2].set(1.0)
  batch = Batch(normal(8, 4, size), None, None, normal(8, 4), jnp.maximum(term, trunc),
                normal(8, 4), normal(8, 4), normal(8, 4), term, trunc, normal(8, 4, size))
  return critic, algo, batch


def _assert_trees_close(a, b, rtol=1e-6):
  for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
    np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-7)


def test_joint_critic_step_equals_refresh_then_a_fixed_target_update():
  """Brax's schedule in one pass (``critic_step`` with ``episode_length``): the value loss's
  gradient at targets taken from the same forward pass is the update on the minibatch refreshed
  first (``refresh_advantages``, rlax-tested above), whose targets are constants. Also with a
  critic loss that does not stop gradients itself (``plain``): the step must keep the targets
  out of the gradient, or this differs."""
  from pgkit.losses import LossTransform
  from pgkit.training.on_policy import critic_step, refresh_advantages
  critic, algo, mb = _critic_pieces(TINY)
  plain = LossTransform(lambda t, _: (jnp.mean(jnp.square(t.value - t.value_target)), {}))
  params = critic.init(jax.random.PRNGKey(4))
  carry = (params, algo.critic_optimizer.init(params))
  fresh = refresh_advantages(critic, algo, params, mb, episode_length=50)
  assert not np.allclose(fresh.advantage, mb.advantage)  # the refresh changed them
  for a in (algo, algo._replace(critic_loss=plain)):
    ref_carry, ref_metrics, _ = critic_step(critic, a, carry, fresh)
    got_carry, metrics, got = critic_step(critic, a, carry, mb, episode_length=50)
    _assert_trees_close(got_carry, ref_carry)
    _assert_trees_close(metrics, ref_metrics, rtol=1e-5)
    np.testing.assert_allclose(got.advantage, fresh.advantage, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got.value_target, fresh.value_target, rtol=1e-6, atol=1e-6)


def test_joint_critic_updates_once_per_policy_minibatch():
  # TINY: 2 epochs × 2 policy minibatches, 1 × 2 critic minibatches; joint: the critic's Adam
  # counts 4 updates (one per policy minibatch) and reads no critic minibatches of its own.
  counts = {}
  for mode in ("separate", "joint"):
    trainer = make_trainer(TINY.replace(critic_updates=mode))
    state = trainer.init(jax.random.PRNGKey(0), TINY.hparams)
    new, metrics = jax.jit(trainer.step)(state, TINY.hparams)
    counts[mode] = [int(x) for x in jax.tree.leaves(new.critic_opt_state)
                    if x.dtype == jnp.int32]
    assert np.isfinite(float(metrics["value_loss"]))
    assert not np.allclose(jax.tree.leaves(new.critic_params)[0],
                           jax.tree.leaves(state.critic_params)[0])
  assert set(counts["separate"]) == {2} and set(counts["joint"]) == {4}


def test_interleaved_critic_takes_the_separate_updates_in_one_loop():
  # TINY: 2 epochs × 2 policy minibatches = 4 policy updates; critic_epochs 1, 2 and 3 give 2,
  # 4 and 6 critic updates: the policy's list outlasts the critic's, both end together, the
  # critic's outlasts (the rest runs in a loop of its own). No update reads the other network,
  # so interleaving changes no number; with target_kl the policy's masked updates stay masked
  # (update_applied 1/4, as in the separate loop).
  hp = TINY.hparams
  for critic_epochs in (1, 2, 3):
    steps, loops = {}, {}
    for mode in ("separate", "interleaved"):
      trainer = make_trainer(TINY.replace(critic_updates=mode, critic_epochs=critic_epochs))
      state = trainer.init(jax.random.PRNGKey(5), hp)
      fn = jax.jit(trainer.step)
      steps[mode] = [fn(state, hp), fn(state, hp.replace(target_kl=1e-12))]
      loops[mode] = fn.lower(state, hp).as_text().count("stablehlo.while")
    for (sep_state, sep_m), (int_state, int_m) in zip(steps["separate"], steps["interleaved"]):
      _assert_trees_close(int_state, sep_state)
      assert sorted(int_m) == sorted(sep_m)
      _assert_trees_close({k: int_m[k] for k in sep_m}, sep_m, rtol=1e-5)
    (free_state, _), (_, stopped_metrics) = steps["interleaved"]
    np.testing.assert_allclose(stopped_metrics["update_applied"], 0.25)
    critic_count = {int(x) for x in jax.tree.leaves(free_state.critic_opt_state)
                    if x.dtype == jnp.int32}
    assert critic_count == {2 * critic_epochs}
    # The lowered step's loops: the two loops of updates are one where both lists end
    # together, one and the rest's otherwise.
    fewer = 1 if critic_epochs == 2 else 0
    assert loops["interleaved"] == loops["separate"] - fewer


def test_critic_matmul_reaches_the_compiled_step_and_the_q_critic():
  from pgkit import envs
  from pgkit.training.trainer import make_q_critic
  hp = TINY.hparams
  for matmul, has_bf16 in (("float32", False), ("bfloat16", True)):
    s = TINY.replace(critic_matmul=matmul)
    t = make_trainer(s)
    text = jax.jit(t.step).lower(t.init(jax.random.PRNGKey(0), hp), hp).as_text()
    assert ("bf16" in text) == has_bf16  # only the critic's products are in bfloat16
    q = make_q_critic(s.run, envs.make_env(s.run.env, s.run.backend))
    params = q.init(jax.random.PRNGKey(1))
    jaxpr = str(jax.make_jaxpr(q.apply)(params, jnp.zeros((2, 4)), jnp.zeros((2,), jnp.int32)))
    assert ("bf16" in jaxpr) == has_bf16

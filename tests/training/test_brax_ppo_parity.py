"""pgkit's joint PPO update against Brax PPO's own loss, computation by computation.

Brax's ``compute_ppo_loss`` (brax.training.agents.ppo.losses) is the reference: one minibatch of
sequences, the same network weights (both are flax MLPs of the same layers) and the same
observation statistics. pgkit's ``ppo_clip`` with Brax's options (``critic_updates=joint``,
``advantage_estimate=lambda_return``, ``stats_update=before``'s statistics) takes its critic and
policy steps with SGD at rate 1, so each step's parameter change is minus its loss gradient.

What this does not cover, and why: Brax's entropy term is estimated at fresh noise (pgkit's
``entropy_estimate=squashed`` at the noise of the stored action), so it is left out of both;
Brax zeroes a truncated step's advantage and value error where pgkit bootstraps from V(s'_t),
so the minibatch has no truncation; Brax takes one Adam step on both networks, pgkit one on
each, which is the same per coordinate (Adam is elementwise) without gradient clipping, as
Brax's published settings have it, and makes the value loss's scale (Brax's is a quarter of
pgkit's) irrelevant.
"""
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from brax.training import types as brax_types
from brax.training.acme import running_statistics, specs
from brax.training.agents.ppo import losses as brax_losses
from brax.training.agents.ppo import networks as brax_ppo

from pgkit import envs, networks, preset
from pgkit.algorithms import Minibatches
from pgkit.training.on_policy import Batch, critic_step, policy_step

T, B, OBS, ACT, HIDDEN = 5, 6, 3, 2, (8, 8)
GAMMA, LAMBDA, EPSILON, REWARD_SCALING = 0.97, 0.95, 0.3, 0.1


def _copy(brax_params, pgkit_params):
  """Brax's weights in pgkit's tree: both MLPs list their Dense layers' (bias, kernel) in order
  (``hidden_i`` and ``Dense_i``, i < 10)."""
  leaves = jax.tree.leaves(brax_params)
  for a, b in zip(leaves, jax.tree.leaves(pgkit_params), strict=True):
    assert a.shape == b.shape
  return jax.tree.unflatten(jax.tree.structure(pgkit_params), leaves)


@pytest.fixture(scope="module")
def case():
  keys = jax.random.split(jax.random.PRNGKey(7), 8)
  net = brax_ppo.make_ppo_networks(OBS, ACT, running_statistics.normalize,
                                   policy_hidden_layer_sizes=HIDDEN,
                                   value_hidden_layer_sizes=HIDDEN)
  params = brax_losses.PPONetworkParams(net.policy_network.init(keys[0]),
                                        net.value_network.init(keys[1]))
  behaviour = net.policy_network.init(keys[2])  # the policy that acted: θ_old ≠ θ
  # Observations [B, T] (Brax's minibatch layout), shifted and scaled per feature.
  obs = 2.0 + 3.0 * jax.random.normal(keys[3], (B, T + 1, OBS))
  stats = running_statistics.update(running_statistics.init_state(specs.Array((OBS,),
                                                                              jnp.float32)),
                                    obs.reshape(-1, OBS))
  raw = jax.random.normal(keys[4], (B, T, ACT))  # pre-tanh actions
  reward = jax.random.normal(keys[5], (B, T))
  term = jnp.zeros((B, T)).at[1, 2].set(1.0).at[4, 4].set(1.0)
  old_dist = net.policy_network.apply(stats, behaviour, obs[:, :-1])
  data = brax_types.Transition(
      observation=obs[:, :-1], action=jnp.tanh(raw), reward=reward, discount=1.0 - term,
      next_observation=obs[:, 1:],
      extras={"policy_extras": {"raw_action": raw, "distribution_params": old_dist, "log_prob":
                                net.parametric_action_distribution.log_prob(old_dist, raw)},
              "state_extras": {"truncation": jnp.zeros((B, T))}})
  return net, params, behaviour, stats, obs, raw, reward, term, data


@pytest.fixture(scope="module")
def brax(case):
  """The gradient of Brax's PPO loss (without its entropy term, which Brax estimates at fresh
  noise) with respect to its policy and value weights."""
  net, params, _, stats, *_, data = case
  loss = lambda p: brax_losses.compute_ppo_loss(
      p, stats, data, jax.random.PRNGKey(0), net, entropy_cost=0.0,
      discounting=GAMMA, reward_scaling=REWARD_SCALING, gae_lambda=LAMBDA,
      clipping_epsilon=EPSILON, normalize_advantage=True, vf_coefficient=0.5)[0]
  return jax.grad(loss)(params)


def _pgkit_grads(case, advantage_estimate):
  """(policy gradient, critic gradient) of one joint pgkit update on Brax's minibatch."""
  _, params, behaviour, stats, obs, raw, reward, term, _ = case
  settings = preset("ppo_clip").replace(
      critic_updates="joint", advantage_estimate=advantage_estimate, discount=GAMMA,
      gae_lambda=LAMBDA, clip_epsilon=EPSILON, entropy_coef=0.0, activation="swish",
      policy_hidden=HIDDEN, critic_hidden=HIDDEN)
  run = settings.run.compiled_part()
  algo = settings.algo(run, settings.options, settings.hparams)._replace(
      policy_optimizer=optax.with_extra_args_support(optax.sgd(1.0)),
      critic_optimizer=optax.sgd(1.0))
  policy = networks.tanh_gaussian_policy(OBS, ACT, HIDDEN, "swish")
  critic = networks.value_critic(OBS, HIDDEN, "swish")
  policy_params = _copy(params.policy, policy.init(jax.random.PRNGKey(0)))
  critic_params = _copy(params.value, critic.init(jax.random.PRNGKey(0)))
  old_params = _copy(behaviour, policy_params)
  # pgkit's statistics of the same observations normalise them as Brax's do.
  ours = envs.update_stats(envs.init_stats(OBS, float("inf")), obs.reshape(-1, OBS))
  norm = envs.normalize(ours, obs)
  np.testing.assert_allclose(norm, running_statistics.normalize(obs, stats), rtol=1e-4,
                             atol=1e-5)
  time_major = lambda x: jnp.swapaxes(x, 0, 1)  # pgkit's minibatches are [T, b]
  zeros = jnp.zeros((T, B))
  mb = Batch(time_major(norm[:, :-1]), time_major(raw),
             policy.apply(old_params, time_major(norm[:, :-1])).log_prob(time_major(raw)),
             zeros, time_major(term), zeros, zeros, time_major(reward) * REWARD_SCALING,
             time_major(term), zeros, time_major(norm[:, 1:]))
  (new_critic, _), _, fresh = critic_step(
      critic, algo, (critic_params, algo.critic_optimizer.init(critic_params)), mb,
      episode_length=1000)
  (new_policy, *_), _ = policy_step(
      policy, algo, old_params, {}, (policy_params, algo.policy_optimizer.init(policy_params),
                                     jnp.zeros((), bool), ()), fresh)
  minus = lambda new, old: jax.tree.map(lambda a, b: b - a, new, old)
  return minus(new_policy, policy_params), minus(new_critic, critic_params)


def _assert_close(pgkit_tree, brax_tree, scale=1.0):
  for a, b in zip(jax.tree.leaves(pgkit_tree), jax.tree.leaves(brax_tree), strict=True):
    np.testing.assert_allclose(a * scale, b, rtol=2e-4, atol=1e-6)


def test_joint_update_takes_brax_ppo_gradients(case, brax):
  policy_grad, critic_grad = _pgkit_grads(case, "lambda_return")
  _assert_close(policy_grad, brax.policy)
  # pgkit's value loss is mean((V − target)²), Brax's 0.5 · vf_coefficient 0.5 · the same mean.
  _assert_close(critic_grad, brax.value, scale=0.25)


def test_gae_advantages_give_another_policy_gradient(case, brax):
  """pgkit's default estimate is GAE itself, which Brax's advantage is not: the policy's
  gradient differs (the critic's, at the same λ-return targets, does not)."""
  policy_grad, critic_grad = _pgkit_grads(case, "gae")
  _assert_close(critic_grad, brax.value, scale=0.25)
  with pytest.raises(AssertionError):
    _assert_close(policy_grad, brax.policy)

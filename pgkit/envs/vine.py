"""Vine sampling (Schulman et al. 2015, "Trust Region Policy Optimization", arXiv:1502.05477).

From a single-path rollout of ``π_old``, a *rollout set* of ``N`` states is chosen; each saved
env state (``protocol.EnvStep``; the env must be ``restorable``) is restored and ``K``
actions ``a_{n,k} ~ π_old(·|s_n)`` are tried. Every branch takes
its action and then follows ``π_old`` for ``H − 1`` more steps, and its action value is the
discounted return bootstrapped by the critic:

    Q̂(s_n, a_{n,k}) = Σ_{t<H} γᵗ r_t + γᴴ (1 − term) V(s_H).

The ``K`` branches from one state share their random numbers after the first action (common
random numbers, as the paper recommends), so ``Q̂`` differences reflect the actions rather than
later noise. Branches stop collecting reward at termination; they ignore the episode time limit,
which the bootstrap covers. The policy loss on these samples is
``losses.self_normalized_surrogate(K)``.

Cost: each iteration simulates ``N·K·H`` branch steps on top of the single-path rollout; the
runner's ``env_steps`` counts only the single-path steps.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from pgkit.envs.normalization import RunningStats, normalize

Array = jax.Array


class VineSamples(NamedTuple):
  """Branch results; ``K`` actions in each of ``N`` states."""

  observation: Array  # [N, obs] raw observations of the rollout set
  action: Array  # [K, N, act] ([K, N] for discrete actions) as stored by the learner (before ``policy.postprocess``)
  behaviour_log_prob: Array  # [K, N] log π_old(a_{n,k} | s_n)
  q_value: Array  # [K, N] Q̂(s_n, a_{n,k})


def select_states(key: Array, brax_states: Any, num_states: int) -> Any:
  """``num_states`` states drawn without replacement from a ``[T, B]`` batch of ``EnvStep``s."""
  leaves = jax.tree.leaves(brax_states)
  total = leaves[0].shape[0] * leaves[0].shape[1]
  if num_states > total:
    raise ValueError(f"vine_states={num_states} exceeds the {total} states of one rollout "
                     "(num_envs × unroll_length)")
  index = jax.random.choice(key, total, (num_states,), replace=False)
  return jax.tree.map(lambda x: x.reshape((total,) + x.shape[2:])[index], brax_states)


def branch(env, policy, params, obs_stats: RunningStats, critic_apply, critic_params,
           states: Any, key: Array, num_actions: int, horizon: int, discount,
           reward_scaling=1.0) -> VineSamples:
  """Tries ``num_actions`` actions from each of the ``N`` ``states`` (``EnvStep``s,
  batched ``[N]``)."""
  k_first, k_rest = jax.random.split(key)
  first = policy.apply(params, normalize(obs_stats, states.observation))
  action = first.sample(seed=k_first, sample_shape=(num_actions,))  # [K, N, act]
  log_prob = first.log_prob(action)
  tiled = jax.tree.map(lambda x: jnp.broadcast_to(x, (num_actions,) + x.shape), states)
  step = jax.vmap(jax.vmap(env.step))
  sample = jax.vmap(lambda s, k: policy.apply(params, normalize(obs_stats, s.observation)).sample(
      seed=k),
                    in_axes=(0, None))  # the same key for every k: common random numbers

  def one_step(carry, xs):
    state, alive, total, act = carry
    step_key, weight = xs
    state = step(state, policy.postprocess(act))
    total = total + weight * alive * state.reward * reward_scaling
    alive = alive * (1.0 - state.termination)
    return (state, alive, total, sample(state, step_key)), None

  zeros = jnp.zeros(log_prob.shape)
  weights = discount ** jnp.arange(horizon, dtype=jnp.float32)
  (state, alive, total, _), _ = jax.lax.scan(
      one_step, (tiled, jnp.ones_like(zeros), zeros, action),
      (jax.random.split(k_rest, horizon), weights))
  bootstrap = critic_apply(critic_params, normalize(obs_stats, state.observation))
  q_value = total + discount ** horizon * alive * bootstrap
  return VineSamples(states.observation, action, log_prob, jax.lax.stop_gradient(q_value))


def vine_policy_batch(num_states: int, num_actions: int, horizon: int, discount,
                      reward_scaling=1.0):
  """``fn(key, rollout) -> batch``: vine sampling as a policy batch.

  It picks ``num_states`` states of the rollout, branches ``num_actions`` actions from each for
  ``horizon`` steps, and lays the samples out as the trainer's batch ``[K, N]`` (action-major,
  as ``losses.self_normalized_surrogate`` expects) with ``advantage = Q̂``.
  """

  def fn(key, rollout):
    k_select, k_branch = jax.random.split(key)
    states = select_states(k_select, rollout.env_states, num_states)
    samples = branch(rollout.env, rollout.policy, rollout.policy_params, rollout.obs_stats,
                     rollout.critic.apply, rollout.critic_params, states, k_branch,
                     num_actions, horizon, discount, reward_scaling)
    shape = samples.q_value.shape
    obs = normalize(rollout.obs_stats, samples.observation)
    zeros = jnp.zeros(shape)
    return rollout.batch._replace(
        observation=jnp.broadcast_to(obs, shape + obs.shape[-1:]), action=samples.action,
        behaviour_log_prob=samples.behaviour_log_prob, advantage=samples.q_value, done=zeros,
        value=zeros, value_target=samples.q_value)

  return fn

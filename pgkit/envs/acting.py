"""Acting: a pure ``lax.scan`` unroll of a policy over a batch of environments (any family
behind ``pgkit.envs.protocol``).

The batch auto-resets: an environment whose episode terminated (the env's ``termination``) or
was truncated (the env's own ``truncation``, or ``episode_length`` steps) starts again from a
reset state, chosen once per unroll (``collect``: once per iteration), so the per-step reset
costs only a ``where``. Reset states are either drawn fresh with new keys (``EnvState.pool`` is
None) or taken from the pool of start states drawn at ``reset(..., pool=True)``, each env a
random one of them every iteration: the compiled step then holds no ``env.reset`` (1.5 s of
compilation and 2 % of an iteration on a Brax env; Brax's own auto-reset returns every env to
its first state). The observation an episode ended in is kept in
``Transition.next_observation``, so GAE can bootstrap truncated episodes correctly.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from pgkit.envs.normalization import RunningStats, normalize
from pgkit.random import permutations

Array = jax.Array


class Transition(NamedTuple):
  """One step of experience; arrays are ``[T, B, ...]`` after an unroll."""

  observation: Array
  action: Array
  reward: Array
  termination: Array
  truncation: Array
  next_observation: Array
  behaviour_log_prob: Array


class EnvState(NamedTuple):
  """A batch of ``EnvStep``s plus per-environment episode bookkeeping."""

  env: Any  # protocol.EnvStep, batched
  steps: Array  # [B] steps taken in the current episode
  episode_return: Array  # [B] undiscounted return of the current episode so far
  pool: Any = None  # [B] start states episodes restart from (None: fresh resets)


class EpisodeStats(NamedTuple):
  """Episodes completed during an unroll (for progress reports)."""

  count: Array
  return_sum: Array


def reset(env, key: Array, num_envs: int, pool: bool = False) -> EnvState:
  """``num_envs`` envs at their start states; with ``pool`` those states are also kept as the
  pool later episodes restart from (``restart_states``)."""
  state = jax.vmap(env.reset)(jax.random.split(key, num_envs))
  zeros = jnp.zeros(num_envs)
  return EnvState(state, jnp.zeros(num_envs, jnp.int32), zeros, state if pool else None)


def step(env, state: EnvState, action: Array, fresh, episode_length: int):
  """One batched step with auto-reset into ``fresh``; returns (state, reward, term, trunc, obs')."""
  nxt = jax.vmap(env.step)(state.env, action)
  steps = state.steps + 1
  termination = nxt.termination
  limit = jnp.maximum(nxt.truncation, (steps >= episode_length).astype(termination.dtype))
  truncation = limit * (1.0 - termination)
  done = jnp.maximum(termination, truncation)
  episode_return = state.episode_return + nxt.reward

  def select(a, b):
    mask = done.reshape(done.shape + (1,) * (a.ndim - 1)) > 0
    return jnp.where(mask, a, b)

  env_step = jax.tree.map(select, fresh, nxt)
  new = EnvState(env_step, jnp.where(done > 0, 0, steps),
                 jnp.where(done > 0, 0.0, episode_return), state.pool)
  stats = EpisodeStats(jnp.sum(done), jnp.sum(done * episode_return))
  return new, nxt.reward, termination, truncation, nxt.observation, stats


def fresh_states(env, key: Array, num_envs: int):
  """Reset states for the episodes that start during the next unrolls."""
  return jax.vmap(env.reset)(jax.random.split(key, num_envs))


def restart_states(env, state: EnvState, key: Array):
  """The states episodes that end during the next unrolls restart from: fresh resets, or
  without a call of ``env.reset`` a random permutation of ``state.pool``."""
  if state.pool is None:
    return fresh_states(env, key, state.steps.shape[0])
  order = permutations(key, 1, state.steps.shape[0])[0]
  return jax.tree.map(lambda x: x[order], state.pool)


def unroll(env, policy, params, obs_stats: RunningStats, state: EnvState, key: Array | None,
           length: int, episode_length: int, fresh=None, record_states: bool = False,
           step_keys: Array | None = None):
  """Runs the stochastic ``policy`` (a ``networks.Policy``) for ``length`` steps.

  Returns (state, Transition ``[T, B]``, EpisodeStats). Episodes that end restart from
  ``fresh`` (drawn here when not given). With ``record_states`` a fourth output holds the
  ``EnvStep`` before every step, ``[T, B]``, so that branches can later be restarted from them
  (TRPO's vine sampling). ``step_keys`` (``[T]`` keys, one a step) replace the keys drawn
  from ``key``; with both ``fresh`` and ``step_keys`` given, ``key`` is unused (None).
  """
  if fresh is None:
    key, reset_key = jax.random.split(key)
    fresh = restart_states(env, state, reset_key)

  def one_step(carry, step_key):
    state, count, total = carry
    before = state.env
    obs = state.env.observation
    dist = policy.apply(params, normalize(obs_stats, obs))
    action = dist.sample(seed=step_key)
    log_prob = dist.log_prob(action)
    state, reward, term, trunc, next_obs, ep = step(env, state, policy.postprocess(action), fresh,
                                                    episode_length)
    transition = Transition(obs, action, reward, term, trunc, next_obs, log_prob)
    saved = before if record_states else None
    return (state, count + ep.count, total + ep.return_sum), (transition, saved)

  init = (state, jnp.zeros(()), jnp.zeros(()))
  if step_keys is None:
    step_keys = jax.random.split(key, length)
  (state, count, total), (traj, saved) = jax.lax.scan(one_step, init, step_keys)
  if record_states:
    return state, traj, EpisodeStats(count, total), saved
  return state, traj, EpisodeStats(count, total)


def collect(env, policy, params, obs_stats: RunningStats, state: EnvState, reset_key: Array,
            key: Array, unrolls: int, length: int, episode_length: int,
            record_states: bool = False):
  """``unrolls`` consecutive unrolls of ``length`` steps sharing one set of restart states.

  Returns (state, Transition ``[U·T, B]`` — one trajectory per env —, EpisodeStats summed, and
  the ``EnvStep``s before each step ``[U·T, B]`` with ``record_states``, else None).
  """
  fresh = restart_states(env, state, reset_key)

  def one(env_state, step_keys):
    out = unroll(env, policy, params, obs_stats, env_state, None, length, episode_length, fresh,
                 record_states=record_states, step_keys=step_keys)
    return out[0], (out[1], out[2], out[3] if record_states else None)

  keys = jax.random.split(key, unrolls * length).reshape(unrolls, length, -1)
  state, (traj, episodes, saved) = jax.lax.scan(one, state, keys)
  traj, saved = jax.tree.map(lambda x: x.reshape((-1,) + x.shape[2:]), (traj, saved))
  return state, traj, jax.tree.map(jnp.sum, episodes), saved


def split_sequences(x: Array, unrolls: int) -> Array:
  """``[U·T, B, ...] -> [T, U·B, ...]``: cut each env's trajectory into ``U`` sequences."""
  x = x.reshape((unrolls, x.shape[0] // unrolls) + x.shape[1:])
  x = jnp.swapaxes(x, 0, 1)
  return x.reshape((x.shape[0], -1) + x.shape[3:])


def episodes(env, policy, params, obs_stats: RunningStats, key: Array, num_envs: int,
             episode_length: int, stochastic: bool = False, keep_states: bool = False):
  """``num_envs`` episodes of at most ``episode_length`` steps from fresh resets, acting with
  the policy's mode (``stochastic``: sampling from it).

  Returns (undiscounted returns ``[N]``, lengths ``[N]``, and with ``keep_states`` the family's
  states after each step ``[T, N, ...]`` (a Brax ``State``, ...), else None)."""
  state = jax.vmap(env.reset)(jax.random.split(key, num_envs))

  def one_step(carry, t):
    state, alive, total, length = carry
    dist = policy.apply(params, normalize(obs_stats, state.observation))
    action = dist.sample(seed=jax.random.fold_in(key, t)) if stochastic else dist.mode()
    state = jax.vmap(env.step)(state, policy.postprocess(action))
    total, length = total + alive * state.reward, length + alive
    alive = alive * (1.0 - jnp.maximum(state.termination, state.truncation))
    return (state, alive, total, length), state.state if keep_states else None

  init = (state, jnp.ones(num_envs), jnp.zeros(num_envs), jnp.zeros(num_envs))
  (_, _, total, length), states = jax.lax.scan(one_step, init, jnp.arange(episode_length))
  return total, length, states


def evaluate(env, policy, params, obs_stats: RunningStats, key: Array,
             num_envs: int, episode_length: int) -> Array:
  """Mean undiscounted return of the deterministic policy (the distribution's mode) over
  ``num_envs`` episodes of at most ``episode_length`` steps."""
  return jnp.mean(episodes(env, policy, params, obs_stats, key, num_envs, episode_length)[0])

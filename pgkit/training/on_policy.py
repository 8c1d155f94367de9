"""The on-policy trainer: ``init(key, hp) -> TrainState`` and ``step(state, hp)``.

One ``step`` is one iteration: unroll the policy for ``unroll_length`` steps in ``num_envs``
Brax environments, estimate advantages, run the algorithm's policy updates (epochs ×
minibatches, with an early stop that masks the remaining updates), step the duals on the
batch KL, fit the critic with its own optimizer, and merge the batch into the observation
statistics (after the updates; before them with ``stats_update="before"``). Every piece is
pure, so ``train = init + lax.scan(step)`` jits and vmaps.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from pgkit import envs
from pgkit.algorithms.base import Minibatches, OnPolicy, Rollout
from pgkit.training import health as health_lib
from pgkit.losses import LossTerms

Array = jax.Array


class TrainState(NamedTuple):
  policy_params: Any
  critic_params: Any
  policy_opt_state: Any
  critic_opt_state: Any
  dual_state: Any
  obs_stats: envs.RunningStats
  env_state: envs.EnvState
  key: Array
  iteration: Array
  reweighter_state: Any  # the E-step temperature of V-MPO-style algorithms (else ())
  health: health_lib.Health


class Batch(NamedTuple):
  """What the policy and critic updates read, ``[T, B, ...]``."""

  observation: Array  # normalised
  action: Array
  behaviour_log_prob: Array
  advantage: Array
  done: Array
  value: Array
  value_target: Array
  # What a joint critic recomputes each minibatch's advantages from (else None): scaled
  # rewards, the ends of episodes and the normalised observations after each step.
  reward: Array | None = None
  termination: Array | None = None
  truncation: Array | None = None
  next_observation: Array | None = None


def _indices(minibatches: Minibatches, key, batch) -> Array:
  """Each update's sequences ``[updates, b]``: the scans gather their minibatch from the batch
  (no copy of the batch per epoch)."""
  return minibatches.indices(key, jax.tree.leaves(batch)[0].shape[1])


def _flat_advantages(algo: OnPolicy, mb: Batch):
  """The minibatch's advantages ``[T·b]`` as the loss and the reweighter see them."""
  return algo.minibatch_advantages(mb.advantage.reshape(-1))


def policy_step(policy, algo: OnPolicy, old_params, dual_values, carry, mb: Batch):
  """One policy update on minibatch ``mb`` (masked once ``algo.early_stop`` has fired):
  ``carry = (params, opt_state, stopped, reweighter_state)``; returns (carry, metrics)."""
  params, opt_state, stopped, r_state = carry
  adv = _flat_advantages(algo, mb)
  r_state = algo.reweighter.update(r_state, advantages=adv)
  weight, e_metrics = algo.reweighter.weights(r_state, adv)
  old = policy.apply(old_params, mb.observation)

  def loss_fn(p):
    terms = algo.terms(policy.apply(p, mb.observation), old, mb, adv)._replace(weight=weight)
    loss, metrics = algo.policy_loss.apply(terms, dual_values)
    return loss, (metrics, jnp.mean(terms.kl))

  def kl_fn(p):
    return jnp.mean(old.kl_divergence(policy.apply(p, mb.observation)))

  (loss, (metrics, kl)), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
  metrics = dict(metrics, **e_metrics, kl_before_update=kl)
  stopped = stopped | algo.early_stop(metrics)
  updates, new_opt_state = algo.policy_optimizer.update(
      grads, opt_state, params, loss_fn=lambda p: loss_fn(p)[0], kl_fn=kl_fn)
  # A select per leaf, not a conditional: on a GPU XLA runs a conditional by copying its
  # predicate to the host and waiting for the stream (a stall every minibatch), and on a CPU
  # the selects compile faster (RESULTS.md, "The early stop as selects").
  params = optax.tree.where(stopped, params, optax.apply_updates(params, updates))
  opt_state = optax.tree.where(stopped, opt_state, new_opt_state)
  metrics = dict(metrics, update_applied=1.0 - stopped,
                 policy_grad_norm=optax.tree.norm(grads),
                 **algo.optimizer_metrics(new_opt_state))
  return (params, opt_state, stopped, r_state), metrics


def _scan_mean(one, carry, xs):
  """``lax.scan(one, carry, xs)`` with its per-update metrics averaged over the updates."""
  carry, metrics = jax.lax.scan(one, carry, xs)
  return carry, jax.tree.map(jnp.mean, metrics)


def update_policy(policy, algo: OnPolicy, params, opt_state, dual_values, key, batch: Batch,
                  reweighter_state=()):
  """The description's policy updates (``algo.policy_minibatches``, masked after
  ``algo.early_stop``); returns (params, opt_state, metrics, reweighter_state), the last
  stepped once per minibatch (a no-op for ``estep.none()``)."""
  (params, opt_state, _, r_state), metrics = _scan_mean(
      _policy_update(policy, algo, params, dual_values, batch),
      (params, opt_state, jnp.zeros((), bool), reweighter_state),
      _indices(algo.policy_minibatches, key, batch))
  return params, opt_state, metrics, r_state


def _policy_update(policy, algo: OnPolicy, old_params, dual_values, batch: Batch):
  """A scan body: the policy update on the minibatch of ``batch`` at the given indices."""
  return lambda carry, i: policy_step(policy, algo, old_params, dual_values, carry,
                                      Minibatches.take(batch, i))


def _critic_update(critic, algo: OnPolicy, batch: Batch):
  """A scan body: the critic update on the minibatch of ``batch`` at the given indices."""
  return lambda carry, i: critic_step(critic, algo, carry, Minibatches.take(batch, i))[:2]


def critic_step(critic, algo: OnPolicy, carry, mb: Batch, episode_length: int | None = None):
  """One critic update on ``mb``: ``carry = (params, opt_state)``; returns (carry, metrics,
  mb). With ``episode_length`` (Brax's joint schedule) the minibatch's advantages and value
  targets are first recomputed from the values of this same forward pass
  (``refresh_advantages``; kept out of the gradient here, whatever the critic loss does), so a
  joint update costs one critic forward and backward plus a forward over the bootstrap
  observations; the returned ``mb`` carries them to the policy's update."""
  params, opt_state = carry

  def loss_fn(p):
    value = critic.apply(p, mb.observation)
    fresh = mb
    if episode_length is not None:
      fresh = refresh_advantages(critic, algo, jax.lax.stop_gradient(p), mb, episode_length,
                                 value=jax.lax.stop_gradient(value))
    terms = LossTerms(value=value, value_target=fresh.value_target, old_value=mb.value)
    loss, metrics = algo.critic_loss.apply(terms, {})
    return loss, (metrics, fresh)

  (_, (metrics, mb)), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
  updates, opt_state = algo.critic_optimizer.update(grads, opt_state, params)
  metrics = dict(metrics, critic_grad_norm=optax.tree.norm(grads))
  return (optax.apply_updates(params, updates), opt_state), metrics, mb


def update_critic(critic, algo: OnPolicy, params, opt_state, key, batch: Batch):
  """The description's critic updates (``algo.critic_minibatches``) at the batch's fixed value
  targets; returns (params, opt_state, metrics)."""
  (params, opt_state), metrics = _scan_mean(
      _critic_update(critic, algo, batch), (params, opt_state),
      _indices(algo.critic_minibatches, key, batch))
  return params, opt_state, metrics


def update_interleaved(policy, critic, algo: OnPolicy, policy_carry, critic_carry, dual_values,
                       k_policy, k_critic, policy_batch: Batch, batch: Batch):
  """The separate schedule's updates, minibatch for minibatch (``critic_updates=
  "interleaved"``), in one loop: policy update i then critic update i while both lists last,
  the longer list's rest in a loop of its own. No update reads the other network's parameters
  (the advantages and value targets are the batch's), so the results are the separate
  schedule's; the loop runs max(P, C) iterations instead of P + C, which matters where each
  iteration is launched from the host (a GPU). Carries and returns as ``update_jointly``."""
  params, opt_state, r_state = policy_carry
  p_index = _indices(algo.policy_minibatches, k_policy, policy_batch)
  c_index = _indices(algo.critic_minibatches, k_critic, batch)
  both = min(len(p_index), len(c_index))
  p_step = _policy_update(policy, algo, params, dual_values, policy_batch)
  c_step = _critic_update(critic, algo, batch)

  def one(carry, i):
    (p_carry, p_metrics), (c_carry, c_metrics) = p_step(carry[0], i[0]), c_step(carry[1], i[1])
    return (p_carry, c_carry), (p_metrics, c_metrics)

  init = ((params, opt_state, jnp.zeros((), bool), r_state), critic_carry)
  (p_carry, c_carry), (p_metrics, c_metrics) = jax.lax.scan(
      one, init, (p_index[:both], c_index[:both]))
  p_carry, p_metrics = _scan_rest(p_step, p_carry, p_index[both:], p_metrics)
  c_carry, c_metrics = _scan_rest(c_step, c_carry, c_index[both:], c_metrics)
  params, opt_state, _, r_state = p_carry
  metrics = jax.tree.map(jnp.mean, dict(p_metrics, **c_metrics))
  return (params, opt_state, r_state), c_carry, metrics


def _scan_rest(one, carry, xs, metrics):
  """``lax.scan(one, carry, xs)`` for the updates left after the interleaved loop, its
  per-update metrics appended to ``metrics`` (nothing to do for no updates)."""
  if len(xs) == 0:
    return carry, metrics
  carry, rest = jax.lax.scan(one, carry, xs)
  return carry, jax.tree.map(lambda a, b: jnp.concatenate([a, b]), metrics, rest)


def refresh_advantages(critic, algo: OnPolicy, params, mb: Batch, episode_length: int,
                       value=None) -> Batch:
  """``mb`` with its advantages and value targets recomputed from the critic ``params``: the
  description's advantage function over each of the minibatch's sequences, bootstrapped from
  V at each sequence's end and at each truncation (``values_and_bootstraps``; given ``value``
  = V(s_t), only the bootstrap observations go through the critic)."""
  value, next_value = values_and_bootstraps(lambda o: critic.apply(params, o), mb,
                                            episode_length, value)
  advantage, value_target = estimate(algo, mb.reward, value, next_value, mb.termination,
                                     mb.truncation)
  # (computed outside any gradient: none flows through them, as through Brax's GAE)
  return mb._replace(advantage=advantage, value_target=value_target)


def estimate(algo: OnPolicy, reward, value, next_value, termination, truncation):
  """(advantages, value targets) ``[N, B]``: the description's ``advantages`` over each env's
  sequence; the targets are ``advantages + V(s_t)`` unless it returns its own."""
  out = jax.vmap(algo.advantages, in_axes=1, out_axes=1)(
      reward, value, next_value, termination, truncation)
  return out if isinstance(out, tuple) else (out, out + value)


def update_jointly(policy, critic, algo: OnPolicy, policy_carry, critic_carry, dual_values, key,
                   batch: Batch, episode_length: int):
  """Brax's PPO schedule (``critic_updates="joint"``): on each of the policy's minibatches the
  critic takes its update at advantages and value targets recomputed from its own values
  (``critic_step`` with ``episode_length``), then the policy takes its update on those
  advantages. ``policy_carry = (params, opt_state, reweighter_state)``, ``critic_carry =
  (params, opt_state)``; returns both carries and the metrics of both (means over the
  updates)."""
  params, opt_state, r_state = policy_carry

  def one(carry, i):
    policy_c, critic_c = carry
    critic_c, c_metrics, mb = critic_step(critic, algo, critic_c, Minibatches.take(batch, i),
                                          episode_length)
    policy_c, p_metrics = policy_step(policy, algo, params, dual_values, policy_c, mb)
    return (policy_c, critic_c), dict(p_metrics, **c_metrics)

  init = ((params, opt_state, jnp.zeros((), bool), r_state), critic_carry)
  ((params, opt_state, _, r_state), critic_carry), metrics = _scan_mean(
      one, init, _indices(algo.policy_minibatches, key, batch))
  return (params, opt_state, r_state), critic_carry, metrics


def values_and_bootstraps(value_fn, traj, episode_length: int, value=None):
  """``V(s_t)`` and ``V(s'_t)`` for a trajectory ``[N, B]`` with about N + 1 critic calls per env.

  Within an episode ``s'_t = s_{t+1}``, so one pass over ``[s_0 … s_{N−1}, s'_{N−1}]`` gives
  both. Only a truncated step needs the value of its final observation, and an env truncates
  at most ``ceil(N / episode_length)`` times in N steps, so those are gathered into a batch of
  that static size. (After a termination ``V(s'_t)`` is multiplied by zero and never read.)
  Given ``value`` (``V(s_t)``, computed by the caller) only ``s'_{N−1}`` and the truncated
  steps' final observations go through ``value_fn``.
  """
  n, b = traj.truncation.shape
  obs_shape = traj.observation.shape[2:]
  capacity = b * -(-n // episode_length)
  flat_trunc = traj.truncation.reshape(-1) > 0
  (index,) = jnp.nonzero(flat_trunc, size=capacity, fill_value=0)
  final_obs = traj.next_observation.reshape((n * b,) + obs_shape)[index]
  chain = jnp.concatenate([traj.observation, traj.next_observation[-1:]], axis=0)
  if value is not None:
    chain = chain[-1:]
  # One critic call for both (one network in the compiled step, not two).
  values = value_fn(jnp.concatenate([chain.reshape((-1,) + obs_shape), final_obs]))
  chained, finals = values[:len(chain) * b].reshape(-1, b), values[len(chain) * b:]
  if value is not None:
    chained = jnp.concatenate([value, chained])
  value, next_value = chained[:-1], chained[1:]
  valid = jnp.arange(capacity) < jnp.sum(flat_trunc)
  boot = jnp.zeros(n * b).at[index].add(jnp.where(valid, finals, 0.0))
  next_value = jnp.where(traj.truncation > 0, boot.reshape(n, b), next_value)
  return value, next_value


def explained_variance(value, target) -> jax.Array:
  """``1 − Var(target − V) / Var(target)``: 1 for a perfect critic, ≤ 0 for a useless one."""
  return 1.0 - jnp.var(target - value) / jnp.maximum(jnp.var(target), 1e-8)


def make_on_policy(run, options, env, policy, critic, build):
  """``init`` and ``step`` of the on-policy trainer for ``build(hp) -> OnPolicy``.

  The trainer reads the run settings, its own options ``stats_update`` and ``critic_schedule``
  (``critic_updates``), its hyperparameter ``reward_scaling`` (``OnPolicyOptions``,
  ``MinibatchOptions``, ``OnPolicyHParams``) and the description's pieces. ``build`` runs when
  ``init``/``step`` are traced (the description closes over the possibly traced ``hp``), which
  costs nothing at run time.
  """

  def algorithm(hp) -> OnPolicy:
    algo = build(hp)
    return algo._replace(policy_optimizer=optax.with_extra_args_support(algo.policy_optimizer))

  def init(key, hp) -> TrainState:
    algo = algorithm(hp)
    k_policy, k_critic, k_env, key = jax.random.split(key, 4)
    policy_params = policy.init(k_policy)
    critic_params = critic.init(k_critic)
    return TrainState(
        policy_params=policy_params, critic_params=critic_params,
        policy_opt_state=algo.policy_optimizer.init(policy_params),
        critic_opt_state=algo.critic_optimizer.init(critic_params),
        dual_state=algo.duals.init(),
        obs_stats=envs.init_stats(env.observation_size, run.observation_clip),
        env_state=envs.reset(env, k_env, run.num_envs, run.reset_states == "pool"),
        key=key, iteration=jnp.zeros((), jnp.int32),
        reweighter_state=algo.reweighter.init(), health=health_lib.healthy())

  def collect(state: TrainState, k_reset, k_unroll, record_states=False):
    """``run.unrolls`` consecutive unrolls: Transition ``[U·T, B]``, one trajectory per env;
    with ``record_states`` also the Brax states before each step, ``[U·T, B]`` (else None)."""
    return envs.collect(env, policy, state.policy_params, state.obs_stats, state.env_state,
                        k_reset, k_unroll, run.unrolls, run.unroll_length, run.episode_length,
                        record_states)

  def make_batch(state: TrainState, algo: OnPolicy, hp, traj, obs_stats) -> Batch:
    """The single-path batch ``[T, U·B]``: each env's trajectory cut into ``unrolls``
    sequences; advantages over the whole trajectory (the description's function)."""
    obs = envs.normalize(obs_stats, traj.observation)
    value, next_value = values_and_bootstraps(
        lambda o: critic.apply(state.critic_params, envs.normalize(obs_stats, o)), traj,
        run.episode_length)
    reward = traj.reward * hp.reward_scaling
    advantage, value_target = estimate(algo, reward, value, next_value, traj.termination,
                                       traj.truncation)
    done = jnp.maximum(traj.termination, traj.truncation)
    joint = (reward, traj.termination, traj.truncation,
             envs.normalize(obs_stats, traj.next_observation)) if options.joint_critic else ()
    return jax.tree.map(lambda x: envs.split_sequences(x, run.unrolls),
                        Batch(obs, traj.action, traj.behaviour_log_prob, advantage, done, value,
                              value_target, *joint))

  def learn(state: TrainState, algo: OnPolicy, dual_values, k_policy, k_critic, policy_batch,
            batch):
    """The policy and critic updates: one after the other, interleaved or jointly
    (``critic_updates``); returns ((policy params, opt state, reweighter state), (critic
    params, opt state), metrics)."""
    policy_carry = (state.policy_params, state.policy_opt_state, state.reweighter_state)
    critic_carry = (state.critic_params, state.critic_opt_state)
    if options.joint_critic:
      return update_jointly(policy, critic, algo, policy_carry, critic_carry, dual_values,
                            k_policy, policy_batch, run.episode_length)
    if options.critic_schedule == "interleaved":
      return update_interleaved(policy, critic, algo, policy_carry, critic_carry, dual_values,
                                k_policy, k_critic, policy_batch, batch)
    params, opt_state, p_metrics, r_state = update_policy(
        policy, algo, state.policy_params, state.policy_opt_state, dual_values, k_policy,
        policy_batch, state.reweighter_state)
    critic_params, critic_opt_state, c_metrics = update_critic(
        critic, algo, state.critic_params, state.critic_opt_state, k_critic, batch)
    return ((params, opt_state, r_state), (critic_params, critic_opt_state),
            dict(p_metrics, **c_metrics))

  def step(state: TrainState, hp):
    algo = algorithm(hp)
    key, k_reset, k_unroll, k_policy, k_critic, k_batch = jax.random.split(state.key, 6)
    env_state, traj, episodes, env_states = collect(
        state, k_reset, k_unroll, record_states=algo.policy_batch.needs_env_states)
    obs_stats = state.obs_stats
    if run.normalize_observations and options.stats_update == "before":
      obs_stats = envs.update_stats(obs_stats, traj.observation)
    batch = make_batch(state, algo, hp, traj, obs_stats)
    policy_batch = algo.policy_batch.build(k_batch, Rollout(
        env, policy, critic, state.policy_params, state.critic_params, state.obs_stats,
        env_states, batch))
    dual_values = algo.duals.values(state.dual_state)
    (policy_params, policy_opt_state, reweighter_state), (critic_params, critic_opt_state), \
        learn_metrics = learn(state, algo, dual_values, k_policy, k_critic, policy_batch, batch)
    # The duals see the batch means of the KL terms of the whole single-path batch.
    terms = algo.terms(policy.apply(policy_params, batch.observation),
                       policy.apply(state.policy_params, batch.observation), batch, None)
    stats = {k: jnp.mean(getattr(terms, k)) for k in ("kl", "kl_mean", "kl_cov")
             if getattr(terms, k) is not None}
    dual_state = algo.duals.update(state.dual_state, **stats)
    if run.normalize_observations and options.stats_update == "after":
      obs_stats = envs.update_stats(obs_stats, traj.observation)

    metrics = dict(learn_metrics, kl=stats.pop("kl"),
                   **{f"batch_{k}": v for k, v in stats.items()},
                   **{f"dual_{k}": v for k, v in algo.duals.values(dual_state).items()},
                   episodes=episodes.count, episode_return_sum=episodes.return_sum,
                   advantage_mean=jnp.mean(batch.advantage), reward_mean=jnp.mean(traj.reward),
                   explained_variance=explained_variance(batch.value, batch.value_target))
    new_state = TrainState(policy_params, critic_params, policy_opt_state, critic_opt_state,
                           dual_state, obs_stats, env_state, key, state.iteration + 1,
                           reweighter_state, state.health)
    parts = dict(observation=traj.observation, reward=traj.reward, policy_params=policy_params,
                 policy_opt_state=policy_opt_state, critic_params=critic_params,
                 critic_opt_state=critic_opt_state, duals=(dual_state, reweighter_state))
    return health_lib.guard(state, new_state, parts, metrics), metrics

  return init, step

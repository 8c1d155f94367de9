"""The off-policy trainer (MPO family): ``init(key, hp) -> OffPolicyState``, ``step(state, hp)``.

One ``step`` is one iteration: unroll the current policy for ``unrolls × unroll_length`` steps
in ``num_envs`` Brax environments and insert each ``unroll_length`` slice into replay as one
sequence (with behaviour log-probs); then, once ``warmup_steps`` environment steps have been
collected, run ``updates_per_iteration`` learner updates (the update-to-data ratio is
``updates_per_iteration / (num_envs · unroll_length · unrolls)``). Each learner update samples
``batch_size`` sequences and

1. proposes actions in each transition's successor state ``s'_t`` (``successor_states``):
   the description's ``actions`` give N samples from the target policy, or every action of a
   categorical one, and the target critic scores them;
2. fits Q_φ to Retrace targets built from the target networks (``returns.retrace_targets``,
   ``c = λ min(1, π_target/b)``), with ``E_π Q(s'_t)`` read from that proposal;
3. E-step on the same proposal: one optimizer step on the temperature dual, then the weights;
4. M-step: one optimizer step on the policy loss (weighted log-likelihood plus the KL
   constraints against the target policy: decoupled α_μ KL_μ + α_Σ KL_Σ for a Gaussian, one
   α KL for a categorical), then one dual-ascent step on the multipliers;
5. updates the target networks (periodic copy or Polyak averaging).

Metrics: each iteration's ``learner_updates`` (0 while warming up); the learner's metrics (losses,
Q, KL, entropy, the E-step's ...) are means over the iteration's updates, and zeros on iterations
without any, so ``report_means`` averages them over the iterations that learned only (as CleanRL
and Brax's SAC log losses only once learning starts). The episodes, rewards, replay size and the
duals' values are the iteration's own, averaged over every iteration.

Observations are stored raw and normalised with the running statistics when they are used.
The trainer reads the run settings, its own options and hyperparameters
(``algorithms.OffPolicyOptions``/``OffPolicyHParams``) and the description's pieces.
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from pgkit import envs, replay
from pgkit.algorithms.off_policy import OffPolicy
from pgkit.losses import LossTerms
from pgkit.returns.retrace import retrace_targets
from pgkit.training import health as health_lib

Array = jax.Array


class Learner(NamedTuple):
  """The part of the state one learner update changes."""

  policy_params: Any
  target_policy_params: Any
  critic_params: Any
  target_critic_params: Any
  policy_opt_state: Any
  critic_opt_state: Any
  dual_state: Any
  reweighter_state: Any
  learner_steps: Array


class OffPolicyState(NamedTuple):
  learner: Learner
  replay: replay.ReplayState
  obs_stats: envs.RunningStats
  env_state: envs.EnvState
  key: Array
  iteration: Array
  health: health_lib.Health

  @property
  def policy_params(self):
    return self.learner.policy_params


def _example(env, length: int) -> envs.Transition:
  z = lambda *shape: jnp.zeros((length,) + shape)
  return envs.Transition(z(env.observation_size), env.action_example(length), z(), z(), z(),
                         z(env.observation_size), z())


def make_off_policy(run, options, env, policy, q_critic, build):
  """``init`` and ``step`` of the off-policy trainer for ``build(hp) -> OffPolicy``."""
  n_steps = options.retrace_steps or None

  def init(key, hp) -> OffPolicyState:
    algo = build(hp)
    k_policy, k_critic, k_env, key = jax.random.split(key, 4)
    policy_params, critic_params = policy.init(k_policy), q_critic.init(k_critic)
    learner = Learner(policy_params, policy_params, critic_params, critic_params,
                      algo.policy_optimizer.init(policy_params),
                      algo.critic_optimizer.init(critic_params), algo.duals.init(),
                      algo.reweighter.init(), jnp.zeros((), jnp.int32))
    return OffPolicyState(
        learner, replay.init(_example(env, run.unroll_length), options.replay_capacity),
        envs.init_stats(env.observation_size, run.observation_clip),
        envs.reset(env, k_env, run.num_envs, run.reset_states == "pool"),
        key, jnp.zeros((), jnp.int32), health_lib.healthy())

  def critic_update(algo: OffPolicy, hp, ln: Learner, batch, obs, v_next):
    target_pi = policy.apply(ln.target_policy_params, obs)
    q_target = q_critic.apply(ln.target_critic_params, obs, batch.action)
    log_rho = target_pi.log_prob(batch.action) - batch.behaviour_log_prob
    discount = hp.discount * (1.0 - batch.termination)
    continuation = 1.0 - jnp.maximum(batch.termination, batch.truncation)
    targets = jax.vmap(lambda *a: retrace_targets(*a, n_steps=n_steps),
                       in_axes=(0, 0, 0, 0, 0, None, 0))(
        q_target, v_next, batch.reward * hp.reward_scaling, discount, log_rho,
        hp.retrace_lambda, continuation)

    def loss_fn(p):
      q = q_critic.apply(p, obs, batch.action)
      return algo.critic_loss.apply(LossTerms(value=q.ravel(), value_target=targets.ravel()), {})

    (_, metrics), grads = jax.value_and_grad(loss_fn, has_aux=True)(ln.critic_params)
    updates, opt_state = algo.critic_optimizer.update(grads, ln.critic_opt_state,
                                                      ln.critic_params)
    metrics = dict(metrics, q_mean=jnp.mean(q_target), retrace_target_mean=jnp.mean(targets),
                   critic_grad_norm=optax.tree.norm(grads))
    return optax.apply_updates(ln.critic_params, updates), opt_state, metrics

  def propose(algo: OffPolicy, ln: Learner, states, key):
    """The target policy's proposal in ``states`` ``[B, obs]``, scored by the target critic."""
    target_pi = policy.apply(ln.target_policy_params, states)
    actions, q_values = algo.actions.propose(  # [K, B, ...] and Q of them
        target_pi, lambda a: q_critic.apply(ln.target_critic_params, states, a), key)
    return target_pi, actions, q_values

  def policy_update(algo: OffPolicy, ln: Learner, states, target_pi, actions, q_values):
    r_state = algo.reweighter.update(ln.reweighter_state, q_values=q_values)
    weights, e_metrics = algo.reweighter.weights(r_state, q_values)
    dual_values = algo.duals.values(ln.dual_state)

    def loss_fn(p):
      terms = algo.actions.m_step_terms(target_pi, policy.apply(p, states), actions, weights)
      return algo.policy_loss.apply(terms, dual_values)

    (_, metrics), grads = jax.value_and_grad(loss_fn, has_aux=True)(ln.policy_params)
    updates, opt_state = algo.policy_optimizer.update(grads, ln.policy_opt_state,
                                                      ln.policy_params)
    dual_state = algo.duals.update(ln.dual_state, **metrics)
    params = optax.apply_updates(ln.policy_params, updates)
    kl = jnp.mean(target_pi.kl_divergence(policy.apply(params, states)))
    return params, opt_state, dual_state, r_state, dict(
        metrics, **e_metrics, kl=kl, entropy=jnp.mean(target_pi.entropy()),
        policy_grad_norm=optax.tree.norm(grads))

  def update_targets(hp, ln: Learner):
    steps = ln.learner_steps + 1
    if options.target_update == "polyak":
      mix = lambda online, target: jax.tree.map(
          lambda o, t: hp.polyak_tau * o + (1.0 - hp.polyak_tau) * t, online, target)
    else:
      copy = steps % options.target_update_period == 0
      mix = lambda online, target: jax.tree.map(lambda o, t: jnp.where(copy, o, t), online,
                                                target)
    return ln._replace(target_policy_params=mix(ln.policy_params, ln.target_policy_params),
                       target_critic_params=mix(ln.critic_params, ln.target_critic_params),
                       learner_steps=steps)

  def learner_step(algo, hp, buffer, obs_stats, ln: Learner, key):
    k_sample, k_actions = jax.random.split(key)
    batch = replay.sample(buffer, k_sample, options.batch_size)  # [S, T, ...]
    obs = envs.normalize(obs_stats, batch.observation)
    states = successor_states(obs, envs.normalize(obs_stats, batch.next_observation),
                              batch.termination).reshape(-1, obs.shape[-1])  # [S·T, obs]
    target_pi, actions, q_values = propose(algo, ln, states, k_actions)
    v_next = algo.actions.expected_q(q_values).reshape(batch.reward.shape)
    critic_params, critic_opt_state, c_metrics = critic_update(algo, hp, ln, batch, obs, v_next)
    policy_params, policy_opt_state, dual_state, r_state, p_metrics = policy_update(
        algo, ln, states, target_pi, actions, q_values)
    ln = Learner(policy_params, ln.target_policy_params, critic_params, ln.target_critic_params,
                 policy_opt_state, critic_opt_state, dual_state, r_state, ln.learner_steps)
    return update_targets(hp, ln), dict(c_metrics, **p_metrics)

  def step(state: OffPolicyState, hp):
    algo = build(hp)
    key, k_reset, k_unroll, k_learn = jax.random.split(state.key, 4)
    env_state, traj, episodes, _ = envs.collect(
        env, policy, state.policy_params, state.obs_stats, state.env_state, k_reset, k_unroll,
        run.unrolls, run.unroll_length, run.episode_length)
    sequences = jax.tree.map(lambda x: jnp.swapaxes(envs.split_sequences(x, run.unrolls), 0, 1),
                             traj)  # [U·B, T]
    buffer = replay.insert(state.replay, sequences)
    obs_stats = state.obs_stats
    if run.normalize_observations:
      obs_stats = envs.update_stats(obs_stats, traj.observation)

    keys = jax.random.split(k_learn, options.updates_per_iteration)
    learn = lambda ln: jax.lax.scan(
        lambda l, k: learner_step(algo, hp, buffer, obs_stats, l, k), ln, keys)
    shapes = jax.eval_shape(learn, state.learner)[1]
    skip = lambda ln: (ln, jax.tree.map(lambda s: jnp.zeros(s.shape[1:], s.dtype), shapes))
    learning = buffer.size * run.unroll_length >= max(options.warmup_steps, 1)
    ln, metrics = jax.lax.cond(learning,
                               lambda ln: (lambda o: (o[0], jax.tree.map(jnp.mean, o[1])))(
                                   learn(ln)), skip, state.learner)

    own = dict(episodes=episodes.count, episode_return_sum=episodes.return_sum,
               reward_mean=jnp.mean(traj.reward), replay_size=buffer.size,
               learner_updates=jnp.where(learning, options.updates_per_iteration, 0))
    assert tuple(own) == _ITERATION_METRICS  # report_means averages these over every iteration
    metrics = dict(metrics, **{f"dual_{k}": v for k, v in algo.duals.values(ln.dual_state).items()},
                   **algo.reweighter.values(ln.reweighter_state), **own)
    new_state = OffPolicyState(ln, buffer, obs_stats, env_state, key, state.iteration + 1,
                               state.health)
    parts = dict(observation=traj.observation, reward=traj.reward,
                 policy_params=ln.policy_params, policy_opt_state=ln.policy_opt_state,
                 critic_params=ln.critic_params, critic_opt_state=ln.critic_opt_state,
                 duals=(ln.dual_state, ln.reweighter_state))
    return health_lib.guard(state, new_state, parts, metrics), metrics

  return init, step


def successor_states(obs: Array, next_obs: Array, termination: Array) -> Array:
  """The states a learner update improves the policy in: each transition's successor ``s'_t``,
  whose ``E_π Q`` Retrace bootstraps from, so one proposal scored by the target critic serves
  the E-step and Retrace alike (it halves the critic evaluations of sampled actions). After a
  termination ``s'_t`` is a state the critic is never fitted in and Retrace does not read
  (``γ_t = 0``), so ``s_t`` stands in. ``obs``/``next_obs`` ``[..., obs]``, ``termination``
  ``[...]``."""
  return jnp.where(termination[..., None] > 0, obs, next_obs)


# The metrics of the iteration itself, beside the duals' and the E-step temperature's values.
_ITERATION_METRICS = ("episodes", "episode_return_sum", "reward_mean", "replay_size",
                      "learner_updates")


def iteration_metric_names(algo: OffPolicy) -> frozenset[str]:
  """The metrics ``step`` gives a value on every iteration, warm-up included: the iteration's
  own and the dual variables' (``dual_<name>`` and the E-step temperature's name)."""
  return frozenset(_ITERATION_METRICS + tuple(f"dual_{n}" for n in algo.duals.names)
                   + tuple(algo.reweighter.names))


def report_means(iteration_metrics: frozenset[str]) -> Callable[[dict], dict[str, float]]:
  """``means(metrics) -> {name: mean}`` over a report's iterations (each metric an array
  ``[iterations]``): ``iteration_metrics`` over every iteration, the learner's over the
  iterations with ``learner_updates`` > 0 (NaN when the report has none: warm-up only)."""

  def means(metrics: dict) -> dict[str, float]:
    learned = np.asarray(metrics["learner_updates"]) > 0
    return {k: float(np.mean(v)) if k in iteration_metrics
            else float(np.mean(np.asarray(v)[learned])) if learned.any() else math.nan
            for k, v in metrics.items()}

  return means

"""``make_trainer(settings)``: the pure functions of a run, built once per static settings.

* ``init(key, hp) -> state`` and ``step(state, hp) -> (state, metrics)``
* ``train(key, hp) -> (state, metrics)``: ``init`` then ``lax.scan`` of ``step`` over
  ``run.num_iterations``; one jittable function of a key, so
  ``jax.jit(jax.vmap(jax.vmap(train, (0, None)), (None, axes)))`` runs seeds × hyperparameters.
* ``evaluate(state, key) -> mean return`` of the deterministic policy.
* ``report_means(metrics) -> {name: mean}``: a report's row from its iterations' metrics (the
  off-policy learner's metrics over the iterations that learned, past the warm-up).

Only the run settings and the algorithm's static options shape the trainer; the
hyperparameters are an argument, so one trainer serves every value of them (traced or not).
"""
from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import jax
import numpy as np

from pgkit import envs, networks
from pgkit.settings import Algorithm, Options, RunSettings, Settings
from pgkit.training import off_policy
from pgkit.training.on_policy import make_on_policy


class Trainer(NamedTuple):
  algo: Algorithm
  run: RunSettings
  options: Options
  env: object
  policy: networks.Policy
  init: Callable
  step: Callable
  train: Callable
  evaluate: Callable
  report_means: Callable[[dict], dict[str, float]]

  @property
  def steps_per_iteration(self) -> int:
    return self.run.steps_per_iteration


def make_policy(run: RunSettings, env) -> networks.Policy:
  """The run's policy family (``auto`` follows the env's action space) sized for ``env``."""
  scale = dict(final_scale=run.policy_init_scale)
  if run.policy_family == "categorical":
    return networks.categorical_policy(env.observation_size, env.num_actions, run.policy_hidden,
                                       run.activation, **scale)
  kind = {"tanh_gaussian": networks.tanh_gaussian_policy, "gaussian": networks.gaussian_policy}
  return kind[run.policy_family](env.observation_size, env.action_size, run.policy_hidden,
                                 run.activation, **scale)


def make_q_critic(run: RunSettings, env) -> networks.QCritic:
  """Q(s, a): one output per action for discrete actions, else a network of ``[s, a]``."""
  if env.discrete:
    return networks.discrete_q_critic(env.observation_size, env.num_actions, run.critic_hidden,
                                      run.activation, run.critic_matmul)
  return networks.q_critic(env.observation_size, env.action_size, run.critic_hidden,
                           run.activation, run.critic_matmul)


def make_trainer(settings: Settings) -> Trainer:
  """Validates ``settings`` (every field, before anything is built) and returns its trainer;
  trainers are shared by settings that differ only in hyperparameters, seed or output places."""
  settings.validate()
  return _trainer(settings.algo, settings.run.compiled_part(), settings.options)


@functools.lru_cache(maxsize=16)
def _trainer(algo: Algorithm, run: RunSettings, options: Options) -> Trainer:
  env = envs.make_env(run.env, run.backend)
  policy = make_policy(run, env)
  build = lambda hp: algo(run, options, hp)
  if options.trainer == "off_policy":
    critic = make_q_critic(run, env)
    init, step = off_policy.make_off_policy(run, options, env, policy, critic, build)
    report_means = off_policy.report_means(off_policy.iteration_metric_names(
        build(algo.hparams())))
  else:
    # Building the description compiles nothing; it tells whether saved states are needed.
    needs_states = build(algo.hparams()).policy_batch.needs_env_states
    envs.check_restorable(env, needs_states, algo.name)
    critic = networks.value_critic(env.observation_size, run.critic_hidden, run.activation,
                                   run.critic_matmul)
    init, step = make_on_policy(run, options, env, policy, critic, build)
    report_means = lambda metrics: {k: float(np.mean(v)) for k, v in metrics.items()}

  def train(key, hp):
    state = init(key, hp)
    return jax.lax.scan(lambda s, _: step(s, hp), state, None, length=run.num_iterations)

  def evaluate(state, key):
    return envs.evaluate(env, policy, state.policy_params, state.obs_stats, key, run.eval_envs,
                         run.episode_length)

  return Trainer(algo, run, options, env, policy, init, step, train, evaluate, report_means)

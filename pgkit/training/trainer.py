"""``make_trainer(config)``: the pure functions of a training run, built once per static config.

* ``init(key, hp) -> state`` and ``step(state, hp) -> (state, metrics)``
* ``train(key, hp) -> (state, metrics)``: ``init`` then ``lax.scan`` of ``step`` over
  ``config.num_iterations``; one jittable function of a key, so
  ``jax.jit(jax.vmap(jax.vmap(train, (0, None)), (None, 0)))`` runs seeds × hyperparameters.
* ``evaluate(state, key) -> mean return`` of the deterministic policy.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import jax

from pgkit import envs, networks
from pgkit.algorithms import ALGORITHMS, OFF_POLICY_ALGORITHMS
from pgkit.training.config import Config
from pgkit.training.off_policy import make_off_policy
from pgkit.training.on_policy import make_on_policy


class Trainer(NamedTuple):
  config: Config
  env: object
  policy: networks.Policy
  init: Callable
  step: Callable
  train: Callable
  evaluate: Callable
  steps_per_iteration: int


def make_policy(config: Config, env) -> networks.Policy:
  kind = {"tanh_gaussian": networks.tanh_gaussian_policy, "gaussian": networks.gaussian_policy}
  if config.policy not in kind:
    raise ValueError(f"policy must be one of {list(kind)} for Brax's continuous actions, "
                     f"got {config.policy!r}")
  return kind[config.policy](env.observation_size, env.action_size, config.policy_hidden,
                             config.activation)


def make_trainer(config: Config) -> Trainer:
  known = {**ALGORITHMS, **OFF_POLICY_ALGORITHMS}
  if config.algo not in known:
    raise ValueError(f"algo must be one of {sorted(known)}, got {config.algo!r}")
  env = envs.make_env(config.env, config.backend)
  policy = make_policy(config, env)
  if config.algo in OFF_POLICY_ALGORITHMS:
    critic = networks.q_critic(env.observation_size, env.action_size, config.q_hidden,
                               config.activation)
    init, step = make_off_policy(config, env, policy, critic, OFF_POLICY_ALGORITHMS[config.algo])
  else:
    critic = networks.value_critic(env.observation_size, config.critic_hidden, config.activation)
    init, step = make_on_policy(config, env, policy, critic, ALGORITHMS[config.algo])

  def train(key, hp):
    state = init(key, hp)
    return jax.lax.scan(lambda s, _: step(s, hp), state, None, length=config.num_iterations)

  def evaluate(state, key):
    return envs.evaluate(env, policy, state.policy_params, state.obs_stats, key,
                         config.eval_envs, config.episode_length)

  return Trainer(config, env, policy, init, step, train, evaluate, config.steps_per_iteration)

"""What an on-policy algorithm is: a bundle of pieces the trainer runs, and helpers to build them.

An algorithm factory ``name(config, hp) -> OnPolicy`` reads static options from ``config`` and
float hyperparameters (possibly traced) from ``hp``, the way optax's ``alias.py`` builds
optimizers from their hyperparameters.
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple, Optional

import jax
import optax

from pgkit import returns
from pgkit.duals import DualUpdater
from pgkit.duals import none as no_duals
from pgkit.losses import LossTransform, value_loss

# (reward_t, value_t, next_value_t, termination_t, truncation_t) -> advantage_t, all [T].
AdvantageFn = Callable[..., jax.Array]


class OnPolicy(NamedTuple):
  """An on-policy algorithm: how to score actions, and how to update policy, critic and duals."""

  policy_loss: LossTransform
  policy_optimizer: optax.GradientTransformationExtraArgs
  critic_loss: LossTransform
  critic_optimizer: optax.GradientTransformation
  advantages: AdvantageFn
  epochs: int = 1  # static: passes over the batch per iteration
  minibatches: int = 1  # static: minibatches per pass (split along the env axis)
  duals: DualUpdater = no_duals()
  importance: str = "per_step"  # how log-probs aggregate into the ratio (returns.importance)
  target_kl: Any = math.inf  # stop the policy updates of an iteration once KL exceeds this
  normalize_advantages: bool = True
  # V-MPO: an E-step reweighter over each minibatch's advantages fills ``LossTerms.weight`` (its
  # temperature state lives in ``TrainState.reweighter_state``), and ``decoupled_kl`` fills
  # ``kl_mean``/``kl_cov`` and feeds their batch means to ``duals.update``.
  reweighter: Any = None
  decoupled_kl: bool = False
  # Optional ``fn(key, Rollout) -> Batch`` building the policy-update batch from the rollout
  # (TRPO's vine sampling); None uses the single-path batch. The critic always fits the latter.
  policy_batch: Optional[Callable[..., Any]] = None
  # ``fn(policy_opt_state) -> {name: scalar}`` metrics logged after each policy update.
  optimizer_metrics: Callable[[Any], dict] = lambda opt_state: {}


class Rollout(NamedTuple):
  """What a ``policy_batch`` hook reads: the single-path rollout and what produced it."""

  env: Any
  policy: Any  # networks.Policy
  critic: Any  # networks.Critic
  policy_params: Any  # θ_old, the policy that acted
  critic_params: Any
  obs_stats: Any  # the normalisation used while acting
  brax_states: Any  # Brax states [T, B] before each step (saved for branching)
  batch: Any  # the single-path batch [T, B] (normalised observations, GAE advantages, ...)


def gae_advantages(hp) -> AdvantageFn:
  def fn(reward, value, next_value, termination, truncation):
    return returns.gae(reward, value, next_value, termination, truncation, hp.discount,
                       hp.gae_lambda)
  return fn


def reward_to_go_advantages(hp) -> AdvantageFn:
  """``G_t − V(s_t)``: the REINFORCE-with-baseline advantage."""
  def fn(reward, value, next_value, termination, truncation):
    return returns.reward_to_go(reward, next_value, termination, truncation, hp.discount) - value
  return fn


def adam(config, hp, learning_rate, updates_per_iteration: int):
  """Adam with global-norm clipping, and optax's linear decay when ``lr_schedule='linear'``."""
  if config.lr_schedule == "linear":
    total = config.num_iterations * updates_per_iteration
    learning_rate = optax.linear_schedule(learning_rate, 0.0, total)
  return optax.chain(optax.clip_by_global_norm(hp.max_grad_norm), optax.adam(learning_rate))


def critic(config, hp):
  """The critic's loss and optimizer, shared by every on-policy assembly."""
  clip = hp.value_clip_epsilon if config.value_clipping else None
  updates = config.critic_epochs * config.critic_minibatches
  return dict(critic_loss=value_loss(1.0, clip),
              critic_optimizer=adam(config, hp, hp.critic_learning_rate, updates))

"""A new algorithm is a new assembly: PPO-clip plus an adaptive KL penalty, registered by name.

Nothing here touches the trainer: the assembly picks loss transforms, an optax chain and a
dual updater, and ``pgkit train clip_kl`` would work the same way once registered.
"""
import dataclasses

import optax

import pgkit
from pgkit import duals, losses
from pgkit.algorithms import ALGORITHMS, OnPolicy, gae_advantages
from pgkit.algorithms.base import critic


def clip_kl(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.clipped_surrogate(hp.clip_epsilon),
                               losses.kl_penalty("beta"), losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(optax.clip_by_global_norm(hp.max_grad_norm),
                                   optax.adam(hp.learning_rate)),
      advantages=gae_advantages(hp),
      epochs=config.epochs, minibatches=config.minibatches,
      duals=duals.adaptive_kl_dual_ascent(hp.kl_target, hp.beta_learning_rate, 0.1),
      **critic(config, hp))


ALGORITHMS["clip_kl"] = clip_kl
config, hp = pgkit.preset("ppo_clip", "inverted_pendulum")
pgkit.run(dataclasses.replace(config, algo="clip_kl"), hp)

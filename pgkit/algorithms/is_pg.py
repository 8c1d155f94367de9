"""Importance-sampled policy gradient: the surrogate ``−mean(ρ·Â)`` reused for several epochs on
one batch, with the ratio ρ per step, per decision or over the whole trajectory (config
``importance``), optionally truncated at ``hp.max_ratio`` (seed notes 000/001)."""
from pgkit import losses
from pgkit.algorithms.base import OnPolicy, adam, critic, gae_advantages


def is_pg(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.surrogate(hp.max_ratio),
                               losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=adam(config, hp, hp.learning_rate, config.epochs * config.minibatches),
      advantages=gae_advantages(hp),
      epochs=config.epochs, minibatches=config.minibatches,
      importance=config.importance,
      **critic(config, hp))

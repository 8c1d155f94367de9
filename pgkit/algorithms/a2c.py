"""Advantage actor-critic (Mnih et al. 2016, arXiv:1602.01783) with GAE(γ, λ) advantages:
one synchronous gradient step per batch on ``−log π(a|s)·Â`` plus an entropy bonus."""
from pgkit import losses
from pgkit.algorithms.base import OnPolicy, adam, critic, gae_advantages


def a2c(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.reinforce(), losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=adam(config, hp, hp.learning_rate, 1),
      advantages=gae_advantages(hp),
      **critic(config, hp))

"""Advantage actor-critic (Mnih et al. 2016, "Asynchronous Methods for Deep Reinforcement
Learning", arXiv:1602.01783) with GAE(γ, λ) advantages: one synchronous gradient step per batch
on ``−log π(a|s)·Â`` plus an entropy bonus."""
from pgkit import losses
from pgkit.algorithms.base import (Entropy, GAEHParams, LearningRate, OnPolicy, OnPolicyOptions,
                                   gae_advantages, policy_adam, shared)
from pgkit.settings import algorithm


class A2COptions(OnPolicyOptions):
  pass


class A2CHParams(GAEHParams, LearningRate, Entropy):
  pass


@algorithm(options=A2COptions, hparams=A2CHParams)
def a2c(run, options, hp) -> OnPolicy:
  """Advantage actor-critic: one policy-gradient step per batch."""
  return OnPolicy(
      policy_loss=losses.chain(losses.reinforce(), losses.entropy_bonus(hp.entropy_coef)),
      advantages=gae_advantages(hp),
      **policy_adam(run, options, hp),
      **shared(run, options, hp))

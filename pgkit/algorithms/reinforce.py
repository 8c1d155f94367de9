"""REINFORCE with a learned baseline (Williams 1992, "Simple Statistical Gradient-Following
Algorithms for Connectionist Reinforcement Learning", Machine Learning 8): one gradient step per
batch on ``−log π(a|s)·(G − V(s))`` plus an optional entropy bonus."""
from pgkit import losses
from pgkit.algorithms.base import (Entropy, LearningRate, OnPolicy, OnPolicyHParams,
                                   OnPolicyOptions, policy_adam, reward_to_go_advantages, shared)
from pgkit.settings import algorithm


class ReinforceOptions(OnPolicyOptions):
  pass


class ReinforceHParams(OnPolicyHParams, LearningRate, Entropy):
  pass


@algorithm(options=ReinforceOptions, hparams=ReinforceHParams,
           presets={"inverted_pendulum": dict(unroll_length=128, num_timesteps=250_000,
                                              learning_rate=3e-3)})
def reinforce(run, options, hp) -> OnPolicy:
  """REINFORCE with a learned value baseline."""
  return OnPolicy(
      policy_loss=losses.chain(losses.reinforce(), losses.entropy_bonus(hp.entropy_coef)),
      advantages=reward_to_go_advantages(hp),
      **policy_adam(run, options, hp),
      **shared(run, options, hp))

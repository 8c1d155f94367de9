"""Importance-sampled policy gradient: the surrogate ``−mean(ρ·Â)`` reused for several epochs on
one batch, with the ratio ρ per step, per decision or over the whole trajectory (option
``importance``; Precup et al. 2000, "Eligibility Traces for Off-Policy Policy Evaluation"), and
optionally truncated at ``max_ratio`` (Wang et al. 2016, "Sample Efficient Actor-Critic with
Experience Replay", arXiv:1611.01224)."""
import math

from pgkit import losses
from pgkit.algorithms.base import (Entropy, GAEHParams, LearningRate, MinibatchOptions, OnPolicy,
                                   gae_advantages, policy_adam, shared)
from pgkit.settings import algorithm, field


class ISPGOptions(MinibatchOptions):
  importance: str = field("per_step", "how log-probabilities make the ratio ρ",
                          choices=("per_step", "per_decision", "trajectory"))


class ISPGHParams(GAEHParams, LearningRate, Entropy):
  max_ratio: float = field(math.inf, "truncation c̄ of the ratio, min(ρ, c̄) (inf: none)", gt=0.0,
                           inf=True)


@algorithm(options=ISPGOptions, hparams=ISPGHParams,
           presets={"inverted_pendulum": dict(epochs=2, minibatches=4, learning_rate=3e-4,
                                              max_ratio=2.0)})
def is_pg(run, options, hp) -> OnPolicy:
  """Importance-sampled policy gradient with optional ratio truncation."""
  return OnPolicy(
      policy_loss=losses.chain(losses.surrogate(hp.max_ratio),
                               losses.entropy_bonus(hp.entropy_coef)),
      advantages=gae_advantages(hp),
      **policy_adam(run, options, hp, options.epochs, options.minibatches),
      **shared(run, options, hp, importance=options.importance))

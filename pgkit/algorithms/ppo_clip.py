"""PPO-clip (Schulman et al. 2017, "Proximal Policy Optimization Algorithms", arXiv:1707.06347):
the clipped surrogate plus an entropy bonus, epochs × minibatches of Adam per batch, optax
learning-rate schedules, and an early stop of the iteration's remaining updates once
KL(π_old‖π_θ) exceeds ``target_kl``."""
import math

from pgkit import losses
from pgkit.algorithms.base import (Entropy, GAEHParams, LearningRate, MinibatchOptions, OnPolicy,
                                   advantage_estimate, kl_above, policy_adam, shared)
from pgkit.settings import HParams, algorithm, field, presets


class PPOClipOptions(MinibatchOptions):
  advantage_span: str = field("trajectory", "GAE's traces run over each env's whole trajectory "
                              "of an iteration (trajectory) or stop at the end of each "
                              "unroll_length-step sequence, bootstrapping from V there "
                              "(sequence, as Brax's PPO)", choices=("trajectory", "sequence"))
  advantage_estimate: str = field("gae", "the policy's advantage: GAE(γ, λ) (gae), or r_t + γ "
                                  "G^λ_{t+1} − V(s_t), the next step's λ-return one step back "
                                  "(lambda_return, as Brax's PPO); the critic fits the λ-return "
                                  "either way", choices=("gae", "lambda_return"))


class ClipHParams(HParams):
  """PPO's clipping and early stop (a mixin: hybrids of PPO reuse it)."""

  clip_epsilon: float = field(0.2, "ε: the ratio is clipped to [1 − ε, 1 + ε]", gt=0.0)
  target_kl: float = field(math.inf, "stop an iteration's remaining updates once KL exceeds "
                           "this (inf: never)", gt=0.0, inf=True)


class PPOClipHParams(GAEHParams, LearningRate, Entropy, ClipHParams):
  pass


@algorithm(options=PPOClipOptions, hparams=PPOClipHParams,
           presets={"inverted_pendulum": dict(clip_epsilon=0.2),
                    **{env: presets.locomotion(env) for env in presets.LOCOMOTION}})
def ppo_clip(run, options, hp) -> OnPolicy:
  """PPO with the clipped surrogate objective."""
  return OnPolicy(
      policy_loss=losses.chain(losses.clipped_surrogate(hp.clip_epsilon),
                               losses.entropy_bonus(hp.entropy_coef)),
      advantages=advantage_estimate(
          hp, options.advantage_estimate,
          run.unroll_length if options.advantage_span == "sequence" else None),
      early_stop=kl_above(hp.target_kl),
      **policy_adam(run, options, hp, options.epochs, options.minibatches),
      **shared(run, options, hp))

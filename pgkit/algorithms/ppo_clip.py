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


# Every computation of Brax's PPO that ppo_clip has as an option: one critic update on each
# policy minibatch, GAE within each sequence, the λ-return advantage, the tanh-squashed entropy,
# Brax's last-layer scale and unclipped normalised observations. With all of them a minibatch
# update takes Brax's gradients, but for the entropy bonus's noise and truncated steps
# (tests/training/test_brax_ppo_parity.py). Hopper takes them: on its CPU proxy (5 seeds to
# 5.2 M steps) every seed hopped with them and the mean ended above the locomotion preset's and
# Brax PPO's; the joint schedule, the last-layer scale and the unclipped observations carry that,
# only together (examples/benchmarks/RESULTS.md, "Hopper with all of Brax's computations" and
# "Hopper: which of Brax's computations matter", which hold the figures). The λ-return pair and
# the squashed entropy made no difference there (3 seeds) and stay, so the update is Brax's.
BRAX_COMPUTATIONS = dict(critic_updates="joint", advantage_span="sequence",
                         advantage_estimate="lambda_return", entropy_estimate="squashed",
                         policy_init_scale=1.0, observation_clip=math.inf)
# Ant takes them all but Brax's last-layer scale, which kept every seed from walking by 3.9 M
# steps ("Ant ablation on this CPU"). To 13.8 M steps (3 seeds) the other five had the higher
# mean than the joint schedule alone at 3 of the 4 evaluations from halfway, a spread of ± 45-253
# against ± 202-561, and Brax PPO's mean below theirs at 3 of 4 (RESULTS.md, "Ant: all of
# Brax's computations but the last-layer scale"). Halfcheetah keeps the joint schedule alone:
# with these four its mean was lower at each of the 4 evaluations from halfway to 2.3 M steps
# (3 seeds), and with all six it started its gait with Brax PPO, 0.3-0.7 M steps later
# ("Halfcheetah with Brax's computations").
ANT_COMPUTATIONS = {k: v for k, v in BRAX_COMPUTATIONS.items() if k != "policy_init_scale"}


@algorithm(options=PPOClipOptions, hparams=PPOClipHParams,
           presets={"inverted_pendulum": dict(clip_epsilon=0.2),
                    **{env: presets.locomotion(env) for env in presets.LOCOMOTION},
                    "hopper": presets.locomotion("hopper", **BRAX_COMPUTATIONS),
                    "ant": presets.locomotion("ant", **ANT_COMPUTATIONS)})
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

"""What an off-policy (MPO-family) algorithm is: the pieces ``training.off_policy`` runs, and
the settings that trainer declares (replay, learner shape, Retrace, target networks).

The trainer owns acting, replay, Retrace targets and target networks; an assembly chooses the
E-step reweighter, the M-step loss and its duals, and the optimizers.
"""
from __future__ import annotations

from typing import ClassVar, NamedTuple

import optax

from pgkit.duals import DualUpdater
from pgkit.estep import Reweighter
from pgkit.algorithms.mpo_actions import MPOActions
from pgkit.losses import LossTransform
from pgkit.settings import HParams, Options, field


class OffPolicy(NamedTuple):
  """An off-policy algorithm over replayed sequences with a Q critic and target networks.

  Attributes:
    reweighter: E-step over the values ``actions.propose`` gives (``[N, B]`` Q values of
      sampled actions, or ``estep.ActionValues`` of every action of a categorical policy).
    policy_loss: M-step loss; reads the terms ``actions.m_step_terms`` gives (``log_prob``,
      ``weight`` and ``kl_mean``, ``kl_cov`` or ``kl``).
    policy_optimizer: optax transform for the policy.
    duals: updaters of the M-step multipliers, fed the policy loss's metrics.
    critic_loss: Q regression; reads ``value`` (Q_φ(s,a)) and ``value_target`` (Retrace).
    critic_optimizer: optax transform for the critic.
    actions: how the E-step, Retrace's ``E_π Q`` and the M-step read the policy's actions
      (``mpo_actions.sampled(N)`` or ``mpo_actions.enumerated()``).
  """

  reweighter: Reweighter
  policy_loss: LossTransform
  policy_optimizer: optax.GradientTransformation
  duals: DualUpdater
  critic_loss: LossTransform
  critic_optimizer: optax.GradientTransformation
  actions: MPOActions


class OffPolicyOptions(Options):
  """Options the off-policy trainer reads: replay, learner updates, Retrace, target networks."""

  trainer: ClassVar[str] = "off_policy"

  replay_capacity: int = field(2048, "replay size in sequences of unroll_length steps", ge=1)
  batch_size: int = field(32, "sequences per learner update", ge=1)
  updates_per_iteration: int = field(8, "learner updates per iteration (the update-to-data "
                                     "ratio is this / (num_envs · unroll_length · unrolls))",
                                     ge=1)
  warmup_steps: int = field(1024, "environment steps collected before the first update", ge=0)
  num_action_samples: int = field(16, "N actions per state for the E-step and Retrace's E_π Q "
                                  "(a categorical policy uses every action instead)", ge=1)
  retrace_steps: int = field(0, "n of Retrace's truncation (0: traces to the sequence end)",
                             ge=0)
  target_update: str = field("periodic", "target networks: a copy every target_update_period "
                             "updates, or Polyak averaging with polyak_tau",
                             choices=("periodic", "polyak"))
  target_update_period: int = field(100, "learner updates between target-network copies", ge=1)
  lr_schedule: str = field("constant", "learning-rate schedule of the Adam optimizers",
                           choices=("constant", "linear"))

  def relations(self, run):
    yield from super().relations(run)
    if run is None:
      return
    if self.replay_capacity < run.num_sequences:
      yield "replay_capacity", (f">= num_envs · unrolls = {run.num_sequences} (the sequences "
                                "one iteration inserts)")
    elif self.warmup_steps > self.replay_capacity * run.unroll_length:
      yield "warmup_steps", (f"<= replay_capacity · unroll_length = "
                             f"{self.replay_capacity * run.unroll_length} (what the replay holds;"
                             " more would never be collected and nothing would be learned)")


class OffPolicyHParams(HParams):
  """Hyperparameters the off-policy trainer reads, and both Adam optimizers'."""

  discount: float = field(0.99, "discount factor γ", ge=0.0, le=1.0)
  reward_scaling: float = field(1.0, "rewards are multiplied by this before any estimate",
                                gt=0.0)
  learning_rate: float = field(3e-4, "Adam step size of the policy", gt=0.0)
  critic_learning_rate: float = field(1e-3, "Adam step size of the Q critic", gt=0.0)
  max_grad_norm: float = field(0.5, "global-norm clipping of every Adam gradient (inf: off)",
                               gt=0.0, inf=True)
  retrace_lambda: float = field(1.0, "λ of Retrace's traces c = λ min(1, π/b)", ge=0.0, le=1.0)
  polyak_tau: float = field(5e-3, "Polyak step of the target networks", gt=0.0, le=1.0)

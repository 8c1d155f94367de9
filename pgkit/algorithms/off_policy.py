"""What an off-policy (MPO-family) algorithm is: the pieces ``training.off_policy`` runs.

The trainer owns acting, replay, Retrace targets and target networks; an assembly chooses the
E-step reweighter, the M-step loss and its duals, and the optimizers.
"""
from __future__ import annotations

from typing import NamedTuple

import optax

from pgkit.duals import DualUpdater
from pgkit.estep import Reweighter
from pgkit.losses import LossTransform


class OffPolicy(NamedTuple):
  """An off-policy algorithm over replayed sequences with a Q critic and target networks.

  Attributes:
    reweighter: E-step over ``[N, B]`` Q values of actions sampled from the target policy.
    policy_loss: M-step loss; reads ``log_prob``, ``weight``, ``kl_mean``, ``kl_cov``.
    policy_optimizer: optax transform for the policy.
    duals: updaters of the M-step multipliers, fed the policy loss's metrics.
    critic_loss: Q regression; reads ``value`` (Q_φ(s,a)) and ``value_target`` (Retrace).
    critic_optimizer: optax transform for the critic.
  """

  reweighter: Reweighter
  policy_loss: LossTransform
  policy_optimizer: optax.GradientTransformation
  duals: DualUpdater
  critic_loss: LossTransform
  critic_optimizer: optax.GradientTransformation

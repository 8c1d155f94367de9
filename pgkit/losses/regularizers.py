"""Regularising loss transforms: the KL penalty and the entropy bonus."""
from __future__ import annotations

import jax.numpy as jnp

from pgkit.losses.base import LossTerms, LossTransform, dual, require


def kl_penalty(dual_name: str = "beta") -> LossTransform:
  """KL penalty ``L = β · mean(KL(π_old ‖ π_θ))`` with β read from the duals by name.

  The penalised objective of PPO-KL (arXiv:1707.06347, eq. 8); β is a constant for the policy
  loss and is adapted by a dual updater (``pgkit.duals``).
  """

  def apply(terms: LossTerms, duals):
    require(terms, "kl_penalty", "kl")
    beta = dual(duals, dual_name)
    kl = jnp.mean(terms.kl)
    return beta * kl, {"kl_penalty": beta * kl, dual_name: beta}

  return LossTransform(apply)


def entropy_bonus(coefficient) -> LossTransform:
  """Entropy regularisation ``L = −c · mean(H[π_θ(·|s)])`` (Williams & Peng 1991)."""

  def apply(terms: LossTerms, duals):
    require(terms, "entropy_bonus", "entropy")
    entropy = jnp.mean(terms.entropy)
    return -coefficient * entropy, {"entropy": entropy}

  return LossTransform(apply)

"""The decoupled M-step MPO and V-MPO share (Abdolmaleki et al. 2018, "Relative Entropy
Regularized Policy Iteration", arXiv:1812.02256): weighted maximum likelihood under separate
KL bounds on the mean and the covariance, ``KL_μ ≤ ε_μ`` and ``KL_Σ ≤ ε_Σ``, with Lagrange
multipliers α_μ, α_Σ stepped by projected dual ascent, and the E-step temperature's settings.
A categorical policy has no mean/covariance split: its M-step bounds the one KL,
``mean_s KL(π_old‖π_θ) ≤ ε``, with one multiplier α.

In MPO the bounds hold against the *target* policy, which follows θ by a Polyak step τ (or a
copy every P updates, τ ≈ 1/P) per learner update. Split evenly over D action dimensions (for
small steps ``KL_Σ,d ≈ (Δ log σ_d)²``), the target's mean moves at most ``τ σ √(2ε_μ/D)`` and
its ``log σ`` at most ``τ √(ε_Σ/D)`` per learner update: ε, τ and the updates per env step
together set how fast the policy can change. With 16 updates per 1024 env steps, τ = 5e-3,
ε_Σ = 1e-5 and D = 8 (Ant), σ can shrink by at most e^0.09 in 1 M env steps (measured: its
median went from 0.69 to 0.68; with ε_Σ = 1e-2, to 0.15-0.28; examples/benchmarks/RESULTS.md)."""
from __future__ import annotations

from pgkit import duals, losses
from pgkit.settings import HParams, field


class MStepHParams(HParams):
  """E-step temperature and M-step trust regions of MPO-family algorithms."""

  estep_epsilon: float = field(0.1, "ε of the E-step: KL(q ‖ π) bound that sets η", gt=0.0)
  temperature_init: float = field(1.0, "initial temperature η", gt=0.0)
  temperature_learning_rate: float = field(1e-2, "Adam step size of η's dual", gt=0.0)
  epsilon_mean: float = field(2.5e-3, "ε_μ: bound on the mean part of KL(π_old ‖ π_θ)", gt=0.0)
  epsilon_cov: float = field(1e-5, "ε_Σ: bound on the covariance part of the KL", gt=0.0)
  alpha_init: float = field(1.0, "initial multipliers α_μ, α_Σ", ge=0.0)
  alpha_mean_learning_rate: float = field(40.0, "dual-ascent step size of α_μ", ge=0.0)
  alpha_cov_learning_rate: float = field(1e4, "dual-ascent step size of α_Σ", ge=0.0)
  epsilon_kl: float = field(1e-2, "ε: bound on KL(π_old ‖ π_θ) of a categorical policy (one "
                            "KL, no mean/covariance split)", gt=0.0)
  alpha_learning_rate: float = field(10.0, "dual-ascent step size of a categorical policy's α",
                                     ge=0.0)


def decoupled_m_step(hp: MStepHParams) -> dict:
  """``policy_loss`` (weighted log-likelihood + α_μ KL_μ + α_Σ KL_Σ) and its ``duals``."""
  return dict(
      policy_loss=losses.chain(losses.weighted_log_likelihood(),
                               losses.lagrangian_kl("alpha_mean", "kl_mean", hp.epsilon_mean),
                               losses.lagrangian_kl("alpha_cov", "kl_cov", hp.epsilon_cov)),
      duals=duals.chain(
          duals.lagrange_multiplier("alpha_mean", hp.epsilon_mean, hp.alpha_mean_learning_rate,
                                    hp.alpha_init, statistic="kl_mean"),
          duals.lagrange_multiplier("alpha_cov", hp.epsilon_cov, hp.alpha_cov_learning_rate,
                                    hp.alpha_init, statistic="kl_cov")))


def categorical_m_step(hp: MStepHParams) -> dict:
  """``policy_loss`` (weighted log-likelihood + α KL) and its ``duals``: the one KL bound of a
  categorical policy, ``mean_s KL(π_old‖π_θ) ≤ ε_KL``."""
  return dict(
      policy_loss=losses.chain(losses.weighted_log_likelihood(),
                               losses.lagrangian_kl("alpha", "kl", hp.epsilon_kl)),
      duals=duals.lagrange_multiplier("alpha", hp.epsilon_kl, hp.alpha_learning_rate,
                                      hp.alpha_init, statistic="kl"))


def m_step(run, hp: MStepHParams) -> dict:
  """The M-step for the run's policy family: one KL for a categorical, else decoupled."""
  if run.policy_family == "categorical":
    return categorical_m_step(hp)
  return decoupled_m_step(hp)

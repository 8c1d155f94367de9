"""Natural policy gradient (Kakade 2001, "A Natural Policy Gradient", NeurIPS 14; the step rule
of Schulman et al. 2015, "Trust Region Policy Optimization", arXiv:1502.05477): one step per
batch along the damped natural gradient ``F⁻¹g`` (conjugate gradient on Fisher-vector products
of the mean KL), scaled to the quadratic trust region, ``Δθ = −sqrt(2δ / gᵀF⁻¹g) · F⁻¹g``. No
line search. The critic is fitted separately with Adam and is never preconditioned."""
import optax

from pgkit import losses, precondition
from pgkit.algorithms.base import (Entropy, GAEHParams, OnPolicy, OnPolicyOptions, gae_advantages,
                                   shared)
from pgkit.settings import algorithm, field


class NaturalOptions(OnPolicyOptions):
  cg_iters: int = field(10, "conjugate-gradient iterations per step (fixed, static)", ge=1)


class NaturalHParams(GAEHParams, Entropy):
  max_kl: float = field(0.01, "δ of the trust region mean KL(π_old‖π_θ) ≤ δ", gt=0.0)
  damping: float = field(0.1, "λ in the CG solve of (F + λI) x = g", ge=0.0)


# One natural-gradient step per batch of 32 envs × 64 steps; the critic keeps Adam.
NATURAL_PRESET = dict(num_envs=32, unroll_length=64, num_timesteps=40 * 2048, critic_epochs=4,
                      critic_minibatches=4, cg_iters=10, discount=0.99, gae_lambda=0.97,
                      critic_learning_rate=3e-3, reward_scaling=0.1, damping=0.1)


@algorithm(options=NaturalOptions, hparams=NaturalHParams,
           presets={"inverted_pendulum": dict(NATURAL_PRESET, max_kl=0.01)})
def npg(run, options, hp) -> OnPolicy:
  """Natural policy gradient with a trust-region step size."""
  return OnPolicy(
      policy_loss=losses.chain(losses.surrogate(), losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(
          precondition.natural_gradient(options.cg_iters, hp.damping),
          precondition.scale_to_trust_region(hp.max_kl)),
      advantages=gae_advantages(hp),
      optimizer_metrics=precondition.diagnostics,
      **shared(run, options, hp))

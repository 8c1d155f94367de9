"""Natural policy gradient (Kakade 2001, "A Natural Policy Gradient"; the step rule of
Schulman et al. 2015, "Trust Region Policy Optimization", arXiv:1502.05477): one step per
batch along the damped natural gradient ``F⁻¹g`` (conjugate gradient on Fisher-vector products
of the mean KL), scaled to the quadratic trust region, ``Δθ = −sqrt(2δ / gᵀF⁻¹g) · F⁻¹g``. No
line search. The critic is fitted separately with Adam over ``critic_epochs`` and is never
preconditioned."""
import optax

from pgkit import losses, precondition
from pgkit.algorithms.base import OnPolicy, critic, gae_advantages


def npg(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.surrogate(), losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(
          precondition.natural_gradient(config.cg_iters, hp.damping),
          precondition.scale_to_trust_region(hp.max_kl)),
      advantages=gae_advantages(hp),
      optimizer_metrics=precondition.diagnostics,
      **critic(config, hp))

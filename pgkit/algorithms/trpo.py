"""Trust Region Policy Optimization (Schulman et al. 2015, arXiv:1502.05477):
``min_θ −L̂(θ)  s.t.  mean KL(π_old ‖ π_θ) ≤ δ``, solved per batch by the natural-gradient
direction (damped CG on the KL Hessian), scaled to the quadratic trust region, then a
backtracking line search that accepts only a step with ``KL ≤ δ`` and an improved surrogate.

``sampling="single_path"`` estimates ``L̂`` from the rollout with GAE advantages (``trpo``);
``sampling="vine"`` (``trpo_vine``) branches ``vine_actions`` actions from ``vine_states``
saved states of the rollout and uses the self-normalised importance estimate."""
import optax

from pgkit import losses, precondition
from pgkit.algorithms.base import OnPolicy, critic, gae_advantages
from pgkit.envs.vine import vine_policy_batch


def trpo(config, hp, sampling=None) -> OnPolicy:
  vine = (sampling or config.sampling) == "vine"
  return OnPolicy(
      policy_loss=losses.chain(
          losses.self_normalized_surrogate(config.vine_actions) if vine else losses.surrogate(),
          losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(
          precondition.natural_gradient(config.cg_iters, hp.damping),
          precondition.scale_to_trust_region(hp.max_kl),
          precondition.kl_linesearch(hp.max_kl, hp.backtrack_ratio, config.linesearch_steps)),
      advantages=gae_advantages(hp),
      policy_batch=vine_policy_batch(config, hp) if vine else None,
      optimizer_metrics=precondition.diagnostics,
      **critic(config, hp))


def trpo_vine(config, hp) -> OnPolicy:
  return trpo(config, hp, sampling="vine")

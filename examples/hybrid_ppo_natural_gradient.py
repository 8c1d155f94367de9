"""A hybrid from public pieces: PPO's clipped surrogate, preconditioned by the natural gradient.

Each of PPO's epochs × minibatches updates takes the clipped-surrogate gradient, clips its global
norm (plain optax), solves ``(F + λI) x = g`` by conjugate gradient on Fisher-vector products of
the mean KL(π_old ‖ π_θ), and scales ``x`` so that the quadratic KL of the update is
``hp.max_kl`` (``scale_to_trust_region``, which also applies the minus sign). The clipped loss
and the target-KL early stop keep the iteration's total move in check, as in PPO.

Nothing here touches the trainer: declaring the assembly is enough, and ``pgkit.run`` prints
the same final line as every other algorithm.

Run: python examples/hybrid_ppo_natural_gradient.py
  or pgkit train examples.hybrid_ppo_natural_gradient:ppo_natural --env inverted_pendulum
"""
import optax

import pgkit
from pgkit import losses, precondition
from pgkit.algorithms import (MinibatchOptions, Minibatches, OnPolicy, gae_advantages, kl_above,
                              shared)
from pgkit.algorithms.npg import NaturalHParams, NaturalOptions
from pgkit.algorithms.ppo_clip import ClipHParams


class PPONaturalOptions(MinibatchOptions, NaturalOptions):
  pass


class PPONaturalHParams(NaturalHParams, ClipHParams):
  pass


# PPO's inverted_pendulum preset with a small per-update trust region.
@pgkit.algorithm(options=PPONaturalOptions, hparams=PPONaturalHParams, presets={
    "inverted_pendulum": dict(epochs=2, minibatches=4, cg_iters=10, max_kl=0.002, damping=0.1,
                              target_kl=0.03)})
def ppo_natural(run, options, hp) -> OnPolicy:
  """PPO's clipped surrogate, preconditioned by the natural gradient."""
  return OnPolicy(
      policy_loss=losses.chain(losses.clipped_surrogate(hp.clip_epsilon),
                               losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(optax.clip_by_global_norm(hp.max_grad_norm),
                                   precondition.natural_gradient(options.cg_iters, hp.damping),
                                   precondition.scale_to_trust_region(hp.max_kl)),
      advantages=gae_advantages(hp),
      policy_minibatches=Minibatches(options.epochs, options.minibatches),
      early_stop=kl_above(hp.target_kl),
      optimizer_metrics=precondition.diagnostics,
      **shared(run, options, hp))


if __name__ == "__main__":
  pgkit.run(pgkit.preset(ppo_natural, "inverted_pendulum"))

"""A hybrid from public pieces: PPO's clipped surrogate, preconditioned by the natural gradient.

Each of PPO's epochs × minibatches updates takes the clipped-surrogate gradient, clips its global
norm (plain optax), solves ``(F + λI) x = g`` by conjugate gradient on Fisher-vector products of
the mean KL(π_old ‖ π_θ), and scales ``x`` so that the quadratic KL of the update is
``hp.max_kl`` (``scale_to_trust_region``, which also applies the minus sign). The clipped loss
and the target-KL early stop keep the iteration's total move in check, as in PPO.

Nothing here touches the trainer: registering the factory by name is enough, and
``pgkit.run`` prints the same final line as every other algorithm.

Run: python examples/hybrid_ppo_natural_gradient.py
"""
import dataclasses

import optax

import pgkit
from pgkit import losses, precondition
from pgkit.algorithms import ALGORITHMS, OnPolicy, gae_advantages
from pgkit.algorithms.base import critic


def ppo_natural(config, hp) -> OnPolicy:
  return OnPolicy(
      policy_loss=losses.chain(losses.clipped_surrogate(hp.clip_epsilon),
                               losses.entropy_bonus(hp.entropy_coef)),
      policy_optimizer=optax.chain(optax.clip_by_global_norm(hp.max_grad_norm),
                                   precondition.natural_gradient(config.cg_iters, hp.damping),
                                   precondition.scale_to_trust_region(hp.max_kl)),
      advantages=gae_advantages(hp),
      epochs=config.epochs, minibatches=config.minibatches, target_kl=hp.target_kl,
      optimizer_metrics=precondition.diagnostics,
      **critic(config, hp))


ALGORITHMS["ppo_natural"] = ppo_natural


def hybrid_preset():
  """PPO's inverted_pendulum preset with a small per-update trust region."""
  config, hp = pgkit.preset("ppo_clip", "inverted_pendulum")
  config = dataclasses.replace(config, algo="ppo_natural", epochs=2, minibatches=4, cg_iters=10)
  return config, hp._replace(max_kl=0.002, damping=0.1, target_kl=0.03)


if __name__ == "__main__":
  pgkit.run(*hybrid_preset())

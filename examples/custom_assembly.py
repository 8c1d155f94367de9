"""Your own algorithm in your own file, with a hyperparameter pgkit has never heard of.

PPO-clip plus a fixed penalty ``kl_coef · KL(π_old‖π_θ)``: the coefficient is declared here,
beside the assembly, and from that one declaration it gets what a built-in's settings get: a
``--kl-coef`` flag with its doc and range, validation, presets, saved settings, checkpoints, and
traced values for sweeps. Nothing in pgkit is edited.

Train it (from the repository root):

    pgkit train examples.custom_assembly:clip_kl --env inverted_pendulum --kl-coef 0.5

Sweep ``kl_coef`` over 3 values × 2 seeds in one compiled call:

    python examples/custom_assembly.py
"""
import jax
import jax.numpy as jnp

import pgkit
from pgkit import losses
from pgkit.algorithms import (GAEHParams, LearningRate, MinibatchOptions, OnPolicy,
                              gae_advantages, policy_adam, shared)
from pgkit.algorithms.ppo_clip import ClipHParams


class ClipKLHParams(GAEHParams, LearningRate, ClipHParams):
  kl_coef: float = pgkit.field(0.5, "weight of the KL(π_old‖π_θ) penalty", ge=0.0)


def kl_penalty(coef) -> losses.LossTransform:
  """``coef · mean KL(π_old‖π_θ)``: a loss transform of our own."""

  def apply(terms, duals):
    loss = coef * jnp.mean(terms.kl)
    return loss, {"kl_penalty": loss}

  return losses.LossTransform(apply)


@pgkit.algorithm(options=MinibatchOptions, hparams=ClipKLHParams)
def clip_kl(run, options, hp) -> OnPolicy:
  """PPO-clip plus a fixed KL penalty."""
  return OnPolicy(
      policy_loss=losses.chain(losses.clipped_surrogate(hp.clip_epsilon), kl_penalty(hp.kl_coef)),
      advantages=gae_advantages(hp),
      **policy_adam(run, options, hp, options.epochs, options.minibatches),
      **shared(run, options, hp))


def sweep(kl_coefs=(0.0, 0.5, 2.0), seeds=2, env="inverted_pendulum", **changes):
  """Final states and eval returns ``[len(kl_coefs), seeds]`` on ``env``, trained in one
  compiled call."""
  settings = pgkit.preset(clip_kl, env, **changes)
  trainer = pgkit.make_trainer(settings)
  hp = settings.hparams.replace(kl_coef=jnp.asarray(kl_coefs, jnp.float32))
  hp.validate("clip_kl")
  axes = jax.tree.map(lambda _: None, settings.hparams).replace(kl_coef=0)

  def train_and_evaluate(key, hp):
    state, _ = trainer.train(key, hp)
    return state, trainer.evaluate(state, jax.random.fold_in(key, 1))

  keys = jax.random.split(jax.random.PRNGKey(0), seeds)
  return jax.jit(jax.vmap(jax.vmap(train_and_evaluate, (0, None)), (None, axes)))(keys, hp)


if __name__ == "__main__":
  coefs = (0.0, 0.5, 2.0)
  _, returns = sweep(coefs)
  for coef, row in zip(coefs, jax.device_get(returns)):
    print(f"kl_coef={coef:g}  eval_return per seed: " + "  ".join(f"{r:7.1f}" for r in row))

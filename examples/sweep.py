"""4 seeds × 3 learning rates of ppo_clip in one jitted call; prints each final return.

The float hyperparameters are a pytree, so a sweep is two ``vmap``s of ``train``: the inner one
over keys, the outer one over hyperparameters whose ``learning_rate`` is an array.
"""
import time

import jax
import jax.numpy as jnp

import pgkit

settings = pgkit.preset("ppo_clip", "inverted_pendulum")
trainer = pgkit.make_trainer(settings)
learning_rates = jnp.array([3e-4, 1e-3, 3e-3])
hp = settings.hparams.replace(learning_rate=learning_rates)
hp.validate("ppo_clip")  # every element of the array, before anything compiles
keys = jax.random.split(jax.random.PRNGKey(0), 4)
hp_axes = jax.tree.map(lambda _: None, settings.hparams).replace(learning_rate=0)


def train_and_evaluate(key, hp):
  state, _ = trainer.train(key, hp)
  return trainer.evaluate(state, jax.random.fold_in(key, 1))


sweep = jax.jit(jax.vmap(jax.vmap(train_and_evaluate, (0, None)), (None, hp_axes)))
start = time.time()
returns = jax.device_get(sweep(keys, hp))
print(f"{len(learning_rates)} learning rates × {len(keys)} seeds in {time.time() - start:.1f} s "
      f"({settings.run.num_timesteps} env steps each)")
for lr, row in zip(learning_rates.tolist(), returns):
  print(f"learning_rate={lr:g}  eval_return per seed: " + "  ".join(f"{r:7.1f}" for r in row))

"""Run in a subprocess with 4 CPU devices (``XLA_FLAGS``): writes into ``OUT`` (argv[1])

* ``reference.npz``: every (learning rate, seed) of the tiny config trained alone on one device
  (``loop.compiled(devices=1)``): final policy parameters and per-chunk metrics;
* ``sharded.npz``: the first of them trained data parallel over 4 devices;
* ``sweep/``: ``pgkit sweep`` of the same runs, the population spread over 4 devices.
"""
import os
import sys

os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import pgkit  # noqa: E402
from pgkit import cli  # noqa: E402
from pgkit.training import loop, sharding  # noqa: E402
from tests.scale import tiny  # noqa: E402


def train_alone(trainer, settings, devices):
  """Final policy parameters (flat) and per-chunk ``episode_return_sum``, ``episodes``, ``kl``."""
  c = loop.compiled(trainer, 1, devices=devices)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  state = c.init(loop.seed_keys(settings.run.seed)[0], hp)
  chunks = []
  for _ in range(settings.run.num_iterations):
    state, metrics = c.run_chunk(state, hp)
    chunks.append({k: np.asarray(sharding.fetch(metrics)[k]) for k in ("kl", "episodes",
                                                                       "episode_return_sum")})
  params = np.concatenate([np.ravel(x) for x in jax.tree.leaves(sharding.fetch(
      state.policy_params))])
  return params, chunks


def main(out):
  assert jax.device_count() == 4
  base = pgkit.preset(tiny.ALGO, tiny.ENV, **tiny.CHANGES)
  trainer = pgkit.make_trainer(base)
  ref = {}
  for i, lr in enumerate(tiny.LEARNING_RATES):
    for seed in range(tiny.SEEDS):
      params, chunks = train_alone(trainer, base.replace(learning_rate=lr, seed=seed), 1)
      run = i * tiny.SEEDS + seed
      ref[f"params_{run}"] = params
      for k in chunks[0]:
        ref[f"{k}_{run}"] = np.stack([c[k] for c in chunks])
  np.savez(os.path.join(out, "reference.npz"), **ref)
  first = base.replace(learning_rate=tiny.LEARNING_RATES[0], seed=0)  # run 0 of the reference
  params, _ = train_alone(trainer, first, 4)
  np.savez(os.path.join(out, "sharded.npz"), params=params)
  grid = "learning_rate=" + ",".join(map(str, tiny.LEARNING_RATES))
  code = cli.main(["sweep", tiny.ALGO, "--env", tiny.ENV, "--seeds", str(tiny.SEEDS), "--grid",
                   grid, "--devices", "4", "--run-dir", os.path.join(out, "sweep"),
                   *tiny.flags()])
  assert code == 0


if __name__ == "__main__":
  main(sys.argv[1])

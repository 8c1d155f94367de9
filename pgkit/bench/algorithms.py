"""``pgkit bench algorithms``: every registered algorithm, several seeds, several envs.

Seeds are vmapped inside one compiled chunk; after each chunk the deterministic policy of every
seed is evaluated. Writes ``algorithms.md`` (a table) and ``algorithms.png`` (eval return vs env
steps, mean over seeds with a min–max band) into the output folder.
"""
from __future__ import annotations

import dataclasses
import math
import os
import time

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.algorithms import ALGORITHMS
from pgkit.training.config import validate_config, validate_hparams
from pgkit.training.presets import preset
from pgkit.training.trainer import make_trainer


def curve(algo: str, env: str, seeds: int, num_evals: int = 10):
  """(env steps [E], returns [E, seeds], wall seconds incl. compile) for ``algo`` on ``env``."""
  config, hp = preset(algo, env)
  validate_config(config)
  validate_hparams(hp)
  start = time.perf_counter()
  trainer = make_trainer(config)
  chunk = max(1, math.ceil(config.num_iterations / num_evals))
  hp = jax.tree.map(jnp.asarray, hp)

  @jax.jit
  def run_chunk(states):
    def one(state):
      return jax.lax.scan(lambda s, _: trainer.step(s, hp), state, None, length=chunk)[0]
    return jax.vmap(one)(states)

  keys = jax.random.split(jax.random.PRNGKey(0), seeds)
  evaluate = jax.jit(jax.vmap(trainer.evaluate))
  states = jax.jit(jax.vmap(lambda k: trainer.init(k, hp)))(keys)
  eval_keys = jax.vmap(lambda k: jax.random.fold_in(k, 7))(keys)
  steps, returns = [0], [np.asarray(evaluate(states, eval_keys))]
  for c in range(math.ceil(config.num_iterations / chunk)):
    states = run_chunk(states)
    steps.append((c + 1) * chunk * trainer.steps_per_iteration)
    returns.append(np.asarray(evaluate(states, eval_keys)))
  return np.array(steps), np.stack(returns), time.perf_counter() - start, config


def benchmark(envs: list[str], algos: list[str] | None, seeds: int, out: str,
              print_fn=print) -> str:
  algos = algos or sorted(ALGORITHMS)
  unknown = [a for a in algos if a not in ALGORITHMS]
  if unknown:
    raise ValueError(f"algos must be among {sorted(ALGORITHMS)}, got {unknown}")
  os.makedirs(out, exist_ok=True)
  rows = ["| env | algo | backend | env steps | eval return (mean ± std over seeds) | "
          "initial | wall s (compile incl.) |", "|---|---|---|---|---|---|---|"]
  curves = {}
  for env in envs:
    for algo in algos:
      steps, returns, wall, config = curve(algo, env, seeds)
      curves[(env, algo)] = (steps, returns)
      final = returns[-1]
      rows.append(f"| {env} | {algo} | {config.backend} | {steps[-1]} | "
                  f"{final.mean():.1f} ± {final.std():.1f} | {returns[0].mean():.1f} | "
                  f"{wall:.0f} |")
      print_fn(rows[-1])
  table = "\n".join(rows) + "\n"
  with open(os.path.join(out, "algorithms.md"), "w") as f:
    f.write(table)
  _plot(curves, envs, algos, os.path.join(out, "algorithms.png"))
  return table


def _plot(curves, envs, algos, path):
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, axes = plt.subplots(1, len(envs), figsize=(5 * len(envs), 4), squeeze=False)
  for ax, env in zip(axes[0], envs):
    for algo in algos:
      steps, returns = curves[(env, algo)]
      mean = returns.mean(axis=1)
      ax.plot(steps, mean, label=algo)
      ax.fill_between(steps, returns.min(axis=1), returns.max(axis=1), alpha=0.2)
    ax.set_title(env)
    ax.set_xlabel("env steps")
    ax.set_ylabel("deterministic eval return")
    ax.grid(alpha=0.3)
  axes[0][0].legend()
  fig.tight_layout()
  fig.savefig(path, dpi=100)
  plt.close(fig)

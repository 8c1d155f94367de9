"""``pgkit bench algorithms``: every registered algorithm, several seeds, several envs.

Seeds are vmapped inside one compiled chunk; after each chunk the deterministic policy of every
seed is evaluated. Writes ``algorithms.md`` (a table) and ``algorithms.png`` (eval return vs env
steps, mean over seeds with a min–max band) into the output folder.
"""
from __future__ import annotations

import os
import time

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.bench.curves import seed_std
from pgkit.settings import names_of_algorithms, preset
from pgkit.tools.plot import pyplot
from pgkit.training import loop
from pgkit.training.trainer import make_trainer


def curve(algo: str, env: str, seeds: int, num_evals: int = 10):
  """(env steps [E], returns [E, seeds], wall seconds incl. compile, settings) for ``algo`` on
  ``env`` with its preset; the seeds are one population of the shared chunked loop."""
  settings = preset(algo, env)
  start = time.perf_counter()
  trainer = make_trainer(settings)  # validates first
  chunk, _ = loop.chunking(settings.run.num_iterations, num_evals)
  c = loop.compiled(trainer, chunk, population=True)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  keys = jax.random.split(jax.random.PRNGKey(0), seeds)
  eval_keys = jax.vmap(lambda k: jax.random.fold_in(k, 7))(keys)
  states = c.init(keys, hp)
  steps, returns = [0], [np.asarray(c.evaluate(states, eval_keys))]
  for i in range(c.num_chunks):
    states, _ = c.run_chunk(states, hp)
    steps.append((i + 1) * chunk * trainer.steps_per_iteration)
    returns.append(np.asarray(c.evaluate(states, eval_keys)))
  return np.array(steps), np.stack(returns), time.perf_counter() - start, settings


def benchmark(envs: list[str], algos: list[str] | None, seeds: int, out: str,
              print_fn=print) -> str:
  algos = checked_algos(algos)
  pyplot("pgkit bench algorithms")  # without matplotlib, fail before training
  os.makedirs(out, exist_ok=True)
  rows = ["| env | algo | backend | env steps | eval return (mean ± std over seeds) | "
          "initial | wall s (compile incl.) |", "|---|---|---|---|---|---|---|"]
  curves = {}
  for env in envs:
    for algo in algos:
      steps, returns, wall, settings = curve(algo, env, seeds)
      curves[(env, algo)] = (steps, returns)
      final = returns[-1]  # [seeds]
      std = seed_std(final)  # as ppo-vs-brax and ablation
      rows.append(f"| {env} | {algo} | {settings.run.backend} | {steps[-1]} | "
                  f"{final.mean():.1f} ± {std:.1f} | {returns[0].mean():.1f} | "
                  f"{wall:.0f} |")
      print_fn(rows[-1])
  table = "\n".join(rows) + "\n"
  with open(os.path.join(out, "algorithms.md"), "w") as f:
    f.write(table)
  _plot(curves, envs, algos, os.path.join(out, "algorithms.png"))
  return table


def checked_algos(algos: list[str] | None) -> list[str]:
  """``algos``, or every registered algorithm when None; an unknown name is a ValueError."""
  known = names_of_algorithms()
  unknown = [a for a in algos or () if a not in known]
  if unknown:
    raise ValueError(f"algos must be among {known}, got {unknown}")
  return list(algos or known)


def _plot(curves, envs, algos, path):
  plt = pyplot("pgkit bench algorithms")
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

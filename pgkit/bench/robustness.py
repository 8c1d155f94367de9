"""``pgkit bench robustness``: every algorithm's preset on seeds 0 … K−1, one compiled call each.

For each algorithm the K seeds are one vmapped population trained for the preset's whole budget
in a single compiled call; then each seed's deterministic policy is evaluated. Seed ``s`` starts
from the same keys as ``pgkit train --seed s`` (``loop.seed_keys``); a population's floats are
reduced in a different order than a single run's, so the returns of one seed may differ between
the two, which is what a robustness table should average over anyway.

Writes ``robustness-<env>.md``: algorithm × seed final return, the seeds that reach the
threshold, the median and the worst, with the machine, versions, date and command.
"""
from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.bench.algorithms import checked_algos
from pgkit.settings import preset
from pgkit.training import loop
from pgkit.training.trainer import make_trainer

# Deterministic eval return that counts as solving an env (inverted_pendulum's maximum is 1000;
# reacher's returns are negative distances, 0 at best).
THRESHOLDS = {"inverted_pendulum": 900.0, "inverted_double_pendulum": 9000.0, "reacher": -10.0}


class Row(NamedTuple):
  algo: str
  returns: list  # final deterministic eval return per seed
  threshold: float
  wall_s: float  # compile included

  @property
  def solved(self) -> int:
    return sum(r >= self.threshold for r in self.returns)

  @property
  def median(self) -> float:
    return statistics.median(self.returns)

  @property
  def worst(self) -> float:
    return min(self.returns)


def population_returns(algo: str, env: str, seeds: int, **changes) -> np.ndarray:
  """Final deterministic eval return of seeds ``0 … seeds−1`` of ``algo``'s preset on ``env``
  (``changes`` override it), trained as one population in one compiled call."""
  settings = preset(algo, env, **changes)
  trainer = make_trainer(settings)
  c = loop.compiled(trainer, settings.run.num_iterations, population=True)
  keys, eval_keys = jax.vmap(loop.seed_keys)(jnp.arange(seeds))
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  states, _ = c.run_chunk(c.init(keys, hp), hp)
  return np.asarray(c.evaluate(states, eval_keys))


def machine() -> str:
  model = platform.processor() or platform.machine()
  try:
    with open("/proc/cpuinfo") as f:
      model = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
  except (OSError, StopIteration):
    pass
  return f"{model}, {os.cpu_count()} cores, {jax.devices()[0].platform}"


def versions() -> str:
  import brax
  import optax
  return (f"Python {platform.python_version()}, jax {jax.__version__}, brax {brax.__version__}, "
          f"optax {optax.__version__}")


def table(env: str, rows: list[Row], seeds: int, command: str) -> str:
  head = [f"### {env}: final deterministic eval return per seed ({seeds} seeds)", "",
          f"Machine: {machine()}. {versions()}. Date: {datetime.date.today()}.",
          f"Command: `{command}`", "",
          "| algo | threshold | " + " | ".join(str(s) for s in range(seeds)) +
          " | solved | median | worst | wall s |",
          "|---|---|" + "---|" * seeds + "---|---|---|---|"]
  body = [f"| {r.algo} | {r.threshold:g} | " + " | ".join(f"{x:.0f}" for x in r.returns) +
          f" | {r.solved}/{seeds} | {r.median:.0f} | {r.worst:.0f} | {r.wall_s:.0f} |"
          for r in rows]
  return "\n".join(head + body) + "\n"


def robustness(env: str, algos: list[str] | None, seeds: int, out: str | None,
               print_fn=print) -> str:
  """Trains each algorithm's preset on ``seeds`` seeds; prints each row as it is done and
  writes the table to ``out/robustness-<env>.md`` (when ``out`` is given)."""
  command = f"pgkit bench robustness --env {env} --seeds {seeds}" + (
      f" --algos {','.join(algos)}" if algos else "") + (f" --out {out}" if out else "")
  algos = checked_algos(algos)
  if env not in THRESHOLDS:
    raise ValueError(f"env must be one of {sorted(THRESHOLDS)} (those with a solve "
                     f"threshold), got {env!r}")
  for algo in algos:  # every preset validates before anything compiles
    preset(algo, env).validate()
  rows = []
  for algo in algos:
    start = time.perf_counter()
    returns = population_returns(algo, env, seeds)
    rows.append(Row(algo, [float(x) for x in returns], THRESHOLDS[env],
                    time.perf_counter() - start))
    r = rows[-1]
    print_fn(f"{algo}: solved {r.solved}/{seeds} median {r.median:.1f} worst {r.worst:.1f} "
             f"returns {[round(x) for x in r.returns]} ({r.wall_s:.0f} s)")
  text = table(env, rows, seeds, command)
  if out:
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"robustness-{env}.md"), "w") as f:
      f.write(text)
  return text

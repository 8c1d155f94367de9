"""The one chunked training loop: compiled chunks of ``step``, shared by the runner, the
benchmarks and population (vmapped seed) runs.

``compiled(trainer, chunk, population)`` jits, once per (trainer, chunk, population):

* ``init(key, hp)``: the train state (``[P, ...]`` for a population of keys ``[P]``);
* ``run_chunk(state, hp) -> (state, metrics)``: ``chunk`` iterations in one ``lax.scan``, the
  state donated (its buffers are reused for the result);
* ``evaluate(state, key)``: the deterministic policy's mean return (per member).

No chunk calls back to the host (a host callback would keep the chunk out of jax's persistent
compilation cache): the runner moves its progress between units, and ``plan`` keeps units
within a tenth of the run so progress moves at least that often.

With ``population`` every member is vmapped over its key while ``hp`` is shared; a sweep over
hyperparameters vmaps ``trainer.train`` itself (README, ``examples/sweep.py``).
"""
from __future__ import annotations

import functools
import math
from typing import Callable, NamedTuple

import jax


class Compiled(NamedTuple):
  init: Callable
  run_chunk: Callable
  evaluate: Callable
  chunk: int  # iterations per chunk
  num_chunks: int


class Plan(NamedTuple):
  """How a run is cut: compiled units of ``unit`` iterations, a report (progress line, metrics
  row, checkpoint) every ``units_per_report`` units and after the last one."""

  unit: int
  units_per_report: int
  num_units: int

  @property
  def iterations(self) -> int:
    """Iterations the run trains: ``num_iterations`` rounded up to whole units."""
    return self.unit * self.num_units


# Env steps of one compiled unit at most: a stop waits for the unit in flight (about 13 s at
# 40k steps/s on a 2-core CPU, 0.5 s at 1M steps/s on a GPU). Units are not made shorter than
# that, because each compiled call costs a fixed ~18 ms on a 2-core CPU (the README job: 48 ms
# per iteration in units of 8 iterations, 53 in units of 2, 65 in units of 1).
MAX_UNIT_STEPS = 2**19


def plan(num_iterations: int, num_reports: int, steps_per_iteration: int) -> Plan:
  """About ``num_reports`` reports, each of as few compiled units as keep every unit within
  ``MAX_UNIT_STEPS`` env steps and a tenth of the run (progress moves once per unit)."""
  per_report, _ = chunking(num_iterations, num_reports)
  unit = min(per_report, max(1, MAX_UNIT_STEPS // steps_per_iteration),
             math.ceil(num_iterations / 10))
  return Plan(unit, math.ceil(per_report / unit), math.ceil(num_iterations / unit))


def seed_keys(seed):
  """(training key, evaluation key) of a run's ``seed``; vmaps over an array of seeds."""
  return tuple(jax.random.split(jax.random.PRNGKey(seed)))


def chunking(num_iterations: int, num_chunks: int) -> tuple[int, int]:
  """(iterations per chunk, chunks): ``num_chunks`` chunks at most, covering every iteration."""
  chunk = max(1, math.ceil(num_iterations / num_chunks))
  return chunk, math.ceil(num_iterations / chunk)


@functools.lru_cache(maxsize=16)
def compiled(trainer, chunk: int, population: bool = False) -> Compiled:
  def run_chunk(state, hp):
    return jax.lax.scan(lambda s, _: trainer.step(s, hp), state, None, length=chunk)

  init, evaluate = trainer.init, trainer.evaluate
  if population:
    init = jax.vmap(init, (0, None))
    run_chunk = jax.vmap(run_chunk, (0, None))
    evaluate = jax.vmap(evaluate)
  return Compiled(jax.jit(init), jax.jit(run_chunk, donate_argnums=0), jax.jit(evaluate), chunk,
                  math.ceil(trainer.run.num_iterations / chunk))

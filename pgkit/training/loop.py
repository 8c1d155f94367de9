"""The one chunked training loop: compiled chunks of ``step``, shared by the runner, the
benchmarks and population (vmapped seed) runs.

``compiled(trainer, chunk, population)`` jits, once per (trainer, chunk, population):

* ``init(key, hp)``: the train state (``[P, ...]`` for a population of keys ``[P]``);
* ``run_chunk(state, hp) -> (state, metrics)``: ``chunk`` iterations in one ``lax.scan``, the
  state donated (its buffers are reused for the result);
* ``evaluate(state, key)``: the deterministic policy's mean return (per member).

With ``progress`` every iteration ticks ``progress.tick`` on the host (``jax.debug.callback``),
which moves the runner's progress bar within a chunk.

With ``population`` every member is vmapped over its key; ``hp`` is shared, except the fields
named in ``member_hparams``, which hold one value per member (``pgkit sweep``: seeds × grid
points in one compiled call). With ``devices`` > 1 the functions run on a ``jax.sharding`` mesh
(``sharding``: a run's env batch, or a population's members, split over the devices).
"""
from __future__ import annotations

import functools
import math
from typing import Callable, NamedTuple

import jax

from pgkit.training import progress as progress_lib
from pgkit.training import sharding


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
  ``MAX_UNIT_STEPS`` env steps."""
  per_report, _ = chunking(num_iterations, num_reports)
  unit = min(per_report, max(1, MAX_UNIT_STEPS // steps_per_iteration))
  return Plan(unit, math.ceil(per_report / unit), math.ceil(num_iterations / unit))


def seed_keys(seed):
  """(training key, evaluation key) of a run's ``seed``; vmaps over an array of seeds."""
  return tuple(jax.random.split(jax.random.PRNGKey(seed)))


def chunking(num_iterations: int, num_chunks: int) -> tuple[int, int]:
  """(iterations per chunk, chunks): ``num_chunks`` chunks at most, covering every iteration."""
  chunk = max(1, math.ceil(num_iterations / num_chunks))
  return chunk, math.ceil(num_iterations / chunk)


def member_axes(trainer, member_hparams: tuple[str, ...]):
  """``in_axes`` of the hyperparameters in a population: 0 for the fields in
  ``member_hparams`` (one value per member), None (shared) for the others."""
  shared = jax.tree.map(lambda _: None, trainer.algo.hparams())
  return shared.replace(**{name: 0 for name in member_hparams})


@functools.lru_cache(maxsize=16)
def compiled(trainer, chunk: int, population: bool = False, progress: bool = False,
             member_hparams: tuple[str, ...] = (), devices: int = 1) -> Compiled:
  """The jitted functions (module docstring). ``member_hparams`` (with ``population``) names
  the hyperparameters that hold one value per member. With ``devices`` > 1 (or several
  processes) they run on a mesh (``sharding``): a run's env batch, or a population's members,
  split over the devices; the inputs are then put on the mesh here."""
  mesh = sharding.mesh(devices)
  constrain = sharding.constrain_population if population else sharding.constrain_state

  def one_step(state, hp):
    state, metrics = trainer.step(state, hp)
    if progress:  # the host's progress moves once per iteration, inside the chunk
      jax.debug.callback(progress_lib.tick, state.iteration, metrics["episodes"],
                         metrics["episode_return_sum"])
    return constrain(state, mesh), metrics

  def run_chunk(state, hp):
    state, metrics = jax.lax.scan(lambda s, _: one_step(s, hp), state, None, length=chunk)
    return state, sharding.replicate(metrics, mesh)

  init, evaluate = trainer.init, trainer.evaluate
  hp_axes = None
  if population:
    hp_axes = member_axes(trainer, member_hparams)
    init = jax.vmap(init, (0, hp_axes))
    run_chunk = jax.vmap(run_chunk, (0, hp_axes))
    evaluate = jax.vmap(evaluate)
  fns = (jax.jit(lambda key, hp: constrain(init(key, hp), mesh)),
         jax.jit(run_chunk, donate_argnums=0),
         jax.jit(lambda state, key: sharding.replicate(evaluate(state, key), mesh)))
  if mesh is not None:
    fns = _on_mesh(fns, mesh, population, hp_axes)
  return Compiled(*fns, chunk, math.ceil(trainer.run.num_iterations / chunk))


def _on_mesh(fns, mesh, population: bool, hp_axes):
  """The functions with their host inputs put on the mesh first (keys and per-member
  hyperparameters split in a population, else replicated)."""
  init, run_chunk, evaluate = fns
  split_hp = False if hp_axes is None else jax.tree.map(lambda a: a == 0, hp_axes,
                                                       is_leaf=lambda a: a is None)

  def put_hp(hp):
    return sharding.put(hp, mesh, split_hp)

  return (lambda key, hp: init(sharding.put(key, mesh, population), put_hp(hp)),
          lambda state, hp: run_chunk(state, put_hp(hp)),
          lambda state, key: evaluate(state, sharding.put(key, mesh, population)))

"""The one chunked training loop: compiled chunks of ``step``, shared by the runner, the
benchmarks and population (vmapped seed) runs.

``compiled(trainer, chunk, population)`` jits, once per (trainer, chunk, population):

* ``init(key, hp)``: the train state (``[P, ...]`` for a population of keys ``[P]``);
* ``run_chunk(state, hp) -> (state, metrics)``: ``chunk`` iterations in one ``lax.scan``, the
  state donated (its buffers are reused for the result);
* ``evaluate(state, key)``: the deterministic policy's mean return (per member);
  ``evaluate_ahead(state, key)`` starts compiling it for ``state``'s shapes in a background
  thread and returns a callable like ``evaluate`` that waits for that compile, so a run's final
  evaluation compiles while it trains (on a GPU the host is idle meanwhile).

Each is compiled with ``xla_options.compiler_options()`` (on a CPU: XLA's own kernels rather
than YNNPACK's for products, measured faster for Brax's physics; ``evaluate`` with ``once`` and
``init`` with ``setup``, for compile time; ``run_chunk`` of a run with the bfloat16 critic
with ``bfloat16_dots``, YNNPACK's products, the only bfloat16 kernels XLA's CPU backend has).

No chunk calls back to the host (a host callback would keep the chunk out of jax's persistent
compilation cache): the runner moves its progress between units, and ``plan`` keeps units
within a tenth of the run so progress moves at least that often.

With ``population`` every member is vmapped over its key; ``hp`` is shared, except the fields
named in ``member_hparams``, which hold one value per member (``pgkit sweep``: seeds × grid
points in one compiled call). With ``devices`` > 1 the functions run on a ``jax.sharding`` mesh
(``sharding``: a run's env batch, or a population's members, split over the devices).
"""
from __future__ import annotations

import concurrent.futures
import functools
import math
from typing import Callable, NamedTuple

import jax

from pgkit.training import sharding, xla_options


class Compiled(NamedTuple):
  init: Callable
  run_chunk: Callable  # jitted: ``run_chunk.lower(state, put_hp(hp)).compile()`` compiles it
  evaluate: Callable
  put_hp: Callable  # hyperparameters as ``run_chunk`` takes them (on the mesh, if any)
  chunk: int  # iterations per chunk
  num_chunks: int
  evaluate_ahead: Callable  # (state, key) -> an ``evaluate`` whose compile has started


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


def member_axes(trainer, member_hparams: tuple[str, ...]):
  """``in_axes`` of the hyperparameters in a population: 0 for the fields in
  ``member_hparams`` (one value per member), None (shared) for the others."""
  shared = jax.tree.map(lambda _: None, trainer.algo.hparams())
  return shared.replace(**{name: 0 for name in member_hparams})


@functools.lru_cache(maxsize=16)
def compiled(trainer, chunk: int, population: bool = False,
             member_hparams: tuple[str, ...] = (), devices: int = 1) -> Compiled:
  """The jitted functions (module docstring). ``member_hparams`` (with ``population``) names
  the hyperparameters that hold one value per member. With ``devices`` > 1 (or several
  processes) they run on a mesh (``sharding``): a run's env batch, or a population's members,
  split over the devices; ``init`` and ``evaluate`` put their host inputs on the mesh, and
  ``put_hp`` does it for the hyperparameters that ``run_chunk`` is given."""
  mesh = sharding.mesh(devices)
  constrain = sharding.constrain_population if population else sharding.constrain_state

  def one_step(state, hp):
    state, metrics = trainer.step(state, hp)
    return constrain(state, mesh), metrics

  def run_chunk(state, hp):
    state, metrics = jax.lax.scan(lambda s, _: one_step(s, hp), state, None, length=chunk)
    return state, sharding.replicate(metrics, mesh)

  init_fn, evaluate_fn, hp_axes = trainer.init, trainer.evaluate, None
  if population:
    hp_axes = member_axes(trainer, member_hparams)
    init_fn = jax.vmap(init_fn, (0, hp_axes))
    run_chunk = jax.vmap(run_chunk, (0, hp_axes))
    evaluate_fn = jax.vmap(evaluate_fn)

  @functools.partial(xla_options.jit, setup=True)
  def init(key, hp):
    return constrain(init_fn(key, hp), mesh)

  @functools.partial(xla_options.jit, once=True)
  def evaluate(state, key):
    return sharding.replicate(evaluate_fn(state, key), mesh)

  split_hp = False if hp_axes is None else jax.tree.map(lambda a: a == 0, hp_axes,
                                                       is_leaf=lambda a: a is None)
  put_hp = lambda hp: sharding.put(hp, mesh, split_hp)  # the identity without a mesh
  bfloat16 = trainer.run.critic_matmul == "bfloat16"  # its products need YNNPACK's on a CPU
  put_key = lambda key: sharding.put(key, mesh, population)
  evaluate_on_mesh = lambda state, key: evaluate(state, put_key(key))
  return Compiled(lambda key, hp: init(put_key(key), put_hp(hp)),
                  xla_options.jit(run_chunk, donate_argnums=0, bfloat16_dots=bfloat16),
                  evaluate_on_mesh, put_hp, chunk,
                  math.ceil(trainer.run.num_iterations / chunk),
                  functools.partial(_compile_ahead, evaluate, put_key))


_BACKGROUND = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pgkit-compile")


def _compile_ahead(jitted, put_key, state, key) -> Callable:
  """``jitted(state, put_key(key))``, compiled ahead in a background thread for the shapes and
  placements ``state`` and ``key`` have now (only those are read, so ``state`` may be donated
  meanwhile). The returned callable waits for that compile and runs the executable; if it
  failed, or the arguments it is given are shaped or placed otherwise, it calls ``jitted``,
  which compiles as usual."""
  avals = lambda args: jax.tree.map(lambda x: jax.ShapeDtypeStruct(
      x.shape, x.dtype, sharding=x.sharding, weak_type=x.weak_type), args)
  expected = avals((state, put_key(key)))  # compared by shape, dtype, placement, weak type
  future = _BACKGROUND.submit(lambda: jitted.lower(*expected).compile())

  def call(state, key):
    key = put_key(key)
    same = jax.tree.flatten(avals((state, key))) == jax.tree.flatten(expected)
    if future.exception() is None and same:
      return future.result()(state, key)
    return jitted(state, key)

  return call

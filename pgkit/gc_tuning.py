"""Python's cyclic garbage collector, set for a JAX program's start.

Importing jax, Brax, flax and MuJoCo and tracing a training step create about a million
container objects that live as long as the process. CPython (3.10-3.13) collects its youngest
generation after every 700 net allocations of containers, the middle one every tenth of those,
and all of them whenever the objects that survived since the last full pass reach a quarter of
those it kept: on a 2-core CPU a full pass over a million objects takes 0.2-0.5 s and frees
almost nothing (JAX's objects go by reference counting: building and tracing ppo_clip's
training unit took 10 full passes, 1.45 s, that freed 125 objects). ``pgkit train ppo_clip --env
inverted_pendulum`` spent 1.8-2.1 s in 1,852-1,855 collections (11 of them full); with the
youngest generation collected every 100,000 allocations, 0.5 s in 49 (none full);
importing pgkit's trainer with Brax and building one took 4.5-5.3 s instead of 5.8-7.5, and
tracing and lowering its training unit 0.83-0.87 s instead of 1.24-1.33
(examples/benchmarks/gc_cost.py; RESULTS.md there, "Python's garbage collector"). Cycles
are still collected, later: at most ~100,000 young containers wait.

``relax()`` sets it for the process (the ``pgkit`` command, the tests); ``relaxed()`` sets it
for a block (``pgkit.run``) and restores the previous setting after, so a program that imports
pgkit keeps its own.
"""
from __future__ import annotations

import contextlib
import gc

THRESHOLD = 100_000  # allocations between collections of the youngest generation (CPython: 700)


def relax() -> None:
  """Collect the youngest generation every ``THRESHOLD`` allocations (unless already rarer)."""
  first, *older = gc.get_threshold()
  if 0 < first < THRESHOLD:  # 0: the collector is off, which stays as it is
    gc.set_threshold(THRESHOLD, *older)


@contextlib.contextmanager
def relaxed():
  """``relax()`` for the block (also a decorator), then the threshold it found."""
  before = gc.get_threshold()
  relax()
  try:
    yield
  finally:
    gc.set_threshold(*before)

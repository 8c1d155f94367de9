"""What Python's cyclic garbage collector costs a run before it trains, and what
``pgkit.gc_tuning.relax()`` saves.

Run: python examples/benchmarks/gc_cost.py default|relaxed [env]

One process per call (alternate the two modes for a comparison). With ``relaxed`` the
threshold is set before jax is imported, as the ``pgkit`` command sets it. Three phases are
timed, each with the collections inside it (counted by a ``gc.callbacks`` probe: how many of
each generation, their seconds, the objects they freed): importing pgkit's trainer with Brax
and building ppo_clip's at Brax's settings for ``env``; ``init`` and the evaluation (compiled);
tracing and lowering the training unit. XLA's compile of the unit is left out: the collector
does not run while XLA compiles. The persistent compilation cache is off.
"""
import gc
import os
import sys
import time

os.environ["PGKIT_COMPILATION_CACHE"] = "off"
MODE = sys.argv[1] if len(sys.argv) > 1 else "default"
ENV = sys.argv[2] if len(sys.argv) > 2 else "inverted_pendulum"
if MODE not in ("default", "relaxed"):
  raise SystemExit(f"mode must be default or relaxed, got {MODE!r}")

passes = []  # (generation, objects freed, seconds) of each collection
_start = [0.0]


def _probe(phase, info):
  if phase == "start":
    _start[0] = time.perf_counter()
  else:
    passes.append((info["generation"], info["collected"], time.perf_counter() - _start[0]))


def report(name: str, t0: float) -> None:
  """Prints the phase's wall time and its collections, and starts the next count."""
  per_gen = [[p for p in passes if p[0] == g] for g in range(3)]
  counts = ", ".join(f"{len(ps)}" for ps in per_gen)
  print(f"{MODE:8s} {name:28s} {time.perf_counter() - t0:6.2f} s   GC "
        f"{sum(p[2] for p in passes):5.2f} s in (young, middle, full) = ({counts}) "
        f"collections, {sum(p[1] for p in passes)} objects freed", flush=True)
  passes.clear()


gc.callbacks.append(_probe)
t = time.perf_counter()
if MODE == "relaxed":
  from pgkit import gc_tuning
  gc_tuning.relax()
import jax  # noqa: E402

from pgkit.bench import settings  # noqa: E402
from pgkit.training import loop, make_trainer  # noqa: E402

s = settings.pgkit_equivalent(ENV, "positional", settings.brax_settings(ENV), 1_000_000, 16)
compiled = loop.compiled(make_trainer(s), 1)
hp = jax.tree.map(jax.numpy.asarray, s.hparams)
report("imports and build", t)

t = time.perf_counter()
state = jax.block_until_ready(compiled.init(jax.random.PRNGKey(0), hp))
jax.block_until_ready(compiled.evaluate(state, jax.random.PRNGKey(1)))
report("init and evaluation", t)

t = time.perf_counter()
compiled.run_chunk.trace(state, hp).lower()
report("trace and lower the unit", t)
print(f"{MODE:8s} tracked objects at the end: {len(gc.get_objects())}")

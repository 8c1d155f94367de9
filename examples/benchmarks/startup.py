"""Where does a run's time before training go? ``pgkit train``'s steps, one by one.

Run: python examples/benchmarks/startup.py [algo] [env] [num_timesteps]

Times what ``training.runner.run`` does before and around its first compiled unit (building the
trainer and its env, ``init``, compiling the training unit ahead of time, the first unit, the
first evaluation) and, for each step, how many XLA compilations it triggered and their seconds
(jax's own ``/jax/core/compile/*`` duration events: tracing, lowering, XLA). Brax builds its
environments with eager ``jnp`` calls, each a small compilation of its own; on a GPU those cost
more than on a CPU, which is what this measures there. The persistent compilation cache is set
up as ``pgkit train`` sets it up, but off unless ``PGKIT_COMPILATION_CACHE`` names a folder
(run twice with a folder to see what the cache saves).
"""
import collections
import os
import sys
import time

os.environ.setdefault("PGKIT_COMPILATION_CACHE", "off")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from pgkit import preset  # noqa: E402
from pgkit.training import compile_cache, loop, make_trainer  # noqa: E402

EVENTS = {"/jax/core/compile/jaxpr_trace_duration": "trace",
          "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
          "/jax/core/compile/backend_compile_duration": "xla"}
seconds, counts = collections.Counter(), collections.Counter()


def listen(event: str, duration: float, **_) -> None:
  if event in EVENTS:
    seconds[EVENTS[event]] += duration
    counts[EVENTS[event]] += 1


def step(name: str, fn):
  """Runs ``fn`` to completion; prints its wall time and the compilations inside it."""
  seconds.clear()
  counts.clear()
  start = time.perf_counter()
  out = jax.block_until_ready(fn())
  wall = time.perf_counter() - start
  print(f"{name:32s} {wall:7.2f} s   XLA compiles {counts['xla']:4d} ({seconds['xla']:6.2f} s)"
        f"   traces {counts['trace']:4d} ({seconds['trace']:5.2f} s)"
        f"   lowerings {seconds['lower']:5.2f} s")
  return out


def main(algo: str = "ppo_clip", env: str = "ant", num_timesteps: int = 1_000_000) -> None:
  jax.monitoring.register_event_duration_secs_listener(listen)
  cache = compile_cache.enable()
  settings = preset(algo, env, num_timesteps=num_timesteps)
  print(f"{algo} on {env}: jax {jax.__version__}, {jax.devices()[0].device_kind}, "
        f"persistent cache {cache or 'off'}")
  trainer = step("make_trainer (env, networks)", lambda: make_trainer(settings))
  p = loop.plan(settings.run.num_iterations, settings.run.num_chunks,
                trainer.steps_per_iteration)
  c = loop.compiled(trainer, p.unit)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  key, eval_key = loop.seed_keys(settings.run.seed)
  state = step("init", lambda: c.init(key, hp))
  hp = c.put_hp(hp)
  run_chunk = step("compile the training unit", lambda: c.run_chunk.lower(state, hp).compile())
  state = step(f"first unit ({p.unit} iterations)", lambda: run_chunk(state, hp))[0]
  state = step("first unit again (no compile)", lambda: run_chunk(state, hp))[0]
  step("evaluate (compile + episodes)", lambda: c.evaluate(state, eval_key))
  step("evaluate again", lambda: c.evaluate(state, eval_key))


if __name__ == "__main__":
  args = sys.argv[1:]
  main(*args[:2], *(int(a) for a in args[2:3]))

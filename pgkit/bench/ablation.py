"""``pgkit bench ablation``: pgkit's ppo_clip at Brax's published settings for an env (as in
``ppo-vs-brax``), then the same with one change at a time, each on the same seeds; the table gives
the deterministic eval return at matched env steps (a quarter, half, three quarters and the end of
the run), mean ± std over seeds, so a change that helps or hurts shows at every point.

A change is ``NAME=VALUE[,NAME=VALUE...]`` over ppo_clip's settings, parsed and checked by each
field's declaration (``--change entropy_estimate=squashed``, ``--change clip_epsilon=0.2``).
"""
from __future__ import annotations

import statistics
from typing import Callable

import jax

from pgkit.bench import runs, settings
from pgkit.settings import Settings
from pgkit.settings.errors import InputError


def parse_change(base: Settings, spec: str, owners) -> dict:
  """``NAME=VALUE,...`` -> ``{name: value}``, each value parsed by its field, then validated."""
  from pgkit.sweeps.grid import parse_axis
  changes = {}
  for part in spec.split(","):
    axis = parse_axis(base, part, owners, flag="--change")
    changes[axis.name] = axis.values[0]
  try:
    base.replace(**changes).validate()
  except InputError as e:
    raise InputError(f"--change {spec}: {e}") from None
  return changes


def _mean_std(xs: list[float]) -> str:
  sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
  return f"{statistics.mean(xs):.0f} ± {sd:.0f}"


def ablate(env: str, backend: str, num_timesteps: int, seeds: int, specs: list[str],
           owners, eval_envs: int = 128, print_fn: Callable[[str], None] = print) -> dict:
  base = settings.pgkit_equivalent(env, backend, settings.brax_settings(env), num_timesteps,
                                   eval_envs)
  variants = {"(Brax's settings)": {}}
  variants.update({spec: parse_change(base, spec, owners) for spec in specs})
  epoch = base.run.steps_per_iteration
  print_fn(f"# ablation env={env} backend={backend} num_timesteps={num_timesteps} seeds={seeds}"
           f" (jax {jax.__version__}, {jax.device_count()}× {jax.devices()[0].platform})")
  results = {}
  for name, changes in variants.items():
    s = base.replace(**changes)
    results[name] = [runs.run_pgkit(s, seed, eval_every=epoch) for seed in range(seeds)]
    for r in results[name]:
      print_fn(f"{name} seed {r.seed}: {r.steps_per_s:.0f} steps/s, eval returns "
               f"{[round(x) for x in r.curve.returns]}")
  steps = results["(Brax's settings)"][0].curve.steps
  marks = sorted({steps[max(1, round(q * (len(steps) - 1)))] for q in (0.25, 0.5, 0.75, 1.0)})
  print_fn("\n| change | seeds | " + " | ".join(f"return at {m:,} steps" for m in marks) + " |")
  print_fn("|---|---|" + "---|" * len(marks))
  for name, rs in results.items():
    cells = [_mean_std([r.return_at(m) for r in rs]) for m in marks]
    print_fn(f"| {name} | {seeds} | " + " | ".join(cells) + " |")
  return results

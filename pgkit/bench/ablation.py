"""``pgkit bench ablation``: pgkit's ppo_clip (or, with ``algo``, ppo_kl or is_pg) at Brax's
published settings for an env (as in ``ppo-vs-brax``), then the same with one change at a time,
each on the same seeds; the table gives the deterministic eval return at matched env steps (a
quarter, half, three quarters and the end of the run), mean ± std over seeds, so a change that
helps or hurts shows at every point.

A change is ``NAME=VALUE[,NAME=VALUE...]`` over the algorithm's settings, parsed and checked by
each field's declaration (``--change entropy_estimate=squashed``, ``--change clip_epsilon=0.2``).

With ``out`` every run is saved as it ends in ``ablation-ENV.json`` (another algorithm's in
``ablation-ALGO-ENV.json``; ``bench.record``, the variants its trainers) and the same command
again trains only the runs it lacks, so an ablation cut by a machine's time limit resumes
(``time_budget`` stops it before a run that would not end in time); a later command with more
``--change`` flags reuses the runs of the variants already there. ppo_clip's baseline is
``ppo-vs-brax``'s pgkit side: its runs in a ``ppo-vs-brax-ENV.json`` of the same settings,
device and jax in ``out`` are not trained again, and that record's Brax PPO runs join the table
as a reference row. With ``out`` the curves are also drawn, ``ablation[-ALGO]-ENV.png`` (mean ±
std band per variant; the ``plot`` extra). The other way round, ``ppo-vs-brax`` with the same
``out`` takes a variant's runs and the reference row from this record (``lend``).
"""
from __future__ import annotations

import os
from typing import Callable

import jax

from pgkit.bench import curves, record, runs, settings
from pgkit.settings import Settings
from pgkit.settings.errors import InputError
from pgkit.tools.plot import pyplot


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


BASE = "(Brax's settings)"
BRAX = "Brax PPO (ppo-vs-brax)"  # the reference row: Brax's own runs, never trained here


def ablate(env: str, backend: str, num_timesteps: int, seeds: int, specs: list[str],
           owners, eval_envs: int = 128, print_fn: Callable[[str], None] = print,
           out: str | None = None, time_budget: float | None = None,
           evals: int | None = None, algo: str = "ppo_clip") -> dict:
  """``algo`` at Brax's settings and each change of ``specs`` on seeds ``0..seeds-1`` (module
  docstring), evaluated ``evals`` times (``settings.eval_schedule``; None: after every
  iteration); returns the runs by variant, or, when ``time_budget`` stopped it, those
  finished so far (no table)."""
  record.check_budget(time_budget)
  settings.check_evals(evals)
  plt = pyplot("pgkit bench ablation --out") if out else None  # fail before training
  base = settings.pgkit_equivalent(env, backend, settings.brax_settings(env), num_timesteps,
                                   eval_envs, algo)
  base, num_evals, eval_every = settings.eval_schedule(base, num_timesteps, evals)
  variants = {BASE: {}}
  variants.update({spec: parse_change(base, spec, owners) for spec in specs})
  device = record.device()
  print_fn(f"# ablation algo={algo} env={env} backend={backend} num_timesteps={num_timesteps}"
           f" seeds={seeds} (jax {jax.__version__}, {device})")
  identity = record.identity(env, backend, dict(settings.brax_settings(env), num_evals=num_evals),
                             num_timesteps, eval_envs, device, base)
  prefix = "ablation-" if algo == "ppo_clip" else f"ablation-{base.algo.name}-"
  stem = out and os.path.join(out, prefix + env)
  rec = record.Record(stem and stem + ".json", identity, trainers=tuple(variants) + (BRAX,))
  if out and algo == "ppo_clip":  # ppo-vs-brax's runs: pgkit's the baseline, Brax's a reference
    source = os.path.join(out, f"ppo-vs-brax-{env}.json")
    for trainer, name in (("pgkit", BASE), ("brax", BRAX)):
      taken = rec.borrow(source, trainer, name, dict(identity, pgkit_change=None))
      if taken:
        print_fn(f"{'baseline' if name == BASE else 'reference'}: {taken} runs of {trainer} "
                 f"from {source}")
  trainers = {name: (lambda seed, s=base.replace(**changes), name=name: runs.run_pgkit(
      s, seed, eval_every=eval_every)._replace(trainer=name)) for name, changes in variants.items()}
  describe = lambda seed, name, r: (f"{name} seed {seed}: {r.steps_per_s:.0f} steps/s, eval "
                                    f"returns {[round(x) for x in r.curve.returns]}")
  order = [(seed, name) for name in variants for seed in range(seeds)]
  complete = record.train_missing(rec, trainers, order, time_budget, print_fn, describe)
  results = {name: sorted((r for r in rec.runs[name] if r.seed < seeds), key=lambda r: r.seed)
             for name in (*variants, BRAX)}
  if not results[BRAX]:
    del results[BRAX]
  if complete:
    _table(results, print_fn)
    if stem:
      curves.draw(results, f"{env} ({backend}): pgkit {base.algo.name} at Brax's settings, one "
                  "change at a time", stem + ".png", plt)
      print_fn(f"\nwrote {stem}.json and {stem}.png")
  return results


def lend(rec: record.Record, out: str, env: str, identity: dict, base: Settings,
         wanted: Settings, owners, print_fn: Callable[[str], None] = print) -> None:
  """``ppo-vs-brax`` borrowing from ``ablation``: the runs of the variant in ``out``'s
  ``ablation-ENV.json`` whose settings are ``wanted`` (``base``, the ablation's baseline, with a
  variant's changes applied) become ``rec``'s pgkit side, and its Brax reference row its Brax
  side, for the seeds ``rec`` lacks. ``identity`` is the ablation's (``record.identity``), so
  runs of another env, budget, device or jax are never taken."""
  source = os.path.join(out, f"ablation-{env}.json")
  if not os.path.exists(source):
    return
  want = record.settings_identity(wanted)
  variant = next((name for name in curves.load(source)
                  if name != BRAX and _identity_of(base, name, owners) == want), None)
  for trainer, name in (("pgkit", variant), ("brax", BRAX)):
    taken = name and rec.borrow(source, name, trainer, identity)
    if taken:
      print_fn(f"{trainer}: {taken} runs of {name!r} from {source}")


def _identity_of(base: Settings, name: str, owners) -> dict | None:
  """The settings identity of the variant ``name`` (its changes to ``base``); None for a change
  this pgkit cannot apply (a setting removed since the record was written)."""
  try:
    changes = {} if name == BASE else parse_change(base, name, owners)
  except InputError:
    return None
  return record.settings_identity(base.replace(**changes))


def _table(results: dict, print_fn) -> None:
  """Mean ± std over seeds of the eval return at a quarter, half, three quarters and the end."""
  steps = results[BASE][0].curve.steps
  marks = sorted({steps[max(1, round(q * (len(steps) - 1)))] for q in (0.25, 0.5, 0.75, 1.0)})
  print_fn("\n| change | seeds | " + " | ".join(f"return at {m:,} steps" for m in marks) + " |")
  print_fn("|---|---|" + "---|" * len(marks))
  for name, rs in results.items():
    mean, std = curves.mean_std(rs, marks)
    cells = [f"{m:.0f} ± {s:.0f}" for m, s in zip(mean, std)]
    print_fn(f"| {name} | {len(rs)} | " + " | ".join(cells) + " |")

"""``pgkit bench ppo-vs-brax``: pgkit's ppo_clip against Brax's own PPO, same settings, same run.

For each seed both trainers run with Brax's published settings for the env (alternating which
goes first, so drift of the machine hits both), evaluated deterministically at the same env
steps. Then the raw env throughput (random actions, same env and num_envs) gives the ceiling,
and, unless skipped, the wall time until the eval return first reaches a threshold: pgkit's
default preset against Brax's published configuration. ``change`` (``NAME=VALUE,...``, as
``pgkit bench ablation --change``) runs pgkit's side with those settings changed (``owners``
names, for an unknown name's error, the algorithms that have it). With ``out``
the runs are also saved as ``ppo-vs-brax-ENV[-CHANGE].json``, each as soon as it ends, and
drawn as ``ppo-vs-brax-ENV[-CHANGE].png`` (mean ± std over seeds); the same command again
trains only the runs that file lacks, so a comparison stopped by a machine's time limit resumes
(``time_budget`` stops it before a run that would not end in time); an ``ablation-ENV.json``
there gives the runs of its variant with pgkit's settings (its baseline, or the ``change``) and
its Brax runs, which are not trained again (``ablation.lend``).
pgkit's side is compiled with ``training.xla_options`` and Brax's with XLA's defaults; the
header prints those options and the ``XLA_FLAGS`` both share.
"""
from __future__ import annotations

import functools
import math
import os
import statistics
from typing import Callable

import jax

from pgkit.bench import ablation, curves, record, runs, settings, timing
from pgkit.bench.ablation import parse_change
from pgkit.envs import make_env
from pgkit.settings import preset
from pgkit.training import xla_options
from pgkit.tools.plot import pyplot


def _fmt(x, spec=".1f"):
  return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def compare(env: str, backend: str, num_timesteps: int, seeds: int, threshold: float | None,
            eval_envs: int = 128, print_fn: Callable[[str], None] = print,
            out: str | None = None, change: str | None = None,
            owners: Callable[[str], list[str]] = lambda flag: [],
            time_budget: float | None = None, evals: int | None = None) -> dict:
  """Both trainers on seeds ``0..seeds-1`` (module docstring). With ``out`` every finished run
  is saved at once and the runs already saved there for the same settings, device and jax are
  not trained again (``record.Record``); with ``time_budget`` (seconds) no run is started that
  the longest run so far says would end after it. Summaries compare the seeds both finished.
  ``evals``: evaluations per run, the first at 0 steps (Brax's ``num_evals``); None evaluates
  after every iteration."""
  record.check_budget(time_budget)
  settings.check_evals(evals)
  plt = pyplot("pgkit bench ppo-vs-brax --out") if out else None  # fail before training
  brax_s, base, pgkit_s, eval_every = _settings(env, backend, num_timesteps, eval_envs, change,
                                                owners, evals)
  device = record.device()
  print_fn(f"# ppo-vs-brax env={env} backend={backend} num_timesteps={num_timesteps} "
           f"seeds={seeds}  (jax {jax.__version__}, {device})"
           + (f"; pgkit with {change}" if change else ""))
  print_fn(f"settings: {brax_s}")
  bf16 = pgkit_s.run.critic_matmul == "bfloat16"
  print_fn(f"XLA options: pgkit's {xla_options.compiler_options(bfloat16_dots=bf16)}, both "
           f"trainers' XLA_FLAGS {os.environ.get('XLA_FLAGS', '')!r}")
  stem = None
  if out:
    suffix = "-" + change.replace("=", "-").replace(",", "+") if change else ""
    stem = os.path.join(out, f"ppo-vs-brax-{env}{suffix}")
  identity = functools.partial(record.identity, env, backend, brax_s, num_timesteps, eval_envs,
                               device)
  rec = record.Record(stem and stem + ".json", dict(identity(pgkit_s), pgkit_change=change))
  if out:  # runs an ablation of the same settings already trained
    ablation.lend(rec, out, env, identity(base), base, pgkit_s, owners, print_fn)
  trainers = dict(brax=lambda seed: runs.run_brax(env, backend, brax_s, num_timesteps, seed,
                                                  eval_envs),
                  pgkit=lambda seed: runs.run_pgkit(pgkit_s, seed, eval_every=eval_every))
  complete = _train_all(rec, trainers, seeds, time_budget, print_fn)
  results = record.paired(rec.runs, seeds)
  if not all(results.values()):
    print_fn("no seed finished by both trainers yet: nothing to compare")
    return {"results": results, "complete": complete}
  report = _summary(env, backend, brax_s, results, print_fn)
  if threshold is not None and complete:
    report["time_to_threshold"] = time_to_threshold(env, backend, threshold, brax_s, eval_envs,
                                                    print_fn)
  rec.save(raw_steps_per_s=report["raw_steps_per_s"], ratios=report["ratios"])
  if stem:
    title = f"{env} ({backend}): pgkit ppo_clip{f' ({change})' if change else ''} vs Brax PPO"
    curves.draw(results, title, stem + ".png", plt)
    print_fn(f"\nwrote {stem}.json and {stem}.png")
  return dict(report, complete=complete)


def _settings(env, backend, num_timesteps, eval_envs, change, owners, evals=None):
  """(Brax's published settings for ``env`` with ``evals`` evaluations, pgkit's identical
  settings with Brax's training length (an ablation's baseline), the same with ``change``
  applied, pgkit's env steps between evaluations): both evaluate at the same env steps
  (``settings.eval_schedule``)."""
  brax_s = settings.brax_settings(env)
  equivalent = settings.pgkit_equivalent(env, backend, brax_s, num_timesteps, eval_envs)
  base = settings.eval_schedule(equivalent, num_timesteps, evals)[0]
  if change:
    equivalent = equivalent.replace(**parse_change(equivalent, change, owners))
  pgkit_s, num_evals, eval_every = settings.eval_schedule(equivalent, num_timesteps, evals)
  brax_s.update(num_evals=num_evals)
  return brax_s, base, pgkit_s, eval_every


def _train_all(rec, trainers: dict, seeds: int, time_budget, print_fn) -> bool:
  """Trains the runs ``rec`` lacks, alternating which trainer goes first per seed (so drift of
  the machine hits both); False if the time budget stopped it first."""
  order = [(seed, which) for seed in range(seeds)
           for which in (("brax", "pgkit") if seed % 2 == 0 else ("pgkit", "brax"))]
  describe = lambda seed, which, r: (
      f"seed {seed} {which:5s}: compile {r.compile_s:6.1f} s  train {r.train_s:7.1f} s  "
      f"{r.steps_per_s:9.0f} steps/s  peak RSS {r.peak_rss_mb:7.0f} MiB  "
      f"eval returns {[round(x) for x in r.curve.returns]} at {r.curve.steps}")
  return record.train_missing(rec, trainers, order, time_budget, print_fn, describe)


def _summary(env, backend, brax_s, results, print_fn) -> dict:
  """The per-run table, the raw env ceiling, the pgkit/brax ratios and the matched returns."""
  raw = timing.raw_env_steps_per_s(make_env(env, backend), brax_s["num_envs"])
  print_fn("\n| trainer | seed | compile s | train s | train steps/s | share of raw env | "
           "peak RSS MiB | eval return at matched steps |")
  print_fn("|---|---|---|---|---|---|---|---|")
  for which in ("brax", "pgkit"):
    for r in results[which]:
      final = r.curve.steps[-1]
      print_fn(f"| {which} | {r.seed} | {r.compile_s:.1f} | {r.train_s:.1f} | "
               f"{r.steps_per_s:.0f} | {100 * r.steps_per_s / raw:.1f}% | {r.peak_rss_mb:.0f} | "
               f"{r.return_at(final):.1f} @ {final} |")

  def ratio_of(k):
    num = statistics.mean(getattr(r, k) for r in results["pgkit"])
    den = statistics.mean(getattr(r, k) for r in results["brax"])
    return num / den if den else math.nan

  ratio = {k: ratio_of(k) for k in ("compile_s", "train_s", "steps_per_s", "peak_rss_mb")}
  print_fn(f"\nraw env steps/s ({brax_s['num_envs']} envs, random actions, lax.scan): {raw:.0f}")
  print_fn(f"ratios pgkit/brax (means over seeds {[r.seed for r in results['pgkit']]}): " +
           ", ".join(f"{k} {v:.2f}" for k, v in ratio.items()))
  _matched_table(results, print_fn)
  return {"raw_steps_per_s": raw, "results": results, "ratios": ratio}


def _matched_table(results: dict, print_fn) -> None:
  """Eval return at the env steps both trainers evaluated: per seed, and mean ± std."""
  matched = curves.matched_steps(results)
  stats = {k: curves.mean_std(v, matched) for k, v in results.items()}
  print_fn("\neval return at matched env steps (per seed; mean ± std over seeds):")
  for i, s in enumerate(matched):
    row = [f"{which} " + "/".join(_fmt(r.return_at(s), ".0f") for r in results[which])
           + f" ({stats[which][0][i]:.0f} ± {stats[which][1][i]:.0f})"
           for which in ("brax", "pgkit")]
    print_fn(f"  {s:9d}: " + "   ".join(row))


def time_to_threshold(env: str, backend: str, threshold: float, brax_s: dict, eval_envs: int,
                      print_fn=print) -> dict:
  """Wall seconds (compile included) until the deterministic eval return reaches ``threshold``:
  pgkit's default preset for ``env`` against Brax's published configuration."""
  default = preset("ppo_clip", env)
  pgkit_s = default.replace(backend=backend, num_timesteps=4 * default.run.num_timesteps)
  pg = runs.run_pgkit(pgkit_s, 0, eval_every=max(pgkit_s.run.steps_per_iteration,
                                                 pgkit_s.run.num_timesteps // 40),
                      stop_at=threshold)
  published = dict(brax_s)
  published["num_evals"] = settings.BRAX_PUBLISHED[env]["num_evals"]
  br = runs.run_brax(env, backend, published, settings.BRAX_PUBLISHED[env]["num_timesteps"], 0,
                     eval_envs, stop_at=threshold)
  t_pg, t_br = pg.time_to(threshold), br.time_to(threshold)
  steps = lambda r: next((s for s, x in zip(r.curve.steps, r.curve.returns) if x >= threshold),
                         None)
  print_fn(f"\ntime to eval return >= {threshold:g} (compile included): "
           f"pgkit preset {_fmt(t_pg)} s at {steps(pg)} steps; "
           f"Brax published {_fmt(t_br)} s at {steps(br)} steps"
           + (f"; pgkit/brax {t_pg / t_br:.2f}" if t_pg and t_br else ""))
  return {"pgkit": (t_pg, steps(pg)), "brax": (t_br, steps(br))}

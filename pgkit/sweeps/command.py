"""``pgkit sweep ALGO --env E --seeds K [--grid NAME=v1,v2,...]... [pgkit train's flags]``.

Every (seed, grid point) of the traced axes trains in one compiled call (a population vmapped
over keys and hyperparameters, in chunks so progress is printed); an axis over an option or a
run setting is a loop of such calls. The folder is described in ``report``.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from pgkit.settings.errors import InputError
from pgkit.sweeps import report, statistics
from pgkit.sweeps.grid import Grid, parse_grid


USAGE = """\
usage: pgkit sweep ALGO --env NAME [--seeds K] [--grid NAME=v1,v2,...]... [--bootstrap-reps N]
                   [pgkit train's flags]

  --seeds K            seeds per grid point (default 1)
  --grid NAME=v1,v2    one axis of the grid (repeat for more): a hyperparameter of ALGO is
                       traced (every value in one compiled call); an option or a run setting
                       takes a compiled call per value
  --bootstrap-reps N   bootstrap resamples of the 95 % confidence intervals (default 2000)

Every other flag is one of pgkit train's and sets what the runs share:
"""


def parse(argv: list[str]):
  """``(settings, seeds, grid, reps)``, every input checked; nothing compiles. With ``--help``
  the sweep's own flags are printed, then ``pgkit train ALGO --help``."""
  from pgkit import cli
  if "-h" in argv or "--help" in argv:
    print(USAGE)
  parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
  parser.add_argument("--seeds", default="1")
  parser.add_argument("--grid", action="append", default=[])
  parser.add_argument("--bootstrap-reps", default="2000")
  try:
    known, rest = parser.parse_known_args(argv)
  except argparse.ArgumentError as e:
    raise InputError(str(e)) from None
  seeds, reps = _positive("seeds", known.seeds), _positive("bootstrap_reps", known.bootstrap_reps)
  settings = cli.parse_train(rest)
  statistics.require()
  grid = parse_grid(settings, known.grid, cli._owners)
  if settings.run.run_dir is None:
    from pgkit.runs.folder import default_run_dir
    settings = settings.replace(run_dir=default_run_dir("sweep-" + settings.algo.name,
                                                        settings.run.env))
  return settings, seeds, grid, reps


def _positive(name: str, text: str) -> int:
  try:
    value = int(text)
  except ValueError:
    value = None
  if value is None or value < 1:
    raise InputError(f"{name} must be an integer >= 1, got {text!r}")
  return value


class _Progress:
  """The line printed after each chunk: runs done, env steps/s of the population, best so far."""

  def __init__(self, total_runs: int, static_calls: int, print_fn):
    self.total, self.calls, self.print = total_runs, static_calls, print_fn
    self.done, self.call, self.best = 0, 0, None

  def chunk(self, labels: list[str], seeds: int, done, chunks, rows, steps_per_s) -> None:
    for p, label in enumerate(labels):
      last = [rows[p * seeds + k][-1].get("episode_return") for k in range(seeds)]
      last = [x for x in last if x is not None]
      if last and (self.best is None or np.mean(last) > self.best[1]):
        self.best = label, float(np.mean(last))
    runs_done = self.done + (len(rows) if done == chunks else 0)
    best = f"{self.best[1]:.1f} ({self.best[0]})" if self.best else "n/a"
    self.print(f"[call {self.call + 1}/{self.calls}] chunk {done}/{chunks}  runs done "
               f"{runs_done}/{self.total}  env steps/s {steps_per_s:,.0f} (population)  "
               f"best mean episode return so far {best}")


def _runs(grid: Grid, seeds: int, first_seed: int) -> list[dict]:
  """Every run: ``run`` index, ``seed`` and its grid values, in training order."""
  points = [{**s, **t} for s in Grid.points(grid.static) for t in Grid.points(grid.traced)]
  return [{"run": i * seeds + k, "seed": first_seed + k, **p}
          for i, p in enumerate(points) for k in range(seeds)]


def sweep(settings, seeds: int, grid: Grid, reps: int = 2000, print_fn=print) -> str:
  """Trains the sweep, writes its folder (``report``) and returns the summary table."""
  from pgkit.runs import folder
  from pgkit.sweeps import population
  from pgkit.training import sharding

  out, start = settings.run.run_dir, time.perf_counter()
  devices = sharding.resolve(settings.run.devices)
  traced, static = Grid.points(grid.traced), Grid.points(grid.static)
  sharding.check_divisible("the runs of one compiled call (seeds × traced grid points)",
                           seeds * len(traced), sharding.mesh(devices))
  folder.prepare(out, settings)
  runs = _runs(grid, seeds, settings.run.seed)
  with open(os.path.join(out, report.SWEEP), "w") as f:
    json.dump({"seeds": seeds, "grid": {a.name: list(a.values) for a in grid.axes},
               "traced": [a.name for a in grid.traced], "static": [a.name for a in grid.static],
               "runs": runs}, f, indent=1)
  print_fn(f"sweep: {len(runs)} runs = {seeds} seeds × {len(traced) * len(static)} grid points "
           f"on {devices} device(s); {grid.describe()}")
  progress, rows, returns = _Progress(len(runs), len(static), print_fn), [], []
  for static_point in static:
    labels = [report.point_label({**static_point, **t}) for t in traced]
    r = population.train(settings.replace(**static_point), traced, seeds, devices,
                         lambda *a: progress.chunk(labels, seeds, *a))
    print_fn(f"[call {progress.call + 1}/{len(static)}] compiled once ({r.compile_s:.1f} s "
             f"to compile and initialise), trained and evaluated in {r.wall_s:.1f} s")
    progress.call, progress.done = progress.call + 1, progress.done + len(r.rows)
    rows, returns = rows + r.rows, returns + list(r.eval_returns)
  return _write(settings, seeds, grid, reps, runs, rows, returns,
                time.perf_counter() - start, print_fn)


def _write(settings, seeds, grid, reps, runs, rows, returns, wall_s, print_fn) -> str:
  out = settings.run.run_dir
  report.write_runs(out, runs, rows, returns)
  names = [a.name for a in grid.axes]
  labels = list(dict.fromkeys(report.point_label({n: r[n] for n in names}) for r in runs))
  by_label = {label: [] for label in labels}
  for i, run in enumerate(runs):
    by_label[report.point_label({n: run[n] for n in names})].append(i)
  env_steps = rows[0][-1]["env_steps"]
  scores = {label: np.array([returns[i] for i in ids]) for label, ids in by_label.items()}
  header = (f"{settings.algo.name} on {settings.run.env}: final deterministic eval return, "
            f"{seeds} seeds per grid point, {env_steps} env steps each; {len(runs)} runs in "
            f"{wall_s:.1f} s")
  text = report.summary(out, labels, scores, reps, header)
  report.curves(out, labels, {k: [rows[i] for i in v] for k, v in by_label.items()},
                {k: [{"env_steps": env_steps, "eval_return": float(returns[i])} for i in v]
                 for k, v in by_label.items()}, header)
  print_fn(text + f"sweep folder: {out} ({report.SUMMARY}, {report.PNG}, per-run "
           f"{os.path.basename(report.RESULTS)} and metrics)")
  return text


def command(argv: list[str]) -> int:
  settings, seeds, grid, reps = parse(argv)
  print(f"sweep folder: {settings.run.run_dir}", flush=True)
  from pgkit.training import compile_cache
  compile_cache.enable()
  sweep(settings, seeds, grid, reps, lambda line: print(line, flush=True))
  return 0

"""``pgkit plot RUN_DIR... [--x env_steps|wall_s] [--metrics kl,entropy] [--out FILE.png]``.

Top panel: the training episodes' mean return against env steps (or wall-clock seconds) for each
run, the deterministic evaluations of runs trained with ``eval_at_reports`` dashed, and the final
deterministic evaluation as a marker. Runs whose settings differ only in the
seed (or output places) are one group: its mean, with a band of ± one standard deviation over
the seeds. Bottom panel: the chosen metrics of every group, the same way. Needs the ``plot``
extra (matplotlib).
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np

from pgkit.runs import folder
from pgkit.settings.errors import InputError

X_AXES = ("env_steps", "wall_s")
SIZE = (9.0, 7.0)  # inches at DPI: a 900 x 700 PNG
DPI = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
  parser.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="run folders")
  parser.add_argument("--x", default="env_steps", choices=X_AXES, help="the x axis")
  parser.add_argument("--metrics", default="kl",
                      help="comma-separated metrics for the second panel (default kl)")
  parser.add_argument("--out", default=None,
                      help="the PNG to write (default RUN_DIR/curves.png for one run, else "
                           "curves.png)")


class Group:
  """Runs with the same settings but the seed: their label and their metric rows."""

  def __init__(self, label: str):
    self.label, self.runs, self.results = label, [], []

  def curve(self, x: str, metric: str):
    """(x, mean, std) over the runs, on the reports every run has (those where no run has a
    value are left out)."""
    n = min(len(rows) for rows in self.runs)
    xs = np.mean([[r[x] for r in rows[:n]] for rows in self.runs], axis=0)
    ys = np.array([[r.get(metric, np.nan) for r in rows[:n]] for rows in self.runs])
    seen = ~np.all(np.isnan(ys), axis=0)  # episode_return is absent where no episode ended
    ys = ys[:, seen]
    return xs[seen], np.nanmean(ys, axis=0), np.nanstd(ys, axis=0)


def _groups(run_dirs: list[str]) -> list[Group]:
  from pgkit.settings.run import OUTPUT_FIELDS

  by_key: dict[str, Group] = {}
  settings = {d: folder.read_settings(d).to_dict() for d in run_dirs}
  # Labels name the fields that differ between runs of the same algorithm (runs of different
  # algorithms differ in most fields: their labels are the algorithms')
  shared = {algo: _shared_fields([s for s in settings.values() if s["algo"] == algo])
            for algo in {s["algo"] for s in settings.values()}}
  for d, data in settings.items():
    data["run"] = {k: v for k, v in data["run"].items() if k not in OUTPUT_FIELDS + ("seed",)}
    key = json.dumps(data, sort_keys=True)
    if key not in by_key:
      by_key[key] = Group(_label(data, shared[data["algo"]]))
    rows = folder.read_metrics(d)
    if not rows:
      raise InputError(f"run_dir {d!r} has no metrics yet ({folder.METRICS} is empty)")
    by_key[key].runs.append(rows)
    by_key[key].results.append(folder.read_result(d))
  return list(by_key.values())


def _shared_fields(dicts: list[dict]) -> set[str]:
  """Fields with one value across all runs (left out of the labels)."""
  flat = [{(p, k): json.dumps(v) for p in ("run", "options", "hparams") for k, v in d[p].items()}
          for d in dicts]
  return {k[1] for k in flat[0] if all(f.get(k) == flat[0][k] for f in flat)}


def _label(data: dict, shared: set[str]) -> str:
  differing = [f"{k}={v}" for p in ("run", "options", "hparams") for k, v in data[p].items()
               if k not in shared]
  return " ".join([f"{data['algo']} {data['run']['env']}"] + differing)


def plot(run_dirs: list[str], out: str, x: str = "env_steps", metrics=("kl",)) -> list[Group]:
  """Draws the curves of ``run_dirs`` into the PNG ``out``; returns the groups drawn."""
  plt = pyplot("pgkit plot")
  groups = _groups(run_dirs)
  available = set.intersection(*[set(g.runs[0][0]) for g in groups])
  missing = [m for m in metrics if m not in available]
  if missing:
    raise InputError(f"metrics {missing} are not in every run's metrics; they have "
                     f"{sorted(available)}")
  fig, (top, bottom) = plt.subplots(2, 1, figsize=SIZE, dpi=DPI, sharex=True)
  draw_returns(top, groups, x)
  for i, g in enumerate(groups):
    color = f"C{i % 10}"
    for j, m in enumerate(metrics):
      _band(bottom, *g.curve(x, m), color, m if len(groups) == 1 else f"{m}: {g.label}",
            style=("-", "--", ":", "-.")[j % 4])
  bottom.set_ylabel(", ".join(metrics))
  bottom.set_xlabel(x.replace("_", " "))
  bottom.legend(fontsize=7)
  os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
  fig.savefig(out, dpi=DPI)
  plt.close(fig)
  return groups


def pyplot(command: str):
  """matplotlib's pyplot on the Agg backend (an error naming the extra when missing)."""
  try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
  except ImportError:
    raise InputError(f"{command} needs matplotlib: pip install 'pgkit[plot]'") from None
  return plt


def draw_returns(ax, groups: list[Group], x: str = "env_steps") -> None:
  """Each group's mean training return ± std over its seeds, its evaluations at reports
  (dashed, where its runs have them) and its final evaluations (★)."""
  for i, g in enumerate(groups):
    color = f"C{i % 10}"
    label = f"{g.label} ({len(g.runs)} seed{'s' if len(g.runs) > 1 else ''})"
    _band(ax, *g.curve(x, "episode_return"), color, label)
    if any("eval_return" in row for rows in g.runs for row in rows):
      _band(ax, *g.curve(x, "eval_return"), color, f"{label}, evaluated", style="--")
    finals = [r for r in g.results if r]
    if finals and x == "env_steps":
      ax.scatter([r["env_steps"] for r in finals], [r["eval_return"] for r in finals],
                 color=color, marker="*", s=60, zorder=3)
  ax.set_ylabel("episode return (training; -- evaluations; ★ final)")
  ax.legend(fontsize=7)


def save_returns(groups: list[Group], out: str, title: str, command: str) -> None:
  """A PNG of ``draw_returns`` alone, against env steps."""
  plt = pyplot(command)
  fig, ax = plt.subplots(1, 1, figsize=(SIZE[0], SIZE[1] * 0.6), dpi=DPI)
  draw_returns(ax, groups)
  ax.set_xlabel("env steps")
  ax.set_title(title, fontsize=9)
  fig.tight_layout()
  fig.savefig(out, dpi=DPI)
  plt.close(fig)


def _band(ax, xs, mean, std, color, label, style="-") -> None:
  ax.plot(xs, mean, style, color=color, label=label)
  ax.fill_between(xs, mean - std, mean + std, color=color, alpha=0.2)


def command(args) -> int:
  out = args.out or (os.path.join(args.run_dirs[0], "curves.png") if len(args.run_dirs) == 1
                     else "curves.png")
  metrics = tuple(m for m in args.metrics.split(",") if m)
  groups = plot(args.run_dirs, out, args.x, metrics)
  print(f"plot: wrote {out} ({len(groups)} groups of runs, "
        f"{sum(len(g.runs) for g in groups)} runs)")
  return 0

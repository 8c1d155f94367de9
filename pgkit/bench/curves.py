"""Eval-return curves of several trainers over seeds: mean ± std at matched env steps, a JSON
record of every run and a PNG with one band per trainer.

The std is the sample standard deviation over seeds (``ddof=1``: with the 2-3 seeds a benchmark
runs, numpy's default ``ddof=0`` would understate the spread by a factor of up to 1.41); a single
seed has std 0, a band of width 0. ``ablation``'s table and ``ppo-vs-brax``'s matched lines and
PNGs all take it from :func:`mean_std`.
"""
from __future__ import annotations

import json
import os
import textwrap

import numpy as np

from pgkit.bench.runs import Curve, RunStats


def matched_steps(results: dict[str, list[RunStats]]) -> list[int]:
  """The env steps at which every run of every trainer was evaluated."""
  sets = [set(r.curve.steps) for runs in results.values() for r in runs]
  return sorted(set.intersection(*sets)) if sets else []


def mean_std(runs: list[RunStats], steps: list[int]) -> tuple[np.ndarray, np.ndarray]:
  """Per step, the mean and sample std (ddof 1; 0 for one run) over ``runs`` of the eval return
  at that step."""
  returns = np.array([[r.return_at(s) for s in steps] for r in runs], dtype=float)
  return returns.mean(axis=0), seed_std(returns)


def seed_std(values: np.ndarray, axis: int = 0) -> np.ndarray:
  """The sample std (ddof 1) of ``values`` over seeds (``axis``); 0 for a single seed."""
  return values.std(axis=axis, ddof=min(1, values.shape[axis] - 1))


def save(results: dict[str, list[RunStats]], path: str, **extra) -> None:
  """``results`` (and JSON-able ``extra`` fields) as JSON; :func:`load` reads it back."""
  record = {"runs": {k: [r._replace(curve=r.curve._asdict())._asdict() for r in runs]
                     for k, runs in results.items()}, **extra}
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  with open(path, "w") as f:
    json.dump(record, f, indent=1)


def load(path: str) -> dict[str, list[RunStats]]:
  """The runs :func:`save` wrote, by trainer."""
  with open(path) as f:
    record = json.load(f)
  return {k: [RunStats(**dict(r, curve=Curve(**r["curve"]))) for r in runs]
          for k, runs in record["runs"].items()}


def draw(results: dict[str, list[RunStats]], title: str, path: str, pyplot) -> None:
  """Eval return against env steps at the matched steps: each trainer's mean over seeds, with
  a ± std band, trainers in name order (so each keeps its colour from plot to plot); with more
  than two, the legend stands beside the axes, long names (an ablation's changes) wrapped at
  commas and spaces. ``pyplot`` is matplotlib's (``tools.plot.pyplot``)."""
  steps = matched_steps(results)
  many = len(results) > 2  # an ablation's variants: the legend goes right of the axes
  fig, ax = pyplot.subplots(figsize=(10, 4.5) if many else (6, 4))
  for i, (name, runs) in enumerate(sorted(results.items())):  # same colour per name
    mean, std = mean_std(runs, steps)
    label = textwrap.fill(f"{name.replace(',', ', ')} ({len(runs)} seeds)", 44)
    ax.plot(steps, mean, color=f"C{i}", label=label)
    ax.fill_between(steps, mean - std, mean + std, color=f"C{i}", alpha=0.2)
  ax.set_title(title, fontsize=10)
  ax.set_xlabel("env steps")
  ax.set_ylabel("deterministic eval return (mean ± std)")
  ax.grid(alpha=0.3)
  if many:
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8)
  else:
    ax.legend()
  fig.tight_layout()
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path, dpi=100)
  pyplot.close(fig)

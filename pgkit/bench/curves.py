"""Eval-return curves of several trainers over seeds: mean ± std at matched env steps, a JSON
record of every run and a PNG with one band per trainer.

The std is over seeds with ``ddof=0`` (numpy's default), so one seed draws a band of width 0.
"""
from __future__ import annotations

import json
import os

import numpy as np

from pgkit.bench.runs import Curve, RunStats


def matched_steps(results: dict[str, list[RunStats]]) -> list[int]:
  """The env steps at which every run of every trainer was evaluated."""
  sets = [set(r.curve.steps) for runs in results.values() for r in runs]
  return sorted(set.intersection(*sets)) if sets else []


def mean_std(runs: list[RunStats], steps: list[int]) -> tuple[np.ndarray, np.ndarray]:
  """Per step, the mean and std over ``runs`` of the eval return at that step."""
  returns = np.array([[r.return_at(s) for s in steps] for r in runs], dtype=float)
  return returns.mean(axis=0), returns.std(axis=0)


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
  a ± std band, trainers in name order (so each keeps its colour from plot to plot);
  ``pyplot`` is matplotlib's (``tools.plot.pyplot``)."""
  steps = matched_steps(results)
  fig, ax = pyplot.subplots(figsize=(6, 4))
  for i, (name, runs) in enumerate(sorted(results.items())):  # same colour per name
    mean, std = mean_std(runs, steps)
    ax.plot(steps, mean, color=f"C{i}", label=f"{name} ({len(runs)} seeds)")
    ax.fill_between(steps, mean - std, mean + std, color=f"C{i}", alpha=0.2)
  ax.set_title(title, fontsize=10)
  ax.set_xlabel("env steps")
  ax.set_ylabel("deterministic eval return (mean ± std)")
  ax.grid(alpha=0.3)
  ax.legend()
  fig.tight_layout()
  os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
  fig.savefig(path, dpi=100)
  pyplot.close(fig)

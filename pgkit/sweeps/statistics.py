"""Aggregate scores of a grid point's seeds with interval estimates, computed by ``rliable``.

Agarwal, Schwarzer, Castro, Courville, Bellemare, "Deep Reinforcement Learning at the Edge of
the Statistical Precipice", NeurIPS 2021, https://arxiv.org/abs/2108.13264:

* mean ``(1/K) Σ_k x_k`` and median of the K runs' scores;
* IQM, the interquartile mean: the mean of the middle 50 % of the scores (25 % trimmed from
  each end, ``scipy.stats.trim_mean(x, 0.25)``; ``rliable.metrics.aggregate_iqm``), robust to
  outlying runs and more efficient than the median;
* 95 % confidence intervals from the stratified bootstrap (``rliable.library
  .get_interval_estimates``, percentile method): runs are resampled with replacement within each
  task (one task here: the sweep's env) and the aggregate recomputed per resample; the interval
  is the 2.5 and 97.5 percentiles of those values.

rliable's ``aggregate_median`` is the median across tasks of each task's mean score; with one
task that is the mean, so the median here is the median across runs (``np.median``) under the
same bootstrap. Needs the ``sweep`` extra.
"""
from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

from pgkit.settings.errors import InputError

NAMES = ("mean", "median", "iqm")


def _rliable():
  try:
    from rliable import library, metrics
  except ImportError:
    raise InputError("pgkit sweep needs rliable for its statistics: pip install "
                     "'pgkit[sweep]'") from None
  return library, metrics


def require() -> None:
  """An error naming the extra when rliable is missing (checked before anything compiles)."""
  _rliable()


class Estimate(NamedTuple):
  value: float
  low: float  # the 95 % confidence interval
  high: float


def summarize(scores: dict[str, np.ndarray], reps: int = 2000,
              seed: int = 0) -> dict[str, dict[str, Estimate]]:
  """``{point: {"mean"|"median"|"iqm": Estimate}}`` for ``scores[point]``, the final scores of
  its runs ``[K]``; the bootstrap draws from ``numpy.random.RandomState(seed)``."""
  library, metrics = _rliable()

  def aggregates(x):  # x: [runs, tasks]
    return np.array([metrics.aggregate_mean(x), np.median(x), metrics.aggregate_iqm(x)])

  matrices = {k: np.asarray(v, np.float64).reshape(-1, 1) for k, v in scores.items()}
  with warnings.catch_warnings():  # arch deprecates random_state, which rliable passes on
    warnings.simplefilter("ignore", FutureWarning)
    points, intervals = library.get_interval_estimates(
        matrices, aggregates, reps=reps, random_state=np.random.RandomState(seed))
  return {k: {name: Estimate(float(points[k][i]), float(intervals[k][0, i]),
                             float(intervals[k][1, i])) for i, name in enumerate(NAMES)}
          for k in scores}

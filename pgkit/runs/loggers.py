"""The logs of a run folder: every reported row to JSONL, CSV, TensorBoard and (optionally) W&B.

A row is one report: the mean of every metric the trainer produced over the report's iterations
(returns, losses, KL, entropy, duals, CG residual, line-search step, E-step ESS, gradient norms
...; ``Trainer.report_means``: an off-policy learner's metrics over the iterations that updated
it, NaN in a report of warm-up only, ``null`` in ``metrics.jsonl``) plus ``iteration``,
``env_steps``, ``wall_s`` and ``steps_per_s``, ``episode_return`` where an episode ended in the
report and ``eval_return`` where the report evaluated. Env steps are the x axis of every viewer.
A resumed run keeps the rows up to the iteration it resumes from and drops the rest from every
log (TensorBoard: ``purge_step``), so each log holds one continuous run.

TensorBoard files are written with tensorboardX (a Brax dependency, so nothing extra to
install); ``tensorboard --logdir runs`` shows every run folder under ``runs``.
"""
from __future__ import annotations

import csv
import os
import time

from pgkit.runs import folder
from pgkit.settings.errors import InputError

X_AXIS = "env_steps"
BOOKKEEPING = ("iteration", X_AXIS)  # columns, not scalars to plot


class Logs:
  """Every logger of one run folder; ``write(row)`` reaches them all."""

  def __init__(self, run_dir: str, settings, resume_at: int):
    kept = [r for r in folder.read_metrics(run_dir) if r.get("iteration", 0) <= resume_at]
    self.loggers = [Jsonl(run_dir, kept), Csv(run_dir, kept),
                    TensorBoard(run_dir, kept[-1][X_AXIS] + 1 if kept else None)]
    if settings.run.wandb_project:
      self.loggers.append(WandB(run_dir, settings))

  def write(self, row: dict) -> None:
    for logger in self.loggers:
      logger.write(row)

  def close(self) -> None:
    for logger in self.loggers:
      logger.close()


class Jsonl:
  """``metrics.jsonl``: one JSON object per row, flushed at once."""

  def __init__(self, run_dir: str, kept: list[dict]):
    path = os.path.join(run_dir, folder.METRICS)
    with open(path, "w") as f:
      f.writelines(folder.json_line(r) for r in kept)
    self.file = open(path, "a")

  def write(self, row: dict) -> None:
    self.file.write(folder.json_line(row))
    self.file.flush()

  def close(self) -> None:
    self.file.close()


class Csv:
  """``metrics.csv``: the same rows as a table, a column per name any row has (an empty cell
  where a row has none). A row with a new name (the first ``episode_return`` of a run whose
  first report saw no episode end) rewrites the table with the column added, through a
  temporary file renamed into place; other rows are appended."""

  def __init__(self, run_dir: str, kept: list[dict]):
    self.path = os.path.join(run_dir, folder.TABLE)
    self.rows, self.columns, self.file = list(kept), [], None
    if self.rows:
      self._rewrite()
    elif os.path.exists(self.path):
      os.remove(self.path)

  def write(self, row: dict) -> None:
    self.rows.append(row)
    if self.file is None or any(k not in self.columns for k in row):
      self._rewrite()
    else:
      self.writer.writerow(row)
    self.file.flush()

  def _rewrite(self) -> None:
    names = {k for r in self.rows for k in r}
    self.columns = list(BOOKKEEPING) + sorted(names - set(BOOKKEEPING))
    self.close()
    with open(self.path + ".tmp", "w", newline="") as f:
      writer = csv.DictWriter(f, self.columns)
      writer.writeheader()
      writer.writerows(self.rows)
    os.replace(self.path + ".tmp", self.path)
    self.file = open(self.path, "a", newline="")
    self.writer = csv.DictWriter(self.file, self.columns)

  def close(self) -> None:
    if self.file is not None:
      self.file.close()


class TensorBoard:
  """TensorBoard event files in the run folder, one scalar per metric at ``env_steps``."""

  def __init__(self, run_dir: str, purge_step: int | None):
    from tensorboardX import SummaryWriter
    # tensorboardX names files by the second: a resume within the same second would overwrite
    self.writer = SummaryWriter(run_dir, purge_step=purge_step, flush_secs=10,
                                filename_suffix=f".{time.time_ns()}")

  def write(self, row: dict) -> None:
    for name, value in row.items():
      if name not in BOOKKEEPING:
        self.writer.add_scalar(name, value, global_step=row[X_AXIS])
    self.writer.flush()

  def close(self) -> None:
    self.writer.close()


class WandB:
  """Weights & Biases, when ``wandb_project`` is set (the ``wandb`` extra); the run's id is the
  folder's name, so a resumed run continues the same W&B run."""

  def __init__(self, run_dir: str, settings):
    wandb = require_wandb()
    name = os.path.basename(os.path.abspath(run_dir))
    self.run = wandb.init(project=settings.run.wandb_project, name=name, id=name, dir=run_dir,
                          config=settings.to_dict(), resume="allow")

  def write(self, row: dict) -> None:
    self.run.log({k: v for k, v in row.items() if k != X_AXIS}, step=int(row[X_AXIS]))

  def close(self) -> None:
    self.run.finish()


def require_wandb():
  try:
    import wandb
  except ImportError:
    raise InputError("wandb_project needs the wandb package: pip install 'pgkit[wandb]'") \
        from None
  return wandb

"""Live progress of a run: env steps, % done, steps/s, time left and the latest episode return.

The runner advances it after every compiled unit (``loop.plan`` keeps a unit within a tenth of
the run); the clock starts when training does, after compiling. In a terminal a rich progress
bar shows it, with report lines printed above the bar; otherwise (a pipe, a file, CI) plain
lines are printed: every report's line carries the % done and the time left, and when reports
are further apart than a tenth of the run a progress line is printed at every tenth as well.
"""
from __future__ import annotations

import math
import sys
import time
from typing import Callable


def _duration(seconds: float) -> str:
  if not math.isfinite(seconds):
    return "?"
  seconds = int(round(seconds))
  return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
  """Progress of iterations ``first+1 .. total`` of ``steps_per_iteration`` env steps each.

  ``bar``: a rich progress bar (terminals); else plain lines through ``print_fn``, one at every
  tenth of the run when ``lines_between_reports``."""

  def __init__(self, total: int, steps_per_iteration: int, first: int,
               print_fn: Callable[[str], None], bar: bool, lines_between_reports: bool):
    self.total, self.spi, self.done, self.first = total, steps_per_iteration, first, first
    self.print_fn, self.lines = print_fn, lines_between_reports
    self.latest_return, self.t_start = math.nan, None
    self.next_tenth = math.floor(10 * first / total) + 1
    self.bar = _Bar(total * self.spi) if bar else None

  def __enter__(self):
    self.t_start = time.time()
    if self.bar:
      self.bar.start(self.first * self.spi)
    return self

  def __exit__(self, *exc):
    if self.bar:
      self.bar.stop()

  def advance(self, iteration: int, episodes: float, return_sum: float) -> None:
    """Iterations up to ``iteration`` are done; ``episodes`` ended in them since the last
    advance, with returns summing to ``return_sum``."""
    self.done = iteration
    if episodes:
      self.latest_return = return_sum / episodes
    if self.bar:
      self.bar.update(iteration * self.spi, self.rate(), self.eta(), self.latest_return)
    elif self.lines and iteration >= self.next_tenth * self.total / 10:
      self.next_tenth = math.floor(10 * iteration / self.total) + 1
      self.print_fn(f"progress {self.fields()}")

  def rate(self) -> float:
    """Env steps per second since training started (compilation excluded)."""
    if self.t_start is None or self.done == self.first:
      return math.nan
    return (self.done - self.first) * self.spi / max(time.time() - self.t_start, 1e-9)

  def eta(self) -> float:
    """Seconds left at the rate so far (inf before there is one)."""
    rate = self.rate()
    return (self.total - self.done) * self.spi / rate if rate > 0 else math.inf

  def summary(self) -> str:
    """``% done, eta`` for a report line."""
    return f"{100 * self.done / self.total:.0f}%  eta {_duration(self.eta())}"

  def fields(self) -> str:
    rate = self.rate()
    shown = "n/a" if math.isnan(self.latest_return) else f"{self.latest_return:.2f}"
    speed = f"{rate:.0f}" if math.isfinite(rate) else "?"
    return (f"{100 * self.done / self.total:5.1f}%  env_steps {self.done * self.spi}/"
            f"{self.total * self.spi}  steps/s {speed}  eta {_duration(self.eta())}  "
            f"return {shown}")

  def line(self, text: str) -> None:
    """A line of the run (a report, a warning): above the bar, or printed."""
    if self.bar:
      self.bar.print(text)
    else:
      self.print_fn(text)


class _Bar:
  """A rich progress bar on stdout (terminals only)."""

  def __init__(self, total_steps: int):
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
    self.progress = Progress(
        TextColumn("[bold]training"), BarColumn(), TaskProgressColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f} env steps"),
        TextColumn("{task.fields[rate]} steps/s"), TextColumn("eta {task.fields[eta]}"),
        TextColumn("return {task.fields[ret]}"), refresh_per_second=4)
    self.task = self.progress.add_task("train", total=total_steps, rate="?", eta="?", ret="n/a")

  def start(self, steps: int) -> None:
    self.progress.update(self.task, completed=steps)
    self.progress.start()

  def update(self, steps: int, rate: float, eta: float, latest_return: float) -> None:
    self.progress.update(self.task, completed=steps, eta=_duration(eta),
                         rate=f"{rate:,.0f}" if math.isfinite(rate) else "?",
                         ret="n/a" if math.isnan(latest_return) else f"{latest_return:.2f}")

  def print(self, text: str) -> None:
    self.progress.console.print(text, markup=False, highlight=False)

  def stop(self) -> None:
    self.progress.stop()


def is_terminal() -> bool:
  return sys.stdout.isatty()

"""Graceful stop: SIGTERM or SIGINT asks the run to stop after the compiled unit in flight.

The first signal only sets a flag (the runner then saves a checkpoint of the last completed
state, prints where it is and the command that resumes, and exits with ``128 + signal``); it
also restores the signal's default action, so a second signal ends the process at once.
"""
from __future__ import annotations

import signal
import threading

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(Exception):
  """The run stopped on a signal; ``exit_code`` is ``128 + signal`` (143 for SIGTERM)."""

  def __init__(self, message: str, signum: int):
    super().__init__(message)
    self.exit_code = 128 + signum


class StopSignals:
  """Context manager: while inside, ``requested`` is the first stop signal received (or None)."""

  def __init__(self):
    self.requested: int | None = None
    self._previous = {}

  def _handle(self, signum, frame):
    self.requested = signum
    signal.signal(signum, signal.SIG_DFL)  # a second signal acts at once

  def __enter__(self):
    if threading.current_thread() is threading.main_thread():
      self._previous = {s: signal.signal(s, self._handle) for s in SIGNALS}
    return self

  def __exit__(self, *exc):
    for s, handler in self._previous.items():
      signal.signal(s, handler)
    return False

  @property
  def name(self) -> str:
    return signal.Signals(self.requested).name if self.requested else ""

"""A comparison's JSON record, written after every run, so that a stopped comparison resumes.

A benchmark that trains several seeds of several trainers can outlast the machine it runs on
(a lent GPU's per-call limit, a pre-empted job). ``Record`` keeps every finished run in
``curves.save``'s format and rewrites the file after each one; a later call with the same
``identity`` (env, settings, device (a CPU's model too), jax version: what makes runs
comparable) reads the runs back and trains only the missing ones. A file of another identity
is never overwritten. The identity holds pgkit's own settings too (``settings_identity``), so a
preset or default changed between two commands is caught rather than its runs mixed; a record
written before that field existed is compared without it, and a setting one side does not know
(a field added since) is not compared.
``train_missing`` is the loop both ``ppo-vs-brax`` and ``ablation`` run over it.
"""
from __future__ import annotations

import json
import operator
import os
import platform
import time
from typing import Callable

from pgkit.bench import curves
from pgkit.bench.runs import RunStats
from pgkit.settings.errors import InputError
from pgkit.settings.resolved import dict_differences
from pgkit.settings.run import OUTPUT_FIELDS

SETTINGS = "pgkit_settings"  # the identity's field of pgkit's settings


class Record:
  """The runs of one comparison, by trainer, kept in ``path`` (JSON; None: in memory only)."""

  def __init__(self, path: str | None, identity: dict, trainers=("brax", "pgkit")):
    self.path, self.identity = path, json.loads(json.dumps(identity))  # as JSON reads it back
    self.runs: dict[str, list[RunStats]] = {t: [] for t in trainers}
    if path and os.path.exists(path):
      saved = _read(path)
      differ = _differing(saved, self.identity)
      if differ:
        raise InputError(
            f"{path} holds runs of other settings ({', '.join(differ)} differ), which resuming "
            f"would mix with these; pass another --out folder, or move the file away")
      for trainer, runs in curves.load(path).items():
        self.runs.setdefault(trainer, []).extend(runs)
      self._keep_unnamed_model(saved)
    self.resumed = sum(len(r) for r in self.runs.values())

  def borrow(self, path: str, trainer: str, as_trainer: str, identity: dict) -> int:
    """Takes ``trainer``'s runs from another record at ``path`` as ``as_trainer``'s, for the
    seeds this one lacks, when that record's ``identity`` fields equal ``identity`` (the same
    runs by another command: ``ablation``'s baseline is ``ppo-vs-brax``'s pgkit side); the
    number taken, 0 when the file is absent or of other settings."""
    saved = _read(path) if os.path.exists(path) else None
    if saved is None or _differing(saved, identity):
      return 0
    taken = [r._replace(trainer=as_trainer) for r in curves.load(path).get(trainer, [])
             if not self.has(as_trainer, r.seed)]
    if taken:
      self.runs[as_trainer].extend(taken)
      self._keep_unnamed_model(saved)
      self.save()
    return len(taken)

  def _keep_unnamed_model(self, saved: dict) -> None:
    """Runs taken from a ``saved`` record that does not name its CPU's model make this one's
    device ``1× cpu`` as well: the record does not claim a model for runs of an unknown one."""
    if _same_device(saved.get("device"), self.identity["device"]):
      self.identity["device"] = saved["device"]

  def has(self, trainer: str, seed: int) -> bool:
    return any(r.seed == seed for r in self.runs[trainer])

  def add(self, run: RunStats) -> None:
    """Keeps ``run`` and rewrites the file (through a temporary file: never half written)."""
    self.runs[run.trainer].append(run)
    self.save()

  def save(self, **extra) -> None:
    if not self.path:
      return
    tmp = self.path + ".tmp"
    curves.save(self.runs, tmp, **self.identity, **extra)
    os.replace(tmp, self.path)


def identity(env: str, backend: str, brax_s: dict, num_timesteps: int, eval_envs: int,
             device: str, pgkit_s) -> dict:
  """A comparison's identity: Brax's settings ``brax_s`` (with the evaluations), the budget,
  device, jax and pgkit's settings ``pgkit_s`` (an ablation's baseline, or ``ppo-vs-brax``'s
  pgkit side, which adds its ``pgkit_change``), what makes runs comparable."""
  import jax
  return dict(env=env, backend=backend, settings=brax_s, num_timesteps=num_timesteps,
              eval_envs=eval_envs, device=device, jax=jax.__version__,
              **{SETTINGS: settings_identity(pgkit_s)})


def settings_identity(settings) -> dict:
  """pgkit's settings as a record's identity holds them (``SETTINGS``): ``Settings.to_dict``
  without the seed and the output places, which do not change what a run computes."""
  data = settings.to_dict()
  data["run"] = {k: v for k, v in data["run"].items() if k not in ("seed",) + OUTPUT_FIELDS}
  return data


def _read(path: str) -> dict:
  with open(path) as f:
    return json.load(f)


def _differing(saved: dict, identity: dict) -> list[str]:
  """The fields of ``identity`` whose values the ``saved`` record does not hold (compared as
  JSON reads them back); within ``SETTINGS``, the names of the settings that differ."""
  identity = json.loads(json.dumps(identity))
  differ = [k for k in identity if k != SETTINGS and not (
      _same_device if k == "device" else operator.eq)(saved.get(k), identity[k])]
  if SETTINGS in identity and SETTINGS in saved:  # records before 2026-12-05 have none
    differ += dict_differences(saved[SETTINGS], identity[SETTINGS], keys=set.intersection)
  return sorted(differ)


def paired(runs: dict[str, list[RunStats]], seeds: int) -> dict[str, list[RunStats]]:
  """The runs of the seeds ``0..seeds-1`` that every trainer has finished, in seed order: what
  is compared."""
  both = set(range(seeds)).intersection(*({r.seed for r in rs} for rs in runs.values()))
  return {t: sorted((r for r in rs if r.seed in both), key=lambda r: r.seed)
          for t, rs in runs.items()}


def train_missing(rec: Record, trainers: dict[str, Callable[[int], RunStats]],
                  order: list[tuple[int, str]], time_budget: float | None, print_fn,
                  describe: Callable[[int, str, RunStats], str]) -> bool:
  """Trains the runs ``(seed, trainer)`` of ``order`` that ``rec`` lacks, in that order, each
  saved as it ends (``describe`` prints it); False if ``time_budget`` (seconds) stopped it
  first: no run starts that the longest run so far says would end after the budget."""
  if rec.resumed:
    print_fn(f"resuming: {rec.resumed} runs from {rec.path} (move it away to measure them again)")
  start, longest = time.perf_counter(), 0.0
  todo = [(seed, which) for seed, which in order if not rec.has(which, seed)]
  for i, (seed, which) in enumerate(todo):
    elapsed = time.perf_counter() - start
    if time_budget is not None and longest and elapsed + longest > time_budget:
      print_fn(f"time budget: {elapsed:.0f} of {time_budget:.0f} s spent and a run takes up to "
               f"{longest:.0f} s; stopping with {len(todo) - i} runs left (the same command "
               "with the same --out trains them)")
      return False
    t0 = time.perf_counter()
    r = trainers[which](seed)
    longest = max(longest, time.perf_counter() - t0)
    rec.add(r)
    print_fn(describe(seed, which, r))
  return True


def device() -> str:
  """The device part of a record's identity: ``N× device_kind``, and on a CPU its model in
  brackets (jax's device kind is ``cpu`` for every processor, and two CPU models give other
  steps/s and, through their vector units, returns that differ in the last digits: an Intel Xeon
  repeated an AMD EPYC's inverted_pendulum curve for one seed of two, 310 against 311 at one
  point of the other)."""
  import jax
  first = jax.devices()[0]
  model = f" ({cpu_model()})" if first.platform == "cpu" else ""
  return f"{jax.device_count()}× {first.device_kind}{model}"


def cpu_model() -> str:
  """The processor's model name (Linux's ``/proc/cpuinfo``; elsewhere ``platform``'s)."""
  try:
    with open("/proc/cpuinfo") as f:
      for line in f:
        if line.startswith("model name"):
          return line.split(":", 1)[1].strip()
  except OSError:
    pass
  return platform.processor() or platform.machine()


def _same_device(saved: str | None, now: str) -> bool:
  """Whether a record's device is this one; a CPU record written before devices named the
  model (``1× cpu``) is compared without it."""
  return saved == now or (saved is not None and " (" not in saved
                          and now.startswith(saved + " ("))


def check_budget(time_budget: float | None) -> None:
  if time_budget is not None and not time_budget > 0:  # nan fails too
    raise InputError(f"time_budget must be a number of seconds > 0, got {time_budget}")

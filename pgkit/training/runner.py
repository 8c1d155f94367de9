"""The runner: compiled units of ``step`` with host-side progress, logs, checkpoints and checks.

A run is cut into compiled units of at most 2^19 env steps (``loop.plan``); about ``num_chunks``
times per run the host prints a progress line, appends the metrics to ``metrics.jsonl`` in
``log_dir`` and saves a checkpoint to ``checkpoint_dir``. Before anything compiles, every
setting is validated and both folders are checked (created, writable, holding this run's
``settings.json`` or nothing). During training:

* a non-finite value stops the run (``health.NonFiniteError``) naming the quantity, the
  iteration and the checkpoint with the last finite state; nothing non-finite is ever saved;
* a diverging run (KL per iteration above 1 nat on average over a report) is reported as a
  warning, or stops it with ``on_divergence=error``. (The critic's explained variance is logged
  but not judged: once a task is solved the value targets are nearly constant and it swings
  far below zero on healthy runs.)
* SIGTERM/SIGINT stop it after the unit in flight with a checkpoint and the command that resumes
  (``stop.Stopped``).

At the end the deterministic policy is evaluated and one ``final:`` line is printed.
"""
from __future__ import annotations

import functools
import json
import os
import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.settings import Settings
from pgkit.settings.errors import InputError
from pgkit.training import checkpoints, health, loop
from pgkit.training.stop import StopSignals, Stopped
from pgkit.training.trainer import make_trainer

METRICS_FILE = "metrics.jsonl"
MAX_KL = 1.0  # mean nats of KL(π_old‖π_θ) per iteration beyond which a run is diverging
_print = functools.partial(print, flush=True)  # progress reaches pipes and files at once


class RunResult(NamedTuple):
  algo: str
  env: str
  eval_return: float
  env_steps: int
  wall_s: float
  steps_per_s: float
  state: object

  def final_line(self) -> str:
    return (f"final: algo={self.algo} env={self.env} eval_return={self.eval_return:.2f} "
            f"env_steps={self.env_steps} wall_s={self.wall_s:.2f} "
            f"steps_per_s={self.steps_per_s:.1f}")


class DivergenceError(FloatingPointError):
  """A run diverged and ``on_divergence`` is ``error``."""


def _prepare(field: str, directory: str, settings: Settings) -> None:
  """Creates ``directory`` and checks it is writable and holds this run (or nothing)."""
  try:
    os.makedirs(directory, exist_ok=True)
    probe = os.path.join(directory, ".pgkit-write-test")
    with open(probe, "w"):
      pass
    os.remove(probe)
  except OSError as e:
    raise InputError(f"{field} {directory!r} cannot be used: {e.strerror or e}") from None
  checkpoints.check_settings(directory, settings, field)


def _metric_rows(log_dir: str) -> list[str]:
  path = os.path.join(log_dir, METRICS_FILE)
  return open(path).read().splitlines() if os.path.exists(path) else []


def _check_metrics_log(log_dir: str, resuming: bool) -> None:
  """A fresh run refuses a log folder that already holds the metrics of a run."""
  if not resuming and _metric_rows(log_dir):
    raise InputError(f"log_dir {log_dir!r} already holds the metrics of a run ({METRICS_FILE}); "
                     "use a new folder, or resume that run from its checkpoint_dir")


def _metrics_log(log_dir: str, resume_at: int):
  """``metrics.jsonl`` opened for appending after keeping the rows up to ``resume_at`` (those of
  the work a resumed run keeps)."""
  _check_metrics_log(log_dir, resume_at > 0)
  path = os.path.join(log_dir, METRICS_FILE)
  kept = [r for r in _metric_rows(log_dir) if json.loads(r).get("iteration", 0) <= resume_at]
  with open(path, "w") as f:
    f.writelines(r + "\n" for r in kept)
  return open(path, "a")


def _resume_command(settings: Settings, folder: str) -> str:
  return (f"pgkit train {settings.to_dict()['algo']} --config "
          f"{os.path.join(os.path.abspath(folder), checkpoints.SETTINGS_FILE)}")


def _progress(iteration, env_steps, steps_per_s, metrics) -> tuple[str, float]:
  episodes = float(np.sum(metrics["episodes"]))
  mean_return = float(np.sum(metrics["episode_return_sum"])) / max(episodes, 1.0)
  shown = f"{mean_return:8.2f}" if episodes else "     n/a"  # no episode ended in the chunk
  return (f"iter {iteration:5d}  env_steps {env_steps:9d}  steps/s {steps_per_s:9.0f}  "
          f"episode_return {shown}  ({episodes:.0f} episodes)  "
          f"kl {float(np.mean(metrics['kl'])):.4f}"), mean_return


def run(settings: Settings, print_fn: Callable[[str], None] = _print) -> RunResult:
  """Trains ``settings`` (see ``pgkit.preset``); prints progress and returns the final result.

  Everything a user can get wrong is checked before anything compiles (``InputError``). With
  ``run.checkpoint_dir`` the train state is saved at every report, and a run started on a
  folder that holds checkpoints of the same settings resumes from the newest readable one
  exactly (bitwise: same parameters as an uninterrupted run).
  """
  settings.validate()
  rs = settings.run
  for field in ("checkpoint_dir", "log_dir"):
    if getattr(rs, field):
      _prepare(field, getattr(rs, field), settings)
  ckpt = checkpoints.Checkpoints(rs.checkpoint_dir) if rs.checkpoint_dir else None
  if rs.log_dir:  # before compiling
    _check_metrics_log(rs.log_dir, resuming=ckpt is not None and ckpt.latest() is not None)
  start = time.time()
  trainer = make_trainer(settings)
  p = loop.plan(rs.num_iterations, rs.num_chunks, trainer.steps_per_iteration)
  total = p.iterations * trainer.steps_per_iteration
  if total != rs.num_timesteps:
    print_fn(f"num_timesteps={rs.num_timesteps} rounds up to {p.iterations} iterations of "
             f"{trainer.steps_per_iteration} env steps = {total} env steps")
  c = loop.compiled(trainer, p.unit)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  key, eval_key = loop.seed_keys(rs.seed)
  state, first = c.init(key, hp), 0
  if ckpt:
    resumed, state = ckpt.restore_latest(state, print_fn)
    if resumed is not None:
      first = resumed
      print_fn(f"resumed from {ckpt.path(resumed)} at iteration {resumed}")
  log = _metrics_log(rs.log_dir, first) if rs.log_dir else None
  try:
    state = _train(c, p, state, hp, first, trainer, settings, ckpt, log, print_fn, start)
    eval_return = float(c.evaluate(state, eval_key))
  finally:
    if log:
      log.close()
    if ckpt:
      ckpt.close()
  wall, env_steps = time.time() - start, total
  result = RunResult(settings.algo.name, rs.env, eval_return, env_steps, wall,
                     env_steps / wall, state)
  print_fn(result.final_line())
  return result


def _train(c, p, state, hp, first, trainer, settings, ckpt, log, print_fn, start):
  """The units from iteration ``first`` on, reporting every ``p.units_per_report`` units."""
  pending, t_report, n_report = [], time.time(), 0
  with StopSignals() as stop:
    for u in range(first // p.unit, p.num_units):
      state, metrics = c.run_chunk(state, hp)
      pending.append(metrics)
      status = jax.device_get(state.health)  # waits for this unit: a stop loses no more
      n_report += 1
      iteration = (u + 1) * p.unit
      if not (int(status.code) >= 0 or stop.requested or u + 1 == p.num_units
              or (u + 1) % p.units_per_report == 0):
        continue
      fetched = jax.device_get(pending)  # one transfer for the report's units
      metrics = {k: np.concatenate([np.asarray(m[k]) for m in fetched]) for k in fetched[0]}
      health.report(status, metrics, ckpt and ckpt.latest() is not None
                    and ckpt.path(ckpt.latest()))
      saved = ckpt.save(iteration, state) if ckpt else None
      steps = n_report * p.unit * trainer.steps_per_iteration
      line, mean_return = _progress(iteration, iteration * trainer.steps_per_iteration,
                                    steps / (time.time() - t_report), metrics)
      print_fn(line)
      if log:
        row = {k: float(np.mean(v)) for k, v in metrics.items()}
        row.update(iteration=iteration, env_steps=iteration * trainer.steps_per_iteration,
                   episode_return=mean_return, wall_s=time.time() - start)
        log.write(json.dumps(row) + "\n")
        log.flush()
      _check_divergence(metrics, iteration, settings.run.on_divergence, print_fn)
      if stop.requested:
        where = (f"checkpoint saved in {saved}; resume with: "
                 f"{_resume_command(settings, settings.run.checkpoint_dir)}" if saved
                 else "nothing was saved (set --checkpoint-dir to make runs resumable)")
        raise Stopped(f"stopped by {stop.name} at iteration {iteration}; {where}",
                      stop.requested)
      pending, t_report, n_report = [], time.time(), 0
  return state


def _check_divergence(metrics, iteration, on_divergence: str, print_fn) -> None:
  """Warns (or raises ``DivergenceError``) when the report's mean KL per iteration > MAX_KL."""
  kl = float(np.mean(metrics["kl"]))
  if kl <= MAX_KL:
    return
  problem = (f"iteration {iteration}: KL(π_old‖π_θ) per iteration averaged {kl:.3g} nats over "
             f"the last report (> {MAX_KL:g}): the policy updates are diverging")
  if on_divergence == "error":
    raise DivergenceError(problem + " (on_divergence=error)")
  print_fn(f"warning: {problem}")

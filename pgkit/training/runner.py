"""The runner: compiled units of ``step`` with live progress, logs, checkpoints and checks.

A run is cut into compiled units of at most 2^19 env steps and a tenth of the run
(``loop.plan``), compiled ahead of training (through jax's persistent cache when it is on,
``compile_cache``); progress moves once per unit (``progress``), and about ``num_chunks`` times
per run the host prints a report line, appends the metrics to the run folder's logs and saves a
checkpoint there (``pgkit.runs.folder`` describes the folder). Before anything compiles, every
setting is validated and the run folder is checked (created, writable, holding this run's
``settings.json`` or nothing). During training:

* a non-finite value stops the run (``health.NonFiniteError``) naming the quantity, the
  iteration and the checkpoint with the last finite state; nothing non-finite is ever saved;
* a diverging run (KL per iteration above 1 nat on average over a report) is reported as a
  warning, or stops it with ``on_divergence=error``. (The critic's explained variance is logged
  but not judged: once a task is solved the value targets are nearly constant and it swings
  far below zero on healthy runs.)
* SIGTERM/SIGINT stop it after the unit in flight with a checkpoint and the command that resumes
  (``stop.Stopped``).

At the end the deterministic policy is evaluated (its evaluation compiled in a background thread
while the run trains: ``loop.Compiled.evaluate_ahead``), ``result.json`` is written and one
``final:`` line is printed. With ``eval_at_reports`` the same evaluation (same episodes' keys)
also runs at every report: ``eval_return`` in its line and its logs row, so the logs hold the
deterministic policy's return against env steps, as Brax's trainers report it ``num_evals``
times; the last report's equals the final one.
"""
from __future__ import annotations

import functools
import math
import os
import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit import gc_tuning
from pgkit.settings import Settings
from pgkit.settings.errors import InputError
from pgkit.runs import folder, loggers
from pgkit.training import checkpoints, distributed, health, loop, sharding
from pgkit.training import progress as progress_lib
from pgkit.training.stop import StopSignals, Stopped
from pgkit.training.trainer import make_trainer

MAX_KL = 1.0  # mean nats of KL(π_old‖π_θ) per iteration beyond which a run is diverging
_print = functools.partial(print, flush=True)  # progress reaches pipes and files at once


class RunResult(NamedTuple):
  algo: str
  env: str
  eval_return: float
  env_steps: int  # the whole run's, a resumed one's included
  wall_s: float  # this process's, compilation included
  steps_per_s: float  # the env steps this process trained per second of wall_s
  state: object

  def final_line(self) -> str:
    return (f"final: algo={self.algo} env={self.env} eval_return={self.eval_return:.2f} "
            f"env_steps={self.env_steps} wall_s={self.wall_s:.2f} "
            f"steps_per_s={self.steps_per_s:.1f}")

  def to_dict(self) -> dict:
    """What ``result.json`` holds: everything but the state."""
    return {k: v for k, v in self._asdict().items() if k != "state"}


def _silent(line: str) -> None:
  """The print of a cluster's processes other than 0."""


class DivergenceError(FloatingPointError):
  """A run diverged and ``on_divergence`` is ``error``."""


def _resume_command(settings: Settings) -> str:
  path = os.path.join(os.path.abspath(settings.run.run_dir), folder.SETTINGS)
  return f"pgkit train {settings.to_dict()['algo']} --config {path}"


class _Outputs(NamedTuple):
  """Where a run's reports go: checkpoints and logs (None without a run folder), progress, and
  the evaluation each report runs (None without ``eval_at_reports``)."""

  ckpt: checkpoints.Checkpoints | None
  logs: loggers.Logs | None
  progress: progress_lib.Progress
  evaluate: Callable | None = None  # state -> the deterministic policy's mean return


def _open_folder(settings: Settings):
  """The run folder checked, and its checkpoints (both None without ``run_dir``)."""
  rs = settings.run
  if rs.wandb_project and not rs.run_dir:
    raise InputError("wandb_project needs a run_dir (the W&B run mirrors the run folder's logs)")
  if not rs.run_dir:
    return None
  if distributed.is_main():  # the other processes of a cluster only read it
    folder.prepare(rs.run_dir, settings)
    if rs.wandb_project:
      loggers.require_wandb()
  distributed.barrier("pgkit-run-folder")
  ckpt = checkpoints.Checkpoints(os.path.join(rs.run_dir, folder.CHECKPOINTS))
  folder.check_fresh(rs.run_dir, resuming=ckpt.latest() is not None)
  return ckpt


def _report_line(iteration, env_steps, steps_per_s, metrics, means, progress,
                 eval_return=None) -> tuple[str, float]:
  """The report's line, and its episodes' mean return (None when no episode ended in it);
  ``means`` are the report's metric means (``Trainer.report_means``)."""
  episodes = float(np.sum(metrics["episodes"]))
  mean_return = float(np.sum(metrics["episode_return_sum"])) / episodes if episodes else None
  shown = f"{mean_return:8.2f}" if episodes else "     n/a"
  evaluated = "" if eval_return is None else f"eval {eval_return:8.2f}  "
  return (f"iter {iteration:5d}  env_steps {env_steps:9d}  steps/s {steps_per_s:9.0f}  "
          f"episode_return {shown}  ({episodes:.0f} episodes)  {evaluated}"
          f"kl {means['kl']:.4f}  {progress.summary()}"), mean_return


@gc_tuning.relaxed()
def run(settings: Settings, print_fn: Callable[[str], None] = _print) -> RunResult:
  """Trains ``settings`` (see ``pgkit.preset``); shows progress and returns the final result.

  Everything a user can get wrong is checked before anything compiles (``InputError``). With
  ``run.run_dir`` the run writes its folder (settings, logs, a checkpoint at every report,
  ``result.json``), and a run started on a folder that holds checkpoints of the same settings
  resumes from the newest readable one exactly (bitwise: same parameters as an uninterrupted
  run). Progress is a bar when ``print_fn`` is the default and stdout a terminal, else lines.
  """
  settings.validate()
  rs = settings.run
  if not distributed.is_main():  # process 0 of a cluster prints and writes the logs
    print_fn = _silent
  devices = sharding.resolve(rs.devices)
  sharding.check_divisible("num_envs", rs.num_envs, sharding.mesh(devices))
  ckpt = _open_folder(settings)
  start = time.time()
  trainer = make_trainer(settings)
  p = loop.plan(rs.num_iterations, rs.num_chunks, trainer.steps_per_iteration)
  total = p.iterations * trainer.steps_per_iteration
  if total != rs.num_timesteps:
    print_fn(f"num_timesteps={rs.num_timesteps} rounds up to {p.iterations} iterations of "
             f"{trainer.steps_per_iteration} env steps = {total} env steps")
  c = loop.compiled(trainer, p.unit, devices=devices)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  key, eval_key = loop.seed_keys(rs.seed)
  state, first, hp = c.init(key, hp), 0, c.put_hp(hp)
  if ckpt:
    resumed, state = ckpt.restore_latest(state, print_fn)
    if resumed is not None:
      first = resumed
      print_fn(f"resumed from {ckpt.path(resumed)} at iteration {resumed}")
  t = time.time()  # compiled here (ahead of time) so the run can say what compiling cost
  c = c._replace(run_chunk=c.run_chunk.lower(state, hp).compile())
  print_fn(f"compiled the training unit in {time.time() - t:.1f} s")
  evaluate = c.evaluate_ahead(state, eval_key)  # the final evaluation compiles while training
  sparse = p.unit * p.units_per_report > math.ceil(p.iterations / 10)  # reports > 10 % apart
  progress = progress_lib.Progress(p.iterations, trainer.steps_per_iteration, first, print_fn,
                                   print_fn is _print and progress_lib.is_terminal(), sparse)
  logs = loggers.Logs(rs.run_dir, settings, first) if rs.run_dir and distributed.is_main() else None
  evaluate_state = lambda state: float(sharding.fetch(evaluate(state, eval_key)))
  outputs = _Outputs(ckpt, logs, progress, evaluate_state if rs.eval_at_reports else None)
  try:
    with progress:
      state, eval_return = _train(c, p, state, hp, first, trainer, settings, outputs, start)
    if eval_return is None:  # else the last report evaluated this state
      eval_return = evaluate_state(state)
  finally:
    for out in (outputs.logs, ckpt):
      if out:
        out.close()
  # A resumed run's wall time is this process's: its rate counts the steps trained here.
  wall, trained = time.time() - start, (p.iterations - first) * trainer.steps_per_iteration
  result = RunResult(settings.algo.name, rs.env, eval_return, total, wall, trained / wall, state)
  if rs.run_dir and distributed.is_main():
    folder.write_result(rs.run_dir, result.to_dict())
  print_fn(result.final_line())
  return result


def _train(c, p, state, hp, first, trainer, settings, out: _Outputs, start):
  """The units from iteration ``first`` on, reporting every ``p.units_per_report`` units;
  returns the state and the last report's evaluation (None without one)."""
  pending, t_report, n_report, eval_return = [], time.time(), 0, None
  with StopSignals() as stop:
    for u in range(first // p.unit, p.num_units):
      state, metrics = c.run_chunk(state, hp)
      pending.append(metrics)
      # Waits for this unit (a stop loses no more) and moves the progress.
      status, episodes, return_sum = sharding.fetch(
          (state.health, metrics["episodes"], metrics["episode_return_sum"]))
      n_report += 1
      iteration = (u + 1) * p.unit
      out.progress.advance(iteration, float(np.sum(episodes)), float(np.sum(return_sum)))
      if not (int(status.code) >= 0 or stop.requested or u + 1 == p.num_units
              or (u + 1) % p.units_per_report == 0):
        continue
      fetched = sharding.fetch(pending)  # one transfer for the report's units
      metrics = {k: np.concatenate([np.asarray(m[k]) for m in fetched]) for k in fetched[0]}
      health.report(status, metrics, out.ckpt and out.ckpt.latest() is not None
                    and out.ckpt.path(out.ckpt.latest()))
      saved = out.ckpt.save(iteration, state) if out.ckpt else None
      env_steps = iteration * trainer.steps_per_iteration
      steps_per_s = n_report * p.unit * trainer.steps_per_iteration / (time.time() - t_report)
      eval_return = out.evaluate(state) if out.evaluate else None  # before state is donated
      means = trainer.report_means(metrics)
      line, mean_return = _report_line(iteration, env_steps, steps_per_s, metrics, means,
                                       out.progress, eval_return)
      out.progress.line(line)
      if out.logs:
        row = dict(means)
        row.update(iteration=iteration, env_steps=env_steps, wall_s=time.time() - start,
                   steps_per_s=steps_per_s)
        if mean_return is not None:  # else no episode ended in the report
          row["episode_return"] = mean_return
        if eval_return is not None:
          row["eval_return"] = eval_return
        out.logs.write(row)
      _check_divergence(means["kl"], iteration, settings.run.on_divergence, out.progress.line)
      if stop.requested:
        where = (f"checkpoint saved in {saved}; resume with: {_resume_command(settings)}"
                 if saved else "nothing was saved (set --run-dir to make runs resumable)")
        raise Stopped(f"stopped by {stop.name} at iteration {iteration}; {where}",
                      stop.requested)
      pending, t_report, n_report = [], time.time(), 0
  return state, eval_return


def _check_divergence(kl: float, iteration, on_divergence: str, print_fn) -> None:
  """Warns (or raises ``DivergenceError``) when the report's mean KL per iteration ``kl`` >
  MAX_KL (NaN, a report with no learner update, passes)."""
  if not kl > MAX_KL:
    return
  problem = (f"iteration {iteration}: KL(π_old‖π_θ) per iteration averaged {kl:.3g} nats over "
             f"the last report (> {MAX_KL:g}): the policy updates are diverging")
  if on_divergence == "error":
    raise DivergenceError(problem + " (on_divergence=error)")
  print_fn(f"warning: {problem}")

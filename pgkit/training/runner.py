"""The runner: compiled chunks of ``step`` with host-side progress, logs, checkpoints and checks.

Between chunks (``training.loop``), the host prints progress (iteration, env steps, steps/s,
mean return of episodes finished in the chunk), appends the chunk's metrics to
``metrics.jsonl`` in ``log_dir``, saves a checkpoint to ``checkpoint_dir``, and stops with a
``FloatingPointError`` as soon as a metric is non-finite, so NaNs are never trained on silently.
At the end the deterministic policy is evaluated and one ``final:`` line is printed. The
resolved settings are written as ``settings.json`` beside the logs and the checkpoints.
"""
from __future__ import annotations

import json
import os
import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.settings import Settings
from pgkit.training import checkpoints, loop
from pgkit.training.trainer import make_trainer


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


def check_finite(metrics: dict, iteration: int) -> None:
  bad = sorted(k for k, v in metrics.items() if not np.all(np.isfinite(np.asarray(v))))
  if bad:
    raise FloatingPointError(f"non-finite training metrics {bad} in the chunk ending at "
                             f"iteration {iteration}; training stopped before using them")


def _progress(iteration, env_steps, steps_per_s, metrics) -> str:
  episodes = float(np.sum(metrics["episodes"]))
  mean_return = float(np.sum(metrics["episode_return_sum"])) / max(episodes, 1.0)
  shown = f"{mean_return:8.2f}" if episodes else "     n/a"  # no episode ended in the chunk
  return (f"iter {iteration:5d}  env_steps {env_steps:9d}  steps/s {steps_per_s:9.0f}  "
          f"episode_return {shown}  ({episodes:.0f} episodes)  "
          f"kl {float(np.mean(metrics['kl'])):.4f}"), mean_return


def run(settings: Settings, print_fn: Callable[[str], None] = print) -> RunResult:
  """Trains ``settings`` (see ``pgkit.preset``); prints progress and returns the final result.

  Every setting is validated before anything compiles. With ``run.checkpoint_dir`` the train
  state is saved after every chunk, and a run started on a folder that holds a checkpoint of
  the same settings resumes from it exactly.
  """
  settings.validate()
  rs = settings.run
  for folder in (rs.checkpoint_dir, rs.log_dir):
    if folder:
      checkpoints.check_settings(folder, settings)
  start = time.time()
  trainer = make_trainer(settings)
  chunk, _ = loop.chunking(rs.num_iterations, rs.num_chunks)
  c = loop.compiled(trainer, chunk)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  key, eval_key = jax.random.split(jax.random.PRNGKey(rs.seed))
  state = c.init(key, hp)
  first = 0
  resume_at = checkpoints.latest(rs.checkpoint_dir) if rs.checkpoint_dir else None
  if resume_at is not None:
    state = checkpoints.restore(rs.checkpoint_dir, resume_at, state)
    first = resume_at // chunk
    print_fn(f"resumed from {rs.checkpoint_dir} at iteration {resume_at}")
  log = open(os.path.join(rs.log_dir, "metrics.jsonl"), "a") if rs.log_dir else None
  env_steps = first * chunk * trainer.steps_per_iteration
  try:
    for i in range(first, c.num_chunks):
      t0 = time.time()
      state, metrics = c.run_chunk(state, hp)
      metrics = jax.device_get(metrics)
      dt = time.time() - t0
      iteration = (i + 1) * chunk
      env_steps = iteration * trainer.steps_per_iteration
      check_finite(metrics, iteration)
      if rs.checkpoint_dir:
        checkpoints.save(rs.checkpoint_dir, state, iteration)
      line, mean_return = _progress(iteration, env_steps,
                                    chunk * trainer.steps_per_iteration / dt, metrics)
      print_fn(line)
      if log:
        row = {k: float(np.mean(v)) for k, v in metrics.items()}
        row.update(iteration=iteration, env_steps=env_steps, episode_return=mean_return,
                   wall_s=time.time() - start)
        log.write(json.dumps(row) + "\n")
        log.flush()
    eval_return = float(c.evaluate(state, eval_key))
  finally:
    if log:
      log.close()
  wall = time.time() - start
  result = RunResult(settings.algo.name, rs.env, eval_return, env_steps, wall, env_steps / wall,
                     state)
  print_fn(result.final_line())
  return result

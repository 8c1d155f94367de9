"""The chunked runner: compiled chunks of ``step`` with host-side progress, logs and checks.

Between chunks (each a ``lax.scan`` of K iterations under one ``jit``), the host prints progress
(iteration, env steps, steps/s, mean return of episodes finished in the chunk), appends the
chunk's metrics to ``metrics.jsonl`` in ``log_dir``, and stops with a ``FloatingPointError`` as
soon as a metric is non-finite, so NaNs are never trained on silently. At the end the
deterministic policy is evaluated and one ``final:`` line is printed.
"""
from __future__ import annotations

import functools
import json
import math
import os
import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.training import checkpoints
from pgkit.training.config import Config, HParams, validate_config, validate_hparams
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


@functools.lru_cache(maxsize=8)
def compiled(config: Config, chunk: int):
  """(trainer, init, run_chunk, evaluate) jitted once per (config, chunk) and reused by runs."""
  trainer = make_trainer(config)

  @functools.partial(jax.jit, donate_argnums=0)
  def run_chunk(state, hp):
    return jax.lax.scan(lambda s, _: trainer.step(s, hp), state, None, length=chunk)

  return trainer, jax.jit(trainer.init), run_chunk, jax.jit(trainer.evaluate)


def run(config: Config, hp: HParams, seed: int = 0, num_chunks: int = 10,
        log_dir: str | None = None, checkpoint_dir: str | None = None,
        print_fn: Callable[[str], None] = print) -> RunResult:
  """Trains ``config.algo`` with ``hp``; prints progress and returns the final result.

  With ``checkpoint_dir`` the train state is saved after every chunk, and a run started on a
  folder that holds a checkpoint resumes from it exactly.
  """
  validate_config(config)
  validate_hparams(hp)
  if num_chunks < 1:
    raise ValueError(f"num_chunks must be >= 1, got {num_chunks}")
  if checkpoint_dir:
    checkpoints.check_run_record(checkpoint_dir, config, hp, seed, num_chunks)
  start = time.time()
  chunk = max(1, math.ceil(config.num_iterations / num_chunks))
  num_chunks = math.ceil(config.num_iterations / chunk)
  trainer, init, run_chunk, evaluate = compiled(config, chunk)
  hp = jax.tree.map(jnp.asarray, hp)
  key, eval_key = jax.random.split(jax.random.PRNGKey(seed))
  state = init(key, hp)
  first = 0
  resume_at = checkpoints.latest(checkpoint_dir) if checkpoint_dir else None
  if resume_at is not None:
    state = checkpoints.restore(checkpoint_dir, resume_at, state)
    first = resume_at // chunk
    print_fn(f"resumed from {checkpoint_dir} at iteration {resume_at}")
  if log_dir:
    os.makedirs(log_dir, exist_ok=True)
  log = open(os.path.join(log_dir, "metrics.jsonl"), "a") if log_dir else None
  env_steps = first * chunk * trainer.steps_per_iteration
  try:
    for c in range(first, num_chunks):
      t0 = time.time()
      state, metrics = run_chunk(state, hp)
      metrics = jax.device_get(metrics)
      dt = time.time() - t0
      iteration = (c + 1) * chunk
      env_steps = iteration * trainer.steps_per_iteration
      check_finite(metrics, iteration)
      if checkpoint_dir:
        checkpoints.save(checkpoint_dir, state, iteration)
      episodes = float(np.sum(metrics["episodes"]))
      mean_return = float(np.sum(metrics["episode_return_sum"])) / max(episodes, 1.0)
      shown = f"{mean_return:8.2f}" if episodes else "     n/a"  # no episode ended in the chunk
      print_fn(f"iter {iteration:5d}  env_steps {env_steps:9d}  "
               f"steps/s {chunk * trainer.steps_per_iteration / dt:9.0f}  "
               f"episode_return {shown}  ({episodes:.0f} episodes)  "
               f"kl {float(np.mean(metrics['kl'])):.4f}")
      if log:
        row = {k: float(np.mean(v)) for k, v in metrics.items()}
        row.update(iteration=iteration, env_steps=env_steps, episode_return=mean_return,
                   wall_s=time.time() - start)
        log.write(json.dumps(row) + "\n")
        log.flush()
    eval_return = float(evaluate(state, eval_key))
  finally:
    if log:
      log.close()
  wall = time.time() - start
  result = RunResult(config.algo, config.env, eval_return, env_steps, wall, env_steps / wall,
                     state)
  print_fn(result.final_line())
  return result

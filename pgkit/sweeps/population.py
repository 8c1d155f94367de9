"""One compiled population: every (traced grid point, seed) of one static point, in chunks.

Members are ordered point-major: member ``p · K + k`` is traced point ``p`` with seed
``seed + k`` (the keys of ``pgkit train --seed``, ``loop.seed_keys``). The traced
hyperparameters hold one value per member (``loop.compiled(member_hparams=...)``); the
population is split over the devices along the member axis when there are several.
"""
from __future__ import annotations

import time
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from pgkit.settings import Settings
from pgkit.training import loop, sharding
from pgkit.training.trainer import make_trainer


class Result(NamedTuple):
  rows: list[list[dict]]  # per member, one metrics row per chunk
  eval_returns: np.ndarray  # [members]
  compile_s: float
  wall_s: float


def member_hparams(settings: Settings, points: list[dict], seeds: int):
  """The hyperparameters with each traced field an array ``[points · seeds]`` (point-major)."""
  names = tuple(points[0]) if points and points[0] else ()
  arrays = {n: np.repeat(np.asarray([p[n] for p in points], np.float32), seeds) for n in names}
  return settings.hparams.replace(**arrays), names


def _row(trainer, metrics: dict, member: int, iteration: int) -> dict:
  """One member's metrics over a chunk: each metric's mean (``Trainer.report_means``), and the
  episodes' mean return."""
  row = trainer.report_means({k: v[member] for k, v in metrics.items()})
  episodes = float(np.sum(metrics["episodes"][member]))
  if episodes:
    row["episode_return"] = float(np.sum(metrics["episode_return_sum"][member])) / episodes
  row.update(iteration=iteration, env_steps=iteration * trainer.steps_per_iteration)
  return row


def train(settings: Settings, points: list[dict], seeds: int, devices: int,
          on_chunk: Callable[[int, int, list[list[dict]], float], None]) -> Result:
  """Trains the population of ``points`` (traced grid points) × ``seeds``; ``on_chunk(done,
  chunks, rows, steps_per_s)`` runs on the host after each chunk."""
  trainer = make_trainer(settings)
  chunk, chunks = loop.chunking(settings.run.num_iterations, settings.run.num_chunks)
  hp, names = member_hparams(settings, points, seeds)
  c = loop.compiled(trainer, chunk, population=True, member_hparams=names, devices=devices)
  n = len(points) * seeds
  keys, eval_keys = jax.vmap(loop.seed_keys)(settings.run.seed + jnp.arange(n) % seeds)
  hp = jax.tree.map(jnp.asarray, hp)
  start = time.perf_counter()
  state, hp = c.init(keys, hp), c.put_hp(hp)
  run_chunk = c.run_chunk.lower(state, hp).compile()  # once, ahead of the first chunk
  compile_s = time.perf_counter() - start
  rows: list[list[dict]] = [[] for _ in range(n)]
  for i in range(chunks):
    t = time.perf_counter()
    state, metrics = run_chunk(state, hp)
    metrics = sharding.fetch(metrics)
    iteration = (i + 1) * chunk
    for m in range(n):
      rows[m].append(_row(trainer, metrics, m, iteration))
    on_chunk(i + 1, chunks, rows, n * chunk * trainer.steps_per_iteration
             / (time.perf_counter() - t))
  returns = sharding.fetch(c.evaluate(state, eval_keys))
  return Result(rows, np.asarray(returns), compile_s, time.perf_counter() - start)

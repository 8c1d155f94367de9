"""Timed training runs with deterministic evaluations at given env steps: pgkit and Brax PPO.

Both record, at each evaluation, the env steps, the deterministic eval return and the wall time
since the run started (compile included); training time excludes evaluation. A run can stop at
the first evaluation that reaches ``stop_at`` (time to threshold).
"""
from __future__ import annotations

import functools
import math
import statistics
import time
from typing import NamedTuple, Optional

import jax

from pgkit.bench import timing
from pgkit.settings import Settings
from pgkit.training import loop
from pgkit.training.trainer import make_trainer


class Curve(NamedTuple):
  steps: list  # env steps at each evaluation
  returns: list  # deterministic eval return at each evaluation
  wall: list  # seconds since start (compile included) at each evaluation


class RunStats(NamedTuple):
  trainer: str
  seed: int
  compile_s: float
  train_s: float
  steps_per_s: float  # steady training env steps/s (first, compiling, chunk excluded)
  peak_rss_mb: float
  curve: Curve

  def return_at(self, steps: int) -> float:
    """Eval return at the last evaluation at or before ``steps``."""
    best = math.nan
    for s, r in zip(self.curve.steps, self.curve.returns):
      if s <= steps:
        best = r
    return best

  def time_to(self, threshold: float) -> Optional[float]:
    for r, w in zip(self.curve.returns, self.curve.wall):
      if r >= threshold:
        return w
    return None


def _steady(chunk_steps: list, chunk_times: list) -> tuple[float, float]:
  """(steady steps/s, compile seconds) from per-chunk times; the first chunk compiles."""
  if len(chunk_times) > 1:
    sps = statistics.median(s / t for s, t in zip(chunk_steps[1:], chunk_times[1:]))
  else:
    sps = chunk_steps[0] / chunk_times[0]
  return sps, max(0.0, chunk_times[0] - chunk_steps[0] / sps)


def run_pgkit(settings: Settings, seed: int, eval_every: int,
              stop_at: float | None = None) -> RunStats:
  """pgkit's trainer in compiled chunks of ``eval_every`` env steps (``training.loop``, the
  chunked loop the runner uses), evaluating after each; ``settings.run.seed`` is ignored.

  JAX's compilation caches are cleared first, so every run compiles afresh (as Brax's trainer
  does) and ``compile_s`` means the same for every seed.
  """
  jax.clear_caches()
  timing.reset_peak_rss()
  start = time.perf_counter()
  trainer = make_trainer(settings)  # validates first
  chunk = max(1, round(eval_every / trainer.steps_per_iteration))
  c = loop.compiled(trainer, chunk)
  hp = jax.tree.map(jax.numpy.asarray, settings.hparams)
  key, eval_key = jax.random.split(jax.random.PRNGKey(seed))
  state = jax.block_until_ready(c.init(key, hp))
  curve = Curve([0], [float(c.evaluate(state, eval_key))], [time.perf_counter() - start])
  steps, times = [], []
  for _ in range(c.num_chunks):
    t0 = time.perf_counter()
    state, _ = jax.block_until_ready(c.run_chunk(state, hp))
    times.append(time.perf_counter() - t0)
    steps.append(chunk * trainer.steps_per_iteration)
    curve.steps.append(sum(steps))
    curve.returns.append(float(c.evaluate(state, eval_key)))
    curve.wall.append(time.perf_counter() - start)
    if stop_at is not None and curve.returns[-1] >= stop_at:
      break
  sps, compile_s = _steady(steps, times)
  return RunStats("pgkit", seed, compile_s, sum(times), sps, timing.peak_rss_mb(), curve)


class _Stop(Exception):
  pass


def run_brax(env_name: str, backend: str, settings: dict, num_timesteps: int, seed: int,
             eval_envs: int, stop_at: float | None = None) -> RunStats:
  """Brax's own PPO trainer (shimmed for current jax) with deterministic evaluation."""
  from brax import envs as brax_envs
  from brax.training.agents.ppo import networks as ppo_networks
  from brax.training.agents.ppo import train as ppo

  from pgkit.bench import brax_compat
  from pgkit.bench.settings import POLICY_HIDDEN, VALUE_HIDDEN

  brax_compat.install()
  env = brax_envs.get_environment(env_name, backend=backend)
  s = dict(settings)
  s.pop("num_timesteps", None)
  timing.reset_peak_rss()
  curve = Curve([], [], [])
  walltimes, steps_list = [], []
  start = time.perf_counter()

  def progress(num_steps, metrics):
    curve.steps.append(int(num_steps))
    curve.returns.append(float(metrics["eval/episode_reward"]))
    curve.wall.append(time.perf_counter() - start)
    if "training/walltime" in metrics:
      walltimes.append(float(metrics["training/walltime"]))
      steps_list.append(int(num_steps))
    if stop_at is not None and curve.returns[-1] >= stop_at:
      raise _Stop()

  network_factory = functools.partial(ppo_networks.make_ppo_networks,
                                      policy_hidden_layer_sizes=POLICY_HIDDEN,
                                      value_hidden_layer_sizes=VALUE_HIDDEN)
  try:
    ppo.train(environment=env, num_timesteps=num_timesteps, seed=seed,
              deterministic_eval=True, num_eval_envs=eval_envs, progress_fn=progress,
              network_factory=network_factory, **s)
  except _Stop:
    pass
  chunk_times = [b - a for a, b in zip([0.0] + walltimes[:-1], walltimes)]
  chunk_steps = [b - a for a, b in zip([0] + steps_list[:-1], steps_list)]
  if chunk_times:
    sps, compile_s = _steady(chunk_steps, chunk_times)
  else:
    sps, compile_s = math.nan, math.nan
  return RunStats("brax", seed, compile_s, sum(chunk_times), sps, timing.peak_rss_mb(), curve)

"""A saved run brought back: its settings, its trainer and the train state of one checkpoint."""
from __future__ import annotations

import functools
import os
from typing import NamedTuple

import jax
import jax.numpy as jnp

from pgkit.runs import folder
from pgkit.settings.errors import InputError
from pgkit.training import xla_options


class Restored(NamedTuple):
  settings: object
  trainer: object
  state: object
  iteration: int

  @property
  def env_steps(self) -> int:
    return self.iteration * self.trainer.steps_per_iteration


def restore(run_dir: str, checkpoint: int | None = None) -> Restored:
  """The run in ``run_dir`` at ``checkpoint`` (an iteration it saved; default the newest).

  The state's structure comes from ``jax.eval_shape`` of the trainer's ``init``: nothing is
  trained or compiled to restore it."""
  from pgkit.training import checkpoints, loop, make_trainer

  settings = folder.read_settings(run_dir)
  path = os.path.join(run_dir, folder.CHECKPOINTS)
  saved = checkpoints.Checkpoints(path) if os.path.isdir(path) else None
  steps = saved.steps() if saved else []
  if not steps:
    raise InputError(f"run_dir {run_dir!r} holds no checkpoint yet (a run saves one at every "
                     "report)")
  iteration = steps[-1] if checkpoint is None else checkpoint
  if iteration not in steps:
    raise InputError(f"checkpoint must be one of the iterations saved in {path!r}, {steps}; "
                     f"got {iteration}")
  trainer = make_trainer(settings)
  hp = jax.tree.map(jnp.asarray, settings.hparams)
  like = jax.eval_shape(trainer.init, loop.seed_keys(0)[0], hp)
  try:
    state = saved.restore(iteration, like)
  finally:
    saved.close()
  return Restored(settings, trainer, state, iteration)


@functools.lru_cache(maxsize=8)
def player(trainer, episodes: int, length: int, stochastic: bool, keep_states: bool = False):
  """``play(state, key)``, jitted once per arguments: ``envs.episodes`` of the state's policy
  (returns, lengths and with ``keep_states`` the physics states)."""
  from pgkit import envs

  def play(state, key):
    return envs.episodes(trainer.env, trainer.policy, state.policy_params, state.obs_stats, key,
                         episodes, length, stochastic, keep_states)

  return xla_options.jit(play, once=True)  # as the run's own evaluation

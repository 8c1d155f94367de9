"""MuJoCo Playground environments behind the protocol (``pip install -e ".[playground]"``).

Playground's envs have Brax-style pure states (``obs``, ``reward``, ``done``, ``metrics``) and no
time limit of their own without its wrappers, so ``done`` is a termination and pgkit's
``episode_length`` truncates. Physics runs on MJX's JAX implementation (``impl="jax"``), which
compiles on CPU and GPU alike. Dict observations use their ``"state"`` entry.

The DM Control Suite tasks ship their models inside the package; the locomotion and manipulation
tasks load robot models (mujoco_menagerie) that Playground downloads at run time, so on a
machine that cannot reach GitHub they fail here, with a clear error, before anything compiles.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

from pgkit.envs.adapters.brax_adapter import brax_style
from pgkit.envs.protocol import Environment
from pgkit.settings.envs import PLAYGROUND_DOWNLOADED
from pgkit.settings.errors import InputError


def _observation(obs):
  return obs["state"] if isinstance(obs, dict) else obs


def _load(task: str):
  from mujoco_playground import registry
  from mujoco_playground._src import mjx_env

  if task in PLAYGROUND_DOWNLOADED and not mjx_env.MENAGERIE_PATH.exists():
    raise InputError(
        f"env 'playground/{task}' needs robot models that MuJoCo Playground downloads at run time "
        f"(mujoco_menagerie, by git clone from GitHub, into {mjx_env.MENAGERIE_PATH}); they are "
        "not there. Run it where that download works once, or use a DM Control Suite task "
        "(e.g. playground/CartpoleBalance), whose models ship with the package")
  log = io.StringIO()
  try:
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
      return registry.load(task, config_overrides={"impl": "jax"})
  except Exception as e:  # a model that cannot be read or fetched
    raise InputError(f"env 'playground/{task}' could not be loaded: {type(e).__name__}: {e} "
                     f"{log.getvalue().strip()}") from None


def make(task: str) -> Environment:
  env = _load(task)
  size = env.observation_size
  size = int(np.prod(size["state"] if isinstance(size, dict) else size))
  return brax_style(f"playground/{task}", env, size, _observation)

"""Checkpoints of the whole train state with orbax, for runs that resume exactly.

A checkpoint is the full ``TrainState`` (parameters, optimizer and dual states, observation
statistics, the Brax env states and the PRNG key), so a resumed run continues bit for bit where
the saved one stopped. Each is written to ``iter_<N>`` by orbax (which writes to a temporary
folder and renames it when complete); older ones are deleted only after a newer one is complete,
so an interrupted save never costs the last good checkpoint. ``settings.json`` records the
resolved settings; resuming with different ones is refused.
"""
from __future__ import annotations

import os
import re
import shutil

import jax
import orbax.checkpoint as ocp

_NAME = re.compile(r"^iter_(\d+)$")


def _iterations(directory: str) -> list[int]:
  if not os.path.isdir(directory):
    return []
  return sorted(int(m.group(1)) for m in map(_NAME.match, os.listdir(directory)) if m)


def latest(directory: str) -> int | None:
  """The iteration of the newest complete checkpoint in ``directory``, or None."""
  its = _iterations(directory)
  return its[-1] if its else None


def save(directory: str, state, iteration: int, keep: int = 2) -> str:
  path = os.path.join(os.path.abspath(directory), f"iter_{iteration:08d}")
  checkpointer = ocp.StandardCheckpointer()
  checkpointer.save(path, state)
  checkpointer.wait_until_finished()
  for old in _iterations(directory)[:-keep]:
    shutil.rmtree(os.path.join(directory, f"iter_{old:08d}"), ignore_errors=True)
  return path


def restore(directory: str, iteration: int, like):
  """Restores the checkpoint of ``iteration`` into the structure, shapes and dtypes of ``like``."""
  path = os.path.join(os.path.abspath(directory), f"iter_{iteration:08d}")
  target = jax.tree.map(ocp.utils.to_shape_dtype_struct, like)
  return ocp.StandardCheckpointer().restore(path, target)


SETTINGS_FILE = "settings.json"


def check_settings(directory: str, settings) -> None:
  """Writes ``settings.json`` on first use; refuses a folder that holds a run with other
  settings, naming the fields that differ (a field added to pgkit later takes its default in
  the saved file, so older folders still resume)."""
  from pgkit.settings import differences, load, save

  path = os.path.join(directory, SETTINGS_FILE)
  if os.path.exists(path):
    diff = differences(load(path), settings)
    if diff:
      raise ValueError(f"{directory!r} holds a run with different settings {diff}; use a new "
                       "folder, or the settings in its settings.json (--config)")
    return
  if latest(directory) is not None:
    raise ValueError(f"{directory!r} holds checkpoints but no {SETTINGS_FILE}, so what they "
                     "were trained with is unknown; use a new folder")
  save(settings, path)
